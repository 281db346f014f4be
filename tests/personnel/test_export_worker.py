"""The national export is built by a real Celery worker from the outbox (docs/architecture.md §Background work): asking
writes the job and its outbox row in one transaction, beat's relay hands it to Redis, the worker builds it
once, and a redelivered message builds nothing twice."""

import time
from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client
from django.urls import reverse

from personnel import exports, services
from personnel.models import ExportJob
from portal.celery import app as celery_app
from portal.kit import outbox
from portal.kit.models import OutboxMessage
from tests.kit.test_outbox import isolated_broker
from tests.personnel.conftest import wait_for


@pytest.mark.redis
@pytest.mark.xdist_group("celery")
@pytest.mark.django_db(transaction=True)
def test_a_worker_builds_the_export_once_and_the_asker_downloads_it(world, settings, tmp_path,
                                                                    worker_closes_its_connections):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.MEDIA_ROOT = tmp_path / "media"
    county = world["users"]["county"]
    services.appoint_new_person(by=world["users"]["enterprise"], unit=world["unit"], name="工人测试",
                                id_number="360426199101010071", phone="13800138000", post="principal",
                                started_on=date(2025, 1, 1))
    client = Client()
    client.force_login(county)
    assert client.post(reverse("personnel:national_export"), {"full": ""}).status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED
    assert OutboxMessage.objects.filter(task=exports.TASK, sent_at__isnull=True).count() == 1

    with isolated_broker(), start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert outbox.relay() == 1
        wait_for(lambda: ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.DONE, timeout=20)
        finished = ExportJob.objects.get(pk=job.pk).finished_at
        celery_app.send_task(exports.TASK, args=[job.pk])  # a redelivery
        time.sleep(1.0)  # let it run, were it to build again
    job.refresh_from_db()
    assert job.done == 1 and job.finished_at == finished

    response = client.get(reverse("personnel:national_export_download", args=[job.pk]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
