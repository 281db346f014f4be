"""The findings lifecycle (docs/domain.md §Findings): raise → rectify with evidence → verify (销号), or reject
back to 待整改; who may take each step, what scope sees, how evidence is checked and served."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from inspections.findings import services
from inspections.findings.choices import HazardLevel, Origin, Status, Step
from inspections.findings.models import Evidence, Finding
from jurisdictions.models import AuditEvent
from personnel import services as personnel
from tests import factories
from tests.factories import logged_in, png_bytes
from units.models import Equipment, EquipmentType
from units.services import add_equipment


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _director(world):
    """The unit's enterprise account is its safety director, who closes self-check hazards (Order 74 Art. 143)."""
    enterprise = world["users"]["enterprise"]
    person = factories.person(world["unit"], name="自查总监")
    personnel.appoint(by=enterprise, unit=world["unit"], person=person, post="safety_director",
                      started_on=timezone.localdate() - timedelta(days=30))
    personnel.link_account(by=enterprise, person=person, account=enterprise)
    return person


def photo(name="整改后.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def jpeg_with_gps(name="现场.jpg") -> SimpleUploadedFile:
    """A phone photo: EXIF carrying the camera and a GPS position, the kind of metadata evidence must shed."""
    image = Image.new("RGB", (32, 24), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (36.0, 3.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(name="整改报告.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def raise_one(world, **extra) -> Finding:
    fields = {"description": "电梯轿厢应急照明不亮", "due_on": timezone.localdate() + timedelta(days=7), **extra}
    return services.raise_finding(by=world["users"]["enterprise"], unit=world["unit"], **fields)


def rectified(world) -> Finding:
    finding = raise_one(world)
    return services.rectify(by=world["users"]["enterprise"], finding=finding, note="已更换应急照明电池",
                            evidence=[photo()])


def audit_actions(finding) -> list[str]:
    return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_CHANGED, object_type="findings.Finding",
                                          object_id=str(finding.pk)).order_by("pk")
                .values_list("detail__action", flat=True))


# --- Lifecycle ---------------------------------------------------------------------------------------

def test_a_finding_is_raised_rectified_and_verified_with_each_step_on_record(world):
    enterprise = world["users"]["enterprise"]
    finding = raise_one(world, hazard_level=HazardLevel.MAJOR)
    assert (finding.status, finding.county_id, finding.station_id) == (
        Status.OPEN, world["unit"].county_id, world["unit"].station_id)

    services.rectify(by=enterprise, finding=finding, note="已更换应急照明电池", evidence=[photo(), pdf()])
    finding.refresh_from_db()
    assert finding.status == Status.RECTIFIED and finding.rectified_by == enterprise and finding.rectified_at
    assert finding.evidence.count() == 2

    services.verify(by=enterprise, finding=finding, note="复查正常")
    finding.refresh_from_db()
    assert finding.status == Status.CLOSED and finding.verified_by == enterprise
    assert [s.step for s in finding.steps.order_by("at", "id")] == [Step.RAISED, Step.RECTIFIED, Step.VERIFIED]
    assert audit_actions(finding) == ["raise_finding", "rectify_finding", "verify_finding"]
    assert finding.events.count() >= 3  # pghistory: the row's every state


def test_a_rejected_rectification_goes_back_to_open_with_its_reason_and_keeps_the_first_round(world):
    finding = rectified(world)
    services.reject(by=world["users"]["county"], finding=finding, reason="照片看不出已整改")
    finding.refresh_from_db()
    assert finding.status == Status.OPEN
    rejected = finding.steps.get(step=Step.REJECTED)
    assert rejected.note == "照片看不出已整改" and rejected.by == world["users"]["county"]

    services.rectify(by=world["users"]["enterprise"], finding=finding, note="补拍照片", evidence=[pdf()])
    services.verify(by=world["users"]["station"], finding=finding)
    finding.refresh_from_db()
    assert finding.status == Status.CLOSED
    assert finding.evidence.count() == 2 and finding.steps.filter(step=Step.RECTIFIED).count() == 2
    assert "reject_finding" in audit_actions(finding)


@pytest.mark.parametrize(("stage", "action"), [
    ("open", "verify"), ("open", "reject"), ("rectified", "rectify"), ("closed", "rectify"), ("closed", "verify"),
    ("closed", "reject"),
])
def test_an_illegal_transition_is_refused_in_chinese_and_changes_nothing(world, stage, action):
    enterprise = world["users"]["enterprise"]
    finding = raise_one(world) if stage == "open" else rectified(world)
    if stage == "closed":
        services.verify(by=enterprise, finding=finding)
    status, steps = Finding.objects.get(pk=finding.pk).status, finding.steps.count()
    call = {"verify": lambda: services.verify(by=enterprise, finding=finding),
            "reject": lambda: services.reject(by=enterprise, finding=finding, reason="不合格"),
            "rectify": lambda: services.rectify(by=enterprise, finding=finding, note="再次整改", evidence=[photo()])}
    with pytest.raises(ValidationError) as exc:
        call[action]()
    assert "当前状态为" in exc.value.messages[0]
    assert Finding.objects.get(pk=finding.pk).status == status and finding.steps.count() == steps


def test_a_due_date_in_the_past_and_a_blank_description_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        raise_one(world, due_on=timezone.localdate() - timedelta(days=1))
    assert exc.value.message_dict["due_on"] == ["整改期限不能早于今天。"]
    with pytest.raises(ValidationError) as exc:
        raise_one(world, description="  ")
    assert "description" in exc.value.message_dict
    assert not Finding.objects.exists()


def test_a_rectification_needs_a_note_and_evidence_and_a_rejection_a_reason(world):
    finding = raise_one(world)
    with pytest.raises(ValidationError) as exc:
        services.rectify(by=world["users"]["enterprise"], finding=finding, note="已整改", evidence=[])
    assert "evidence" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.rectify(by=world["users"]["enterprise"], finding=finding, note="", evidence=[photo()])
    assert "note" in exc.value.message_dict
    finding = rectified(world)
    with pytest.raises(ValidationError) as exc:
        services.reject(by=world["users"]["county"], finding=finding, reason="")
    assert "reason" in exc.value.message_dict


def test_equipment_and_responsible_person_must_be_the_units_own(world):
    elevator = EquipmentType.objects.get(code="3110")
    theirs = add_equipment(by=factories.system_user(), unit=world["other_unit"], equipment_type=elevator)
    stranger = factories.person(world["other_unit"])
    with pytest.raises(ValidationError) as exc:
        raise_one(world, equipment=theirs)
    assert "equipment" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        raise_one(world, responsible=stranger)
    assert "responsible" in exc.value.message_dict
    ours = add_equipment(by=factories.system_user(), unit=world["unit"], equipment_type=elevator)
    mine = factories.person(world["unit"])
    finding = raise_one(world, equipment=Equipment.objects.get(pk=ours.pk), responsible=mine)
    assert (finding.equipment_id, finding.responsible_id) == (ours.pk, mine.pk)


def test_findings_are_never_deleted(world):
    finding = raise_one(world)
    with pytest.raises(DatabaseError), transaction.atomic():
        Finding.objects.filter(pk=finding.pk).delete()
    assert Finding.objects.filter(pk=finding.pk).exists()


# --- Overdue -----------------------------------------------------------------------------------------

def test_overdue_is_derived_from_the_due_date_while_open_or_awaiting_verification(world):
    yesterday = timezone.localdate() - timedelta(days=1)
    open_late, waiting_late, closed_late, on_time = (raise_one(world) for _ in range(4))
    services.rectify(by=world["users"]["enterprise"], finding=waiting_late, note="已整改", evidence=[photo()])
    services.rectify(by=world["users"]["enterprise"], finding=closed_late, note="已整改", evidence=[photo()])
    services.verify(by=world["users"]["enterprise"], finding=closed_late)
    Finding.objects.filter(pk__in=[open_late.pk, waiting_late.pk, closed_late.pk]).update(due_on=yesterday)

    assert set(Finding.objects.overdue().values_list("pk", flat=True)) == {open_late.pk, waiting_late.pk}
    assert set(Finding.objects.not_overdue().values_list("pk", flat=True)) == {closed_late.pk, on_time.pk}
    assert Finding.objects.get(pk=open_late.pk).is_overdue and not Finding.objects.get(pk=closed_late.pk).is_overdue

    client = logged_in(world["users"]["enterprise"])
    page = client.get(reverse("findings:finding_list"), {"overdue": "true"})
    assert {r.record.pk for r in page.context["table"].rows} == {open_late.pk, waiting_late.pk}
    assert page.content.decode().count('data-testid="overdue-badge"') == 2
    detail = client.get(reverse("findings:finding_detail", args=[open_late.pk])).content.decode()
    assert "逾期 1 天" in detail


# --- Who may, and scope ------------------------------------------------------------------------------

def test_regulators_may_not_raise_or_rectify_a_self_check_finding(world):
    with pytest.raises(Http404):
        services.raise_finding(by=world["users"]["county"], unit=world["unit"], description="x",
                               due_on=timezone.localdate())
    finding = raise_one(world)
    with pytest.raises(Http404):
        services.rectify(by=world["users"]["county"], finding=finding, note="代为整改", evidence=[photo()])


def test_another_unit_or_an_out_of_scope_regulator_cannot_touch_the_finding(world):
    finding = rectified(world)
    for role in ("other_enterprise", "other_county", "other_city"):
        with pytest.raises(Http404):
            services.verify(by=world["users"][role], finding=finding)
    with pytest.raises(Http404):
        services.rectify(by=world["users"]["other_enterprise"], finding=raise_one(world), note="x",
                         evidence=[photo()])
    assert Finding.objects.get(pk=finding.pk).status == Status.RECTIFIED


def test_an_inspection_finding_is_verified_by_the_regulator_not_the_unit(world):
    finding = services.raise_finding(by=world["users"]["station"], unit=world["unit"], origin=Origin.INSPECTION,
                                     description="未按规定进行日管控", due_on=timezone.localdate() + timedelta(days=15))
    services.rectify(by=world["users"]["enterprise"], finding=finding, note="已建立日管控记录", evidence=[pdf()])
    with pytest.raises(ValidationError) as exc:
        services.verify(by=world["users"]["enterprise"], finding=finding)
    assert exc.value.messages == ["监督检查发现的问题由监管部门验证销号。"]
    services.verify(by=world["users"]["station"], finding=finding)
    assert Finding.objects.get(pk=finding.pk).status == Status.CLOSED


def test_only_the_safety_director_closes_a_self_check_hazard(world, _director):
    unit, enterprise = world["unit"], world["users"]["enterprise"]
    clerk, officer_account = (factories.enterprise_user(unit, username=name) for name in ("clerk", "officer-acct"))
    officer = factories.person(unit, name="自查安全员")
    personnel.appoint(by=enterprise, unit=unit, person=officer, post="safety_officer",
                      started_on=timezone.localdate() - timedelta(days=30))
    personnel.link_account(by=enterprise, person=officer, account=officer_account)
    finding = rectified(world)
    for account in (clerk, officer_account):
        for step, extra in ((services.verify, {}), (services.reject, {"reason": "照片不清楚"})):
            with pytest.raises(ValidationError) as exc:
                step(by=account, finding=finding, **extra)
            assert exc.value.code == "post" and "安全总监" in exc.value.messages[0]
        page = logged_in(account).get(finding.get_absolute_url()).content.decode()
        assert 'data-testid="verify"' not in page and 'data-testid="verify-refusal"' in page
        posted = logged_in(account).post(reverse("findings:finding_verify", args=[finding.pk]), {"note": ""})
        assert posted.status_code == 200 and "安全总监" in posted.content.decode()
    assert Finding.objects.get(pk=finding.pk).status == Status.RECTIFIED
    assert 'data-testid="verify"' in logged_in(enterprise).get(finding.get_absolute_url()).content.decode()

    appointment = _director.appointments.get(ended_on__isnull=True)
    personnel.end_appointment(by=enterprise, appointment=appointment, ended_on=timezone.localdate() - timedelta(days=1),
                              reason="resigned")
    with pytest.raises(ValidationError):
        services.verify(by=enterprise, finding=finding)
    services.verify(by=world["users"]["county"], finding=finding)  # a regulator inspecting the unit still may
    assert Finding.objects.get(pk=finding.pk).verified_by == world["users"]["county"]


def test_the_enterprise_lists_its_own_unit_and_regulators_their_subtree(world):
    mine = raise_one(world)
    theirs = services.raise_finding(by=world["users"]["other_enterprise"], unit=world["other_unit"],
                                    description="压力表超期未校验", due_on=timezone.localdate())
    seen = {}
    for role in ("enterprise", "other_enterprise", "county", "other_county", "city", "station", "other_city"):
        page = logged_in(world["users"][role]).get(reverse("findings:finding_list"))
        assert page.status_code == 200
        seen[role] = {r.record.pk for r in page.context["table"].rows}
    assert seen == {"enterprise": {mine.pk}, "other_enterprise": {theirs.pk}, "county": {mine.pk},
                    "other_county": {theirs.pk}, "city": {mine.pk, theirs.pk}, "station": {mine.pk},
                    "other_city": set()}
    assert logged_in(world["users"]["other_county"]).get(
        reverse("findings:finding_detail", args=[mine.pk])).status_code == 404
    assert logged_in(world["users"]["county"]).get(
        reverse("findings:finding_detail", args=[mine.pk])).status_code == 200


def test_the_list_exports_its_rows(world):
    finding = raise_one(world)
    response = logged_in(world["users"]["county"]).get(reverse("findings:finding_list"), {"_export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    assert rows[0][:3] == ["编号", "单位", "问题描述"]
    assert [r[1:3] for r in rows[1:]] == [[world["unit"].name, finding.description]]
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, username="county").exists()


def test_the_pages_walk_the_lifecycle(world):
    client = logged_in(world["users"]["enterprise"])
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(reverse("findings:finding_create"), {
        "description": "安全阀铅封缺失", "hazard_level": "general", "equipment": "", "responsible": "", "due_on": due})
    assert response.status_code == 302
    finding = Finding.objects.get(description="安全阀铅封缺失")
    detail = client.get(finding.get_absolute_url()).content.decode()
    assert 'data-testid="rectify"' in detail and 'data-testid="verify"' not in detail

    response = client.post(reverse("findings:finding_rectify", args=[finding.pk]),
                           {"note": "已重新加铅封", "evidence": [photo("一.png"), jpeg_with_gps()]})
    assert response.status_code == 302, response.context["form"].errors
    detail = client.get(finding.get_absolute_url()).content.decode()
    assert detail.count('data-testid="evidence"') == 2 and 'data-testid="verify"' in detail

    response = client.post(reverse("findings:finding_reject", args=[finding.pk]), {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors
    response = logged_in(world["users"]["county"]).post(reverse("findings:finding_verify", args=[finding.pk]),
                                                         {"note": "已核实"})
    assert response.status_code == 302
    assert Finding.objects.get(pk=finding.pk).status == Status.CLOSED

    response = client.post(reverse("findings:finding_rectify", args=[finding.pk]),
                           {"note": "再交一次", "evidence": [photo()]})
    assert response.status_code == 200 and "当前状态为" in response.content.decode()


def test_a_regulator_gets_no_create_page(world):
    assert logged_in(world["users"]["county"]).get(reverse("findings:finding_create")).status_code == 404


# --- Evidence ----------------------------------------------------------------------------------------

def test_a_file_that_only_looks_like_an_image_is_refused(world):
    finding = raise_one(world)
    fake = SimpleUploadedFile("假照片.png", b"\x89PNG\r\n\x1a\n" + b"not really an image" * 10)
    with pytest.raises(ValidationError) as exc:
        services.rectify(by=world["users"]["enterprise"], finding=finding, note="已整改", evidence=[fake])
    assert "不是可以打开的图片" in exc.value.message_dict["evidence"][0]
    script = SimpleUploadedFile("照片.jpg", b"<script>alert(1)</script>")
    with pytest.raises(ValidationError) as exc:
        services.rectify(by=world["users"]["enterprise"], finding=finding, note="已整改", evidence=[script])
    assert "内容与扩展名不符" in exc.value.message_dict["evidence"][0]
    assert not Evidence.objects.exists() and Finding.objects.get(pk=finding.pk).status == Status.OPEN


def test_an_oversized_file_and_a_wrong_type_are_refused(world, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    finding = raise_one(world)
    big = SimpleUploadedFile("大.pdf", b"%PDF-1.4\n" + b"0" * 2048)
    with pytest.raises(ValidationError) as exc:
        services.rectify(by=world["users"]["enterprise"], finding=finding, note="已整改", evidence=[big])
    assert "超过" in exc.value.message_dict["evidence"][0]
    with pytest.raises(ValidationError) as exc:
        services.rectify(by=world["users"]["enterprise"], finding=finding, note="已整改",
                         evidence=[SimpleUploadedFile("a.docx", b"PK\x03\x04")])
    assert "只接受" in exc.value.message_dict["evidence"][0]
    with pytest.raises(ValidationError) as exc:
        services.rectify(by=world["users"]["enterprise"], finding=finding, note="已整改",
                         evidence=[photo(f"{n}.png") for n in range(services.MAX_EVIDENCE + 1)])
    assert "evidence" in exc.value.message_dict


def test_a_photo_is_stored_re_encoded_without_its_metadata_under_a_generated_name(world):
    finding = raise_one(world)
    upload = jpeg_with_gps()
    with Image.open(io.BytesIO(upload.read())) as original:
        assert original.getexif()
    upload.seek(0)
    services.rectify(by=world["users"]["enterprise"], finding=finding, note="已整改", evidence=[upload])
    evidence = Evidence.objects.get(finding=finding)
    assert evidence.original_name == "现场.jpg" and "现场" not in evidence.file.name
    assert evidence.file.name.startswith("findings/") and evidence.file.name.endswith(".jpg")
    with evidence.file.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (32, 24)
        assert not image.getexif() and "exif" not in image.info


def test_evidence_is_served_to_those_who_see_the_finding_and_every_download_is_audited(world):
    finding = rectified(world)
    evidence = finding.evidence.get()
    url = reverse("findings:evidence", args=[evidence.pk])
    response = logged_in(world["users"]["county"]).get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DOWNLOAD)
    assert event.username == "county" and event.detail["file"].startswith("整改佐证-")
    assert logged_in(world["users"]["other_enterprise"]).get(url).status_code == 404
    assert logged_in(world["users"]["other_county"]).get(url).status_code == 404
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD).count() == 1


def test_findings_follow_their_unit_when_it_moves(world):
    from units.models import Unit
    from units.signals import unit_moved

    finding = raise_one(world)
    target = factories.node("620103001")
    unit_moved.send(sender=Unit, unit=world["unit"], columns={"jurisdiction_id": target.pk, **target.ancestor_ids()})
    finding.refresh_from_db()
    assert (finding.jurisdiction_id, finding.county_id) == (target.pk, factories.node("620103").pk)
