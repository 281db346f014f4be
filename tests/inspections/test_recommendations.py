"""三书一函 (issue 12 item 7; docs/domain.md §Recommendations): registered by the tier that received it, routed down to
the jurisdiction responsible, handled there — measures, reply, archive — each step audited; visible to the
responsible jurisdiction and every tier above it, never to a sibling; an overdue reply escalates once to the
leaders of the responsible jurisdiction and of the one above; the 待办 and the reply letter PDF."""

import io
import re
import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from inspections.supervision import recommendation_documents as documents
from inspections.supervision import recommendation_services as services
from inspections.supervision.models import Recommendation, RecommendationStep
from inspections.supervision.recommendation_choices import Kind, Status, Step
from inspections.supervision.recommendation_todos import recommendations_to_handle
from jurisdictions.duties import Role
from jurisdictions.models import AuditEvent
from portal.inbox import services as inbox
from portal.inbox.models import Notification, Reminder
from tests import factories
from tests.factories import logged_in, node


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def today():
    return timezone.localdate()


def scan(name="建议书.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n% scan\n%%EOF\n", content_type="application/pdf")


_serial = iter(range(1, 10_000))


def register(by, *, kind=Kind.PROCURATORIAL, days_ago=3, due_in=30, **extra):
    received = today() - timedelta(days=days_ago)
    fields = {"kind": kind, "issuer": "兰州市城关区人民检察院", "document_number": f"城检行建〔2026〕{next(_serial)}号",
              "issued_on": received - timedelta(days=2), "received_on": received, "case_name": "某小区电梯困人事故案",
              "case_code": "（2026）甘0102刑初18号", "sector": "电梯", "content": "建议加强辖区住宅电梯维护保养监管。",
              "reply_due_on": today() + timedelta(days=due_in), **extra}
    return services.register(by=by, **fields)


@pytest.fixture
def handlers(world):
    """``world``'s leaders plus a clerk of 城关区 (HANDLE_RECOMMENDATIONS, no leader) and a county inspector (no
    such duty)."""
    users = world["users"]
    users["county_clerk"] = factories.regulator("620102", Role.CLERK, username="county-clerk")
    users["county_inspector"] = factories.regulator("620102", Role.INSPECTOR, username="county-inspector")
    return world


@pytest.fixture
def assigned(handlers):
    """An instrument the city received and routed to 城关区."""
    users = handlers["users"]
    recommendation = register(users["city"], attachments=[scan()])
    return services.route(by=users["city"], recommendation=recommendation, to=node("620102"), note="请城关区局办理")


def visible(user, recommendation) -> bool:
    return logged_in(user).get(recommendation.get_absolute_url()).status_code == 200


def listed(user) -> set[int]:
    response = logged_in(user).get(reverse("recommendations:recommendation_list"))
    assert response.status_code == 200
    return {r.pk for r in response.context["table"].data}


# --- Must show: visibility and escalation --------------------------------------------------------------

def test_an_instrument_assigned_to_a_county_is_invisible_to_its_sibling_visible_above_and_escalates(assigned, handlers):
    users, r = handlers["users"], assigned
    for role in ("county", "city", "province", "county_clerk"):
        assert visible(users[role], r), role
        assert r.pk in listed(users[role]), role
    for role in ("other_county", "other_city"):
        assert not visible(users[role], r), role
        assert r.pk not in listed(users[role]), role
    assert not visible(users["station"], r) and not visible(users["county_inspector"], r)

    Recommendation.objects.filter(pk=r.pk).update(reply_due_on=today() - timedelta(days=1))
    assert services.escalate_overdue() == 1
    told = set(Reminder.objects.filter(kind="recommendation_overdue").values_list("recipient__username", flat=True))
    assert told == {"county", "city"}  # the responsible county's leader and its city's, no clerk, no sibling
    inbox.deliver_due()
    notes = Notification.objects.filter(kind="recommendation_overdue")
    assert notes.count() == 2 and all(r.document_number in n.title for n in notes)
    assert RecommendationStep.objects.filter(recommendation=r, step=Step.ESCALATED).count() == 1

    assert services.escalate_overdue() == 0
    inbox.deliver_due()
    assert Notification.objects.filter(kind="recommendation_overdue").count() == 2
    response = logged_in(users["city"]).get(reverse("recommendations:recommendation_list"), {"overdue": "true"})
    assert [row.pk for row in response.context["table"].data] == [r.pk]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_escalation_runs_escalate_each_instrument_once(tree, monkeypatch):
    city = factories.regulator("620100", Role.LEADER, username="race-city")
    county = factories.regulator("620102", Role.LEADER, username="race-county")
    for _n in range(6):
        r = register(city)
        services.route(by=city, recommendation=r, to=node("620102"))
    Recommendation.objects.update(reply_due_on=today() - timedelta(days=2))
    original = services._tell

    def slow(*args, **kwargs):
        time.sleep(0.05)  # hold the batch's row locks so the two runs overlap for certain
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_tell", slow)
    start, counts, errors = threading.Barrier(2), [], []

    def run():
        try:
            start.wait()
            counts.append(services.escalate_overdue())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sum(counts) == 6
    assert RecommendationStep.objects.filter(step=Step.ESCALATED).count() == 6
    assert Reminder.objects.filter(kind="recommendation_overdue", recipient=county).count() == 6
    assert Reminder.objects.filter(kind="recommendation_overdue", recipient=city).count() == 6


def test_routing_elsewhere_after_escalation_tells_the_new_jurisdiction(assigned, handlers):
    users = handlers["users"]
    Recommendation.objects.filter(pk=assigned.pk).update(reply_due_on=today() - timedelta(days=1))
    services.escalate_overdue()
    services.route(by=users["city"], recommendation=assigned, to=node("620103"), note="属七里河区管辖")
    assert services.escalate_overdue() == 1
    told = Reminder.objects.filter(kind="recommendation_overdue").values_list("recipient__username", flat=True)
    assert sorted(told) == ["city", "city", "county", "other_county"]
    assert not visible(users["county"], assigned) and visible(users["other_county"], assigned)


# --- The lifecycle ---------------------------------------------------------------------------------------

def test_the_responsible_county_handles_replies_and_archives_each_step_audited(assigned, handlers):
    users = handlers["users"]
    county = users["county_clerk"]
    before = AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_CHANGED).count()
    with pytest.raises(ValidationError):
        services.reply(by=county, recommendation=assigned, reply_kind="adopted", rectification="done",
                       text="已整改", replied_on=today())
    r = services.record_measures(by=county, recommendation=assigned, measures="对辖区住宅电梯开展专项检查 42 台。",
                                 attachments=[scan("检查记录.pdf")])
    assert r.status == Status.IN_PROGRESS
    r = services.reply(by=county, recommendation=r, reply_kind="adopted", rectification="done",
                       text="已督促维保单位整改到位。", replied_on=today())
    assert r.status == Status.REPLIED
    r = services.archive(by=county, recommendation=r)
    assert r.status == Status.ARCHIVED and r.archived_at is not None
    steps = list(r.steps.order_by("at", "id").values_list("step", flat=True))
    assert steps == [Step.REGISTERED, Step.ROUTED, Step.MEASURES, Step.REPLIED, Step.ARCHIVED]
    routed = r.steps.get(step=Step.ROUTED)
    assert (routed.by, routed.from_node.code, routed.to_node.code) == (users["city"], "620100", "620102")
    actions = list(AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_CHANGED, object_id=str(r.pk))
                   .order_by("pk").values_list("detail__action", flat=True))
    assert actions[-3:] == ["record_recommendation_measures", "reply_recommendation", "archive_recommendation"]
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_CHANGED).count() == before + 3
    assert r.attachments.count() == 2
    with pytest.raises(ValidationError):
        services.archive(by=county, recommendation=r)


def test_a_tier_above_reads_but_does_not_answer_for_the_county(assigned, handlers):
    users = handlers["users"]
    for role in ("city", "province", "other_county"):
        with pytest.raises(Http404):
            services.record_measures(by=users[role], recommendation=assigned, measures="越级办理")
    assert Recommendation.objects.get(pk=assigned.pk).status == Status.ASSIGNED


def test_routing_goes_down_to_a_handling_jurisdiction_in_the_routers_subtree(assigned, handlers):
    users = handlers["users"]
    with pytest.raises(ValidationError):  # the county handles; it has nothing below it to route to
        services.route(by=users["county"], recommendation=assigned, to=node("620102"))
    with pytest.raises(ValidationError):  # a station does not handle the instruments
        services.route(by=users["city"], recommendation=assigned, to=node("620102001"))
    with pytest.raises(ValidationError):  # outside 兰州
        services.route(by=users["city"], recommendation=assigned, to=node("620502"))
    with pytest.raises(Http404):  # 天水 does not see 兰州's instrument at all
        services.route(by=users["other_city"], recommendation=assigned, to=node("620502"))
    services.route(by=users["province"], recommendation=assigned, to=node("620103"))
    services.record_measures(by=users["other_county"], recommendation=assigned, measures="已部署排查")
    with pytest.raises(ValidationError):  # handling has begun
        services.route(by=users["city"], recommendation=assigned, to=node("620102"))


def test_registration_checks_dates_duplicates_and_uploads(handlers):
    city = handlers["users"]["city"]
    r = register(city)
    assert r.jurisdiction.code == "620100" and r.received_by.code == "620100" and r.status == Status.REGISTERED
    with pytest.raises(ValidationError) as duplicate:
        register(city, document_number=r.document_number)
    assert "document_number" in duplicate.value.error_dict
    with pytest.raises(ValidationError) as fake:
        register(city, attachments=[SimpleUploadedFile("建议书.pdf", b"MZ\x90\x00 not a pdf")])
    assert "attachments" in fake.value.error_dict
    with pytest.raises(ValidationError) as early:
        register(city, reply_due_on=today() - timedelta(days=30))
    assert "reply_due_on" in early.value.error_dict
    default = register(city, kind=Kind.PROCURATORIAL, reply_due_on=None)
    assert default.reply_due_on == default.received_on + timedelta(days=60)
    with pytest.raises(Http404):  # an inspector holds no HANDLE_RECOMMENDATIONS
        register(handlers["users"]["county_inspector"])


def test_the_register_page_saves_with_a_scan_and_lands_on_the_instrument(handlers):
    client = logged_in(handlers["users"]["county"])
    received = today() - timedelta(days=1)
    response = client.post(reverse("recommendations:recommendation_create"), {
        "kind": "police", "issuer": "兰州市公安局城关分局", "document_number": "城公提〔2026〕7号",
        "issued_on": received.isoformat(), "received_on": received.isoformat(), "case_name": "某商场扶梯伤人案",
        "case_code": "", "sector": "电梯", "content": "提示加强商场自动扶梯安全监管。", "reply_due_on": "",
        "attachments": scan("提示函.pdf")})
    assert response.status_code == 302, response.context["form"].errors
    r = Recommendation.objects.get(document_number="城公提〔2026〕7号")
    assert response["Location"] == r.get_absolute_url() and r.jurisdiction.code == "620102"
    page = client.get(r.get_absolute_url()).content.decode()
    assert 'data-testid="measures"' in page and 'data-testid="route"' not in page
    attachment = r.attachments.get()
    opened = client.get(reverse("recommendations:attachment", args=[attachment.pk]))
    assert opened.status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD, object_id=str(attachment.pk)).exists()


# --- 待办, list, export ------------------------------------------------------------------------------------

def test_the_responsible_jurisdictions_accounts_see_their_instruments_in_the_todos(assigned, handlers):
    users = handlers["users"]
    titles = [t.title for t in recommendations_to_handle(users["county_clerk"])]
    assert titles == ["1 件三书一函待办理"]
    assert recommendations_to_handle(users["city"]) == []  # routed on: the county's work now
    assert recommendations_to_handle(users["county_inspector"]) == []
    assert recommendations_to_handle(handlers["users"]["enterprise"]) == []
    services.record_measures(by=users["county"], recommendation=assigned, measures="已开展检查")
    todo, = recommendations_to_handle(users["county"])
    assert todo.title == "1 件三书一函待回复" and "stage=to_reply" in todo.url
    response = logged_in(users["county"]).get(todo.url)
    assert [row.pk for row in response.context["table"].data] == [assigned.pk]
    page = logged_in(users["county"]).get(reverse("inbox:inbox")).content.decode()
    assert "1 件三书一函待回复" in page


def test_the_province_list_filters_across_the_province_and_exports_xlsx(assigned, handlers):
    users = handlers["users"]
    register(users["other_city"], kind=Kind.JUDICIAL, issuer="天水市中级人民法院")
    province = logged_in(users["province"])
    url = reverse("recommendations:recommendation_list")
    assert len(province.get(url).context["table"].data) == 2
    assert [r.pk for r in province.get(url, {"kind": "procuratorial"}).context["table"].data] == [assigned.pk]
    assert [r.pk for r in province.get(url, {"jurisdiction": node("620100").pk}).context["table"].data] == [
        assigned.pk]
    assert [r.pk for r in province.get(url, {"status": "assigned"}).context["table"].data] == [assigned.pk]
    export = province.get(url, {"_export": "xlsx", "kind": "procuratorial"})
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert any(assigned.document_number in (cell or "") for row in rows for cell in row)
    assert len([row for row in rows if any(row)]) >= 2
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, username="province").exists()


# --- The reply letter ---------------------------------------------------------------------------------------

def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "\ufffd" not in text
    return re.sub(r"\s+", "", text), len(reader.pages)


def test_the_reply_letter_reads_back_with_number_case_and_reply(assigned, handlers):
    county = handlers["users"]["county"]
    r = services.record_measures(by=county, recommendation=assigned, measures="对辖区住宅电梯开展专项检查四十二台。")
    r = services.reply(by=county, recommendation=r, reply_kind="adopted", rectification="done",
                       text="已督促维保单位整改到位，建立电梯困人应急联动机制。", replied_on=today())
    url = reverse("recommendations:reply_letter", args=[r.pk])
    assert logged_in(handlers["users"]["other_county"]).get(url).status_code == 404
    response = logged_in(handlers["users"]["province"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, pages = pdf_text(response.content)
    assert pages == 1
    for expected in (r.document_number, r.case_name, "已督促维保单位整改到位，建立电梯困人应急联动机制。",
                     "对辖区住宅电梯开展专项检查四十二台。", "兰州市城关区人民检察院", "城关区市场监督管理局",
                     "检察建议书", "特此函复", r.case_code):
        assert expected in text, expected
    assert documents.addressed_as(Kind.SUPERVISORY) == "你委"
