"""Certificate expiry reminders (docs/architecture.md §Background work; TSG Z6001: apply for review a month before
expiry): one reminder per certificate per threshold, however often the beat task runs, delivered through the inbox
(docs/architecture.md §Inbox and reminders) to each of the unit's own enterprise accounts, and mailed to those with
an address. The last test runs the beat tasks on a real Celery worker against the real Redis."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from personnel import services
from personnel.models import CertificateReminder
from portal import celery_app
from portal.inbox import services as inbox
from portal.inbox.models import Notification
from tests import factories
from tests.kit.test_outbox import isolated_broker
from tests.personnel.conftest import wait_for

TODAY = timezone.localdate()
TASK = "personnel.tasks.certificate_reminders"
DELIVER = "portal.inbox.tasks.deliver_reminders"
ID_NUMBER = "360426199101010071"
PHONE = "13812348000"


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def holder(world):
    """A person at world's unit, whose unit has two enterprise accounts with an email and one without."""
    unit = world["unit"]
    factories.enterprise_user(unit, email="anquan@chengguan-dianti.example")
    factories.enterprise_user(unit, email="renshi@chengguan-dianti.example")
    return factories.person(unit, name="赵六", id_number=ID_NUMBER, phone=PHONE)


def certificate(person, expires_on, item_code="T", number="TSG-T-0001"):
    return services.add_certificate(by=factories.system_user(), person=person, item_code=item_code, number=number,
                                    issued_by="兰州市市场监督管理局", issued_on=expires_on - timedelta(days=4 * 365),
                                    expires_on=expires_on)


def reminders(cert) -> list[int]:
    return sorted(cert.reminders.values_list("days_before", flat=True), reverse=True)


def remind(today) -> int:
    """The two beat tasks in turn: the certificate reminders are scheduled, then the inbox delivers them."""
    created = services.certificate_reminders(today=today)
    inbox.deliver_due()
    return created


def test_a_certificate_is_reminded_once_at_90_days_and_once_at_30(holder, outbox):
    expires = TODAY + timedelta(days=200)
    cert = certificate(holder, expires)
    assert remind(expires - timedelta(days=91)) == 0
    assert remind(expires - timedelta(days=90)) == 1
    assert reminders(cert) == [90]
    assert remind(expires - timedelta(days=90)) == 0  # the beat runs hourly
    assert remind(expires - timedelta(days=60)) == 0
    assert remind(expires - timedelta(days=30)) == 1
    assert remind(expires - timedelta(days=30)) == 0
    assert remind(expires - timedelta(days=1)) == 0
    assert reminders(cert) == [90, 30]
    assert len(outbox) == 4  # two accounts with an address, at each threshold


def test_a_certificate_entered_inside_the_30_day_window_gets_one_reminder_not_two(holder, outbox):
    cert = certificate(holder, TODAY + timedelta(days=20))
    assert remind(TODAY) == 1
    assert reminders(cert) == [30]
    assert len(outbox) == 2  # one mail to each account with an address


def test_a_missed_day_still_sends_the_reminder_the_next_run(holder, outbox):
    """The beat was down on the 90th day: the 89th-day run still reminds, once."""
    expires = TODAY + timedelta(days=200)
    cert = certificate(holder, expires)
    assert remind(expires - timedelta(days=89)) == 1
    assert reminders(cert) == [90]


def test_the_mail_goes_to_the_units_enterprise_accounts_with_an_email(holder, world, outbox):
    factories.enterprise_user(world["other_unit"], email="other@qilihe-reli.example")
    inactive = factories.enterprise_user(world["unit"], email="left@chengguan-dianti.example")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    world["users"]["county"].email = "county@samr.example"
    world["users"]["county"].save(update_fields=["email"])
    cert = certificate(holder, TODAY + timedelta(days=60))

    assert remind(TODAY) == 1
    assert sorted(m.to for m in outbox) == [["anquan@chengguan-dianti.example"], ["renshi@chengguan-dianti.example"]]
    for message in outbox:
        assert formats.date_format(cert.expires_on) in message.subject
        assert "赵六" in message.body and "TSG-T-0001" in message.body and world["unit"].name in message.body
        assert ID_NUMBER not in message.body and PHONE not in message.body  # no personal numbers in the mail
    assert CertificateReminder.objects.get(certificate=cert).emailed_to == 2


def test_every_active_account_of_the_unit_gets_the_reminder_in_its_inbox(holder, world, outbox):
    """In-app always, e-mail where the account has an address: the unit's account without one is told too."""
    inactive = factories.enterprise_user(world["unit"], email="left@chengguan-dianti.example")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    cert = certificate(holder, TODAY + timedelta(days=60))
    remind(TODAY)
    remind(TODAY)
    told = Notification.objects.filter(kind="certificate-expiry")
    assert sorted(told.values_list("recipient__email", flat=True)) == [
        "", "anquan@chengguan-dianti.example", "renshi@chengguan-dianti.example"]  # not the inactive account
    notification = told.get(recipient=world["users"]["enterprise"])
    assert formats.date_format(cert.expires_on) in notification.title and "赵六" in notification.body
    assert notification.url == holder.get_absolute_url() and notification.read_at is None


def test_a_unit_without_an_email_account_still_gets_the_reminder_row(world, outbox):
    cert = certificate(factories.person(world["unit"]), TODAY + timedelta(days=60))
    assert remind(TODAY) == 1
    assert CertificateReminder.objects.get(certificate=cert).emailed_to == 0
    assert outbox == []


def test_expired_certificates_are_not_reminded(holder, outbox):
    certificate(holder, TODAY - timedelta(days=1))
    assert remind(TODAY) == 0
    assert outbox == []


def test_a_renewed_certificate_is_reminded_again_before_its_new_expiry(holder, outbox):
    cert = certificate(holder, TODAY + timedelta(days=20))
    remind(TODAY)
    cert.expires_on = TODAY + timedelta(days=4 * 365 + 20)
    cert.save(update_fields=["expires_on"])
    assert remind(cert.expires_on - timedelta(days=90)) == 1
    assert cert.reminders.filter(expires_on=cert.expires_on).count() == 1


def test_the_beat_schedule_runs_the_registered_task():
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert TASK in scheduled
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert TASK in celery_app.tasks


# --- A real worker ------------------------------------------------------------------------------------

@pytest.mark.redis
@pytest.mark.xdist_group("celery")
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_reminds_once_on_a_real_worker(holder, outbox, settings, worker_closes_its_connections):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    cert = certificate(holder, TODAY + timedelta(days=60))
    with isolated_broker(), start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        celery_app.send_task(TASK)  # as beat sends it: through the broker, never eagerly
        wait_for(lambda: cert.reminders.exists())
        celery_app.send_task(DELIVER)
        wait_for(lambda: Notification.objects.filter(kind="certificate-expiry").count() == 3)
        for task in (TASK, DELIVER, TASK, DELIVER):
            celery_app.send_task(task)
        time.sleep(1.0)  # let the reruns, were they to remind again, do so
    assert reminders(cert) == [90]
    assert cert.reminders.get().emailed_to == 2
    assert len(outbox) == 2  # one mail to each account with an address
    assert Notification.objects.filter(kind="certificate-expiry").count() == 3


def test_the_certificate_list_shows_the_reminder_sent(holder):
    cert = certificate(holder, TODAY + timedelta(days=20))
    remind(TODAY)
    client = Client()
    client.force_login(factories.enterprise_user(holder.unit, username="提醒查看"))
    page = client.get(reverse("personnel:certificate_list"), {"expiring": "30"}).content.decode()
    assert cert.number in page and "已于到期前 30 天提醒" in page


def test_a_certificate_numbered_by_the_id_number_is_mailed_masked(holder, outbox):
    """Issue 8 item 2: operators' certificates carry the holder's ID number; the mail masks it."""
    certificate(holder, TODAY + timedelta(days=20), item_code="A", number=ID_NUMBER)
    assert remind(TODAY) == 1
    assert len(outbox) == 2
    for message in outbox:
        assert ID_NUMBER not in message.body and f"{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}" in message.body
        assert "特种设备安全管理（A）" in message.body
    for notification in Notification.objects.filter(kind="certificate-expiry"):
        assert ID_NUMBER not in notification.body
