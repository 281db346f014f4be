"""The 三书一函 escalation on a real Celery worker against the real Redis (issue 12 item 7): sent as beat sends it,
three times, an overdue reply is escalated once — one reminder and, once the inbox's task has run, one notification
for each leader told — and the beat schedule names the task."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.utils import timezone

from inspections.supervision import recommendation_services as services
from inspections.supervision.models import Recommendation, RecommendationStep
from inspections.supervision.recommendation_choices import Kind, Step
from jurisdictions.duties import Role
from portal import celery_app
from portal.inbox import services as inbox
from portal.inbox.models import Notification, Reminder
from tests import factories
from tests.kit.test_outbox import isolated_broker
from tests.personnel.conftest import wait_for, worker_closes_its_connections  # noqa: F401  (a fixture)

TASK = "inspections.supervision.tasks.escalate_overdue_recommendations"
DELIVER = "portal.inbox.tasks.deliver_reminders"


@pytest.mark.redis
@pytest.mark.xdist_group("celery")
@pytest.mark.django_db(transaction=True)
def test_an_overdue_reply_escalates_once_on_a_real_worker(tree, settings, worker_closes_its_connections):  # noqa: F811
    settings.CELERY_TASK_ALWAYS_EAGER = False
    city = factories.regulator("620100", Role.LEADER, username="worker-city")
    county = factories.regulator("620102", Role.LEADER, username="worker-county")
    factories.regulator("620103", Role.LEADER, username="worker-sibling")
    received = timezone.localdate() - timedelta(days=40)
    recommendation = services.register(
        by=city, kind=Kind.SUPERVISORY, issuer="兰州市城关区监察委员会", document_number="城监建〔2026〕2号",
        issued_on=received, received_on=received, case_name="某公司违规使用未登记锅炉案", sector="锅炉",
        content="建议加强锅炉使用登记监管。", reply_due_on=received + timedelta(days=30))
    services.route(by=city, recommendation=recommendation, to=factories.node("620102"))

    with isolated_broker(), start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        for _ in range(3):
            celery_app.send_task(TASK)
        wait_for(lambda: Recommendation.objects.filter(pk=recommendation.pk, escalated_at__isnull=False).exists(),
                 timeout=30)
        celery_app.send_task(DELIVER)
        wait_for(lambda: Notification.objects.filter(kind="recommendation_overdue").count() == 2, timeout=30)
        # One more run, then a sentinel reminder delivered after it: the solo worker takes messages in order, so
        # once the sentinel is delivered the run before it is done.
        celery_app.send_task(TASK)
        sentinel = inbox.schedule(county, "test", "sentinel", timezone.now(), "sentinel")
        celery_app.send_task(DELIVER)
        wait_for(lambda: Reminder.objects.filter(pk=sentinel.pk, delivered_at__isnull=False).exists(), timeout=30)

    assert RecommendationStep.objects.filter(recommendation=recommendation, step=Step.ESCALATED).count() == 1
    assert sorted(Reminder.objects.filter(kind="recommendation_overdue").values_list("recipient_id", flat=True)) == \
        sorted([city.pk, county.pk])
    assert Notification.objects.filter(kind="recommendation_overdue").count() == 2


def test_the_beat_schedule_runs_the_escalation_often():
    entries = {e["task"]: e for e in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries[TASK]["schedule"] <= 600
    celery_app.loader.import_default_modules()
    assert TASK in celery_app.tasks
