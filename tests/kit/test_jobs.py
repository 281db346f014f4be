"""The background-job base both the imports and the national export stand on (portal.kit.jobs)."""

import pytest
from django.core.exceptions import ValidationError

from personnel.models import ExportJob
from portal.kit import imports, jobs
from units.models import ImportJob


def test_each_job_labels_the_shared_states_in_its_own_words():
    assert dict(ImportJob._meta.get_field("status").choices)["running"] == "导入中"
    assert dict(ExportJob._meta.get_field("status").choices)["running"] == "生成中"
    for model in (ImportJob, ExportJob):
        assert {jobs.QUEUED, jobs.RUNNING, jobs.DONE, jobs.FAILED} <= set(model.Status.values)


def test_import_kinds_are_those_the_apps_registered():
    assert {"units", "equipment", "people"} <= set(imports.IMPORTERS)
    imports.validate_kind("people")
    with pytest.raises(ValidationError):
        imports.validate_kind("nonsense")


@pytest.mark.django_db
def test_a_job_is_its_creators_and_a_redelivered_task_finds_it_taken(world):
    county, other = world["users"]["county"], world["users"]["city"]
    job = ExportJob(created_by=county)
    job.place(county.jurisdiction)
    job.save()
    assert list(ExportJob.objects.owned_by(county)) == [job]
    assert not ExportJob.objects.owned_by(other).exists()
    assert job.is_open and ExportJob.objects.open().filter(pk=job.pk).exists()

    claimed = ExportJob.claim(job.pk)
    assert claimed.status == jobs.RUNNING and ExportJob.claim(job.pk) is None
    claimed.report_progress(7)
    assert ExportJob.objects.get(pk=job.pk).progress == 7

    claimed.finish(jobs.DONE, done=9)
    claimed.forget_progress()
    finished = ExportJob.objects.get(pk=job.pk)
    assert (finished.progress, finished.is_open, finished.finished_at is not None) == (9, False, True)
