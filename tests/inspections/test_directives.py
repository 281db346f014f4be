"""安全监察指令书 (docs/domain.md §Directive; Order 57 Art. 23, 29, 36): issued from a completed inspection by county
and above only, numbered per authority and year — distinct and gap-free when issued concurrently in real
transactions —, answered with a rectification report, re-checked within 10 working days, and at the deadline an
unreported directive turns overdue once, reaches the authority's leaders and becomes a referral."""

import threading
import time
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.http import Http404

from inspections.supervision import directive_services as services
from inspections.supervision.inspection_choices import DirectiveStatus, DirectiveStep, ReferralOutcome, ReferralStatus
from inspections.supervision.models import Directive, DirectiveStepRecord, Referral
from jurisdictions.models import AuditEvent, User
from portal.inbox import services as inbox
from portal.inbox import todos
from portal.inbox.models import Notification, Reminder
from tests.inspections.supervision_world import TODAY, completed_record, issued_directive, png_upload

YEAR = TODAY.year


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_add_working_days_skips_weekends():
    assert services.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 7)  # Friday → Monday
    assert services.add_working_days(date(2026, 12, 1), 10) == date(2026, 12, 15)


def test_a_directive_is_numbered_by_its_authority_and_drafted_from_the_findings(inspectors):
    inspection = completed_record(inspectors)
    draft = services.draft(inspection)
    assert "未落实周排查" in draft["problems"]
    directive = issued_directive(inspectors, inspection)
    assert directive.number == f"（城关）市监特令〔{YEAR}〕第1号"
    assert (directive.authority.code, directive.serial, directive.status) == ("620102", 1, DirectiveStatus.ISSUED)
    assert directive.county_id == inspectors["unit"].county_id
    assert AuditEvent.objects.filter(detail__action="issue_directive", detail__number=directive.number).exists()


def test_a_station_does_not_issue_and_another_county_cannot_direct_the_unit(inspectors):
    inspection = completed_record(inspectors)
    users = inspectors["users"]
    for outsider in (users["station"], users["other_county"]):
        with pytest.raises(Http404):
            services.issue(by=outsider, inspection=inspection, problems="问题", legal_basis="依据", measures="措施",
                           deadline=TODAY + timedelta(days=5))
    assert not Directive.objects.exists()


def test_an_inspection_in_progress_issues_no_directive(inspectors):
    from tests.inspections.supervision_world import open_record

    inspection = open_record(inspectors)
    with pytest.raises(ValidationError, match="完成并签字"):
        services.issue(by=inspectors["users"]["county"], inspection=inspection, problems="问题", legal_basis="依据",
                       measures="措施", deadline=TODAY + timedelta(days=5))


def test_a_failed_issue_gives_its_number_back(inspectors, monkeypatch):
    inspection = completed_record(inspectors)
    original = services._step

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_step", broken)
    with pytest.raises(RuntimeError):
        issued_directive(inspectors, inspection)
    monkeypatch.setattr(services, "_step", original)
    assert issued_directive(inspectors, inspection).serial == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("directive-concurrency")
def test_directive_numbers_are_distinct_and_gap_free_when_issued_concurrently(inspectors):
    county = inspectors["users"]["county"]
    records = [completed_record(inspectors, finding=False) for _n in range(6)]
    barrier, errors = threading.Barrier(len(records)), []

    def issue(inspection):
        try:
            barrier.wait(timeout=10)
            services.issue(by=User.objects.get(pk=county.pk), inspection=inspection, problems="未落实周排查",
                           legal_basis="《特种设备安全法》第十三条", measures="建立周排查制度",
                           deadline=TODAY + timedelta(days=10))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(r,)) for r in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(Directive.objects.values_list("serial", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert len(set(Directive.objects.values_list("number", flat=True))) == 6


def test_report_then_recheck_within_ten_working_days(inspectors):
    users = inspectors["users"]
    directive = issued_directive(inspectors)
    with pytest.raises(ValidationError, match="照片"):
        services.report(by=users["enterprise"], directive=directive, note="已建立周排查制度", evidence=[])
    with pytest.raises(Http404):
        services.report(by=users["other_enterprise"], directive=directive, note="x" * 5, evidence=[png_upload()])
    services.report(by=users["enterprise"], directive=directive, note="已建立周排查制度", evidence=[png_upload()])
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.REPORTED
    assert directive.recheck_due_on == services.add_working_days(TODAY, 10)
    assert directive.evidence.count() == 1
    with pytest.raises(ValidationError, match="退回原因"):
        services.send_back(by=users["county"], directive=directive, reason="")
    services.send_back(by=users["county"], directive=directive, reason="报告未附周排查记录")
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.ISSUED
    services.report(by=users["enterprise"], directive=directive, note="补充了周排查记录", evidence=[png_upload()])
    services.accept(by=users["county"], directive=directive, note="复查合格")
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.ACCEPTED and directive.closed_at
    steps = list(DirectiveStepRecord.objects.filter(directive=directive).order_by("at", "id")
                 .values_list("step", flat=True))
    assert steps == ["issued", "reported", "sent_back", "reported", "accepted"]


def test_the_enterprise_and_the_county_find_their_work_in_the_inbox(inspectors):
    users = inspectors["users"]
    directive = issued_directive(inspectors)
    [todo] = [t for t in todos.todos_for(users["enterprise"]) if t.kind == "directive"]
    assert "1 份安全监察指令书待整改报告" in todo.title and todo.due == directive.deadline
    assert not [t for t in todos.todos_for(users["other_enterprise"]) if t.kind == "directive"]
    services.report(by=users["enterprise"], directive=directive, note="已整改完毕", evidence=[png_upload()])
    [todo] = [t for t in todos.todos_for(users["county"]) if t.kind == "directive"]
    assert "待复查" in todo.title
    assert not [t for t in todos.todos_for(users["other_county"]) if t.kind == "directive"]


def test_at_the_deadline_an_unreported_directive_turns_overdue_once_and_is_referred(inspectors):
    users = inspectors["users"]
    directive = issued_directive(inspectors)
    on_time = issued_directive(inspectors, completed_record(inspectors, finding=False))
    services.report(by=users["enterprise"], directive=on_time, note="按期整改", evidence=[png_upload()])
    Directive.objects.update(deadline=TODAY - timedelta(days=1))
    assert services.mark_overdue() == 1
    assert services.mark_overdue() == 0
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.OVERDUE and directive.overdue_at
    referral = Referral.objects.get()
    assert referral.directive == directive and referral.status == ReferralStatus.OPEN
    assert referral.county_id == directive.county_id
    assert DirectiveStepRecord.objects.filter(step=DirectiveStep.OVERDUE).count() == 1
    assert list(Reminder.objects.filter(kind="directive_overdue").values_list("recipient", flat=True)) == [
        users["county"].pk]
    inbox.deliver_due()
    assert Notification.objects.filter(kind="directive_overdue", recipient=users["county"]).count() == 1
    assert any(t.kind == "referral" for t in todos.todos_for(users["county"]))
    # A late report is still answered and re-checked; the referral stays its own case.
    services.report(by=users["enterprise"], directive=directive, note="逾期后整改", evidence=[png_upload()])
    services.send_back(by=users["county"], directive=directive, reason="仍未整改到位")
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.OVERDUE
    assert services.mark_overdue() == 0


def test_the_referral_is_filed_then_closed_with_an_outcome_by_the_issuing_authority(inspectors):
    users = inspectors["users"]
    issued_directive(inspectors)
    Directive.objects.update(deadline=TODAY - timedelta(days=1))
    services.mark_overdue()
    referral = Referral.objects.get()
    with pytest.raises(Http404):
        services.update_referral(by=users["city"], referral=referral, status=ReferralStatus.FILED, case_number="1")
    with pytest.raises(ValidationError, match="案件编号"):
        services.update_referral(by=users["county"], referral=referral, status=ReferralStatus.FILED)
    services.update_referral(by=users["county"], referral=referral, status=ReferralStatus.FILED,
                             case_number="城市监立〔2026〕8号", note="已立案调查")
    with pytest.raises(ValidationError, match="处理结果"):
        services.update_referral(by=users["county"], referral=referral, status=ReferralStatus.CLOSED)
    services.update_referral(by=users["county"], referral=referral, status=ReferralStatus.CLOSED,
                             outcome=ReferralOutcome.PENALISED, note="罚款人民币一万元")
    referral.refresh_from_db()
    assert (referral.status, referral.outcome, referral.case_number) == (
        ReferralStatus.CLOSED, ReferralOutcome.PENALISED, "城市监立〔2026〕8号")
    assert AuditEvent.objects.filter(detail__action="update_referral").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_overdue_runs_refer_each_directive_once(inspectors, monkeypatch):
    for _n in range(4):
        issued_directive(inspectors, completed_record(inspectors, finding=False))
    Directive.objects.update(deadline=TODAY - timedelta(days=2))
    original = services._tell

    def slow(*args, **kwargs):
        time.sleep(0.05)  # hold the batch's row locks so the two runs overlap for certain
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_tell", slow)
    start, counts, errors = threading.Barrier(2), [], []

    def run():
        try:
            start.wait()
            counts.append(services.mark_overdue())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [] and sum(counts) == 4
    assert Referral.objects.count() == 4
