"""The role × view matrix (docs/security.md §Authorisation): every URL of the project, every role.

``MATRIX`` names every URL pattern; ``test_every_url_pattern_has_a_matrix_entry`` fails as soon as a
view is added without one, so no page can skip the access check. Expectations follow the duty matrix
in ``jurisdictions/duties.py``:

- province leader (620000): no DELEGATE_REGISTRATION;
- city leaders (兰州 620100 / 天水 620500): everything a city does, incl. stations and delegation;
- county leaders (城关区 620102 / 七里河区 620103): accounts, units, audit; no stations, no delegation;
- station inspector (620102001): view, units, inspect; no accounts, no audit;
- enterprise users: their own unit only;
- the system administrator (a superuser without a role, docs/accounts.md): the Django admin and its
  own dashboard's no-scope page; every scoped page answers 404 (三员分立).

Out-of-scope objects answer 404 with the same body as a missing id, and every denial is paired with
the rightful user making the same request successfully.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from jurisdictions import access, services
from jurisdictions.models import Delegation, Jurisdiction, User
from personnel.importing import COLUMNS as PEOPLE_COLUMNS
from personnel.models import Appointment, Certificate, ExportJob, Person, SpotAssessment, Training
from portal.kit import views as kit_views
from portal.kit.samples import make_uscc
from portal.kit.views import ScopedListView
from tests import factories
from tests.factories import PASSWORD, licence_upload, node, xlsx_bytes
from units import services as unit_services
from units.models import Application, Equipment, EquipmentType, Unit, WorkNotification

ROLES = ("anonymous", "province", "city", "other_city", "county", "other_county", "station", "enterprise",
         "other_enterprise", "sysadmin")
REGULATORS = ("province", "city", "other_city", "county", "other_county", "station")
ENTERPRISES = ("enterprise", "other_enterprise")
RECOMMENDATION_HANDLERS = ("province", "city", "other_city", "county", "other_county")
MISSING_PK = 2_000_000_000

# Outcomes: OK 200; NOT_FOUND 404 (same body as a missing id); LOGIN 302 to the login page;
# REDIRECT 302 to ``Page.redirect_to``; ADMIN_LOGIN 302 to the admin login.
OK, NOT_FOUND, LOGIN, REDIRECT, ADMIN_LOGIN = "200", "404", "login", "redirect", "admin-login"


def roles(default: str, anonymous: str = LOGIN, **per_role: str) -> dict[str, str]:
    expected = dict.fromkeys(ROLES, default)
    expected["anonymous"] = anonymous
    expected.update(per_role)
    return expected


def only(allowed: tuple[str, ...] | list[str], granted: str = OK, otherwise: str = NOT_FOUND) -> dict[str, str]:
    return roles(otherwise, **dict.fromkeys(allowed, granted))


@dataclass(frozen=True)
class Page:
    expected: dict[str, str]
    obj: Callable[[dict], object] | None = None  # world → the object whose pk is the URL argument
    method: str = "get"
    redirect_to: Callable[[dict, str], str] | None = None  # (world, role) → expected Location
    url_kwargs: dict = field(default_factory=dict)  # fixed URL arguments of a page without an object


def _own_risk_list(w, role):
    return reverse("routines:risk_list", args=[(w["unit"] if role == "enterprise" else w["other_unit"]).pk])


def _home(w, role):
    return reverse("dashboard:home")


def _own_node(w, role):
    return reverse("jurisdictions:jurisdiction_detail", args=[w["users"][role].jurisdiction_id])


def _own_unit(w, role):
    return (w["unit"] if role == "enterprise" else w["other_unit"]).get_absolute_url()


def _own_staff(w, role):
    return reverse("personnel:unit_staff", args=[(w["unit"] if role == "enterprise" else w["other_unit"]).pk])


def _station_node(w):
    return node("620102001")


def _station_user(w):
    return w["users"]["station"]


def _pending_unit(w):
    """A unit that signed itself up at the world's station, awaiting confirmation (made on first use)."""
    if "pending_unit" not in w:
        w["pending_unit"] = unit_services.signup_unit(
            uscc=make_uscc("620102", random.Random(7)), name="矩阵待确认单位", kinds=["usage"],
            jurisdiction=node("620102001"), username="matrix-pending", display_name="待确认", password=PASSWORD,
            contact_phone="13912345678", licence=licence_upload(),
        )[0]
    return w["pending_unit"]


def _rejected_unit(w):
    """A sign-up its station rejected (made on first use). ``enterprise`` stands in for its own account:
    it is granted only EDIT_UNIT on it, so every other page still sees ``unit`` as the enterprise's."""
    if "rejected_unit" not in w:
        from guardian.shortcuts import assign_perm

        unit = unit_services.signup_unit(
            uscc=make_uscc("620102", random.Random(13)), name="矩阵驳回单位", kinds=["usage"],
            jurisdiction=node("620102001"), username="matrix-rejected", display_name="被驳回", password=PASSWORD,
            contact_phone="13912345670", licence=licence_upload(),
        )[0]
        unit_services.reject_unit(by=w["users"]["station"], unit=unit, reason="矩阵测试驳回")
        assign_perm("units.edit_unit", w["users"]["enterprise"], unit)
        w["rejected_unit"] = unit
    return w["rejected_unit"]


def _licensed_unit(w):
    """``unit`` with a 营业执照 on file (made on first use)."""
    if not w["unit"].licence:
        w["unit"].licence.save("营业执照.png", licence_upload(), save=True)
    return w["unit"]


def _resubmit_data(w):
    u = _rejected_unit(w)
    return {"uscc": u.uscc, "name": "矩阵更正后的名称", "kinds": ["usage"], "address": "兰州市城关区",
            "legal_representative": "张三", "contact_person": "李四", "contact_phone": "13912340000",
            "jurisdiction": u.jurisdiction_id, "licence": licence_upload()}


def _equipment(w):
    """A piece of equipment of ``unit`` (made on first use)."""
    if "equipment" not in w:
        w["equipment"] = unit_services.add_equipment(by=access.COMMAND_LINE, unit=w["unit"], location="矩阵测试地点",
                                                     equipment_type=EquipmentType.objects.get(code="3110"))
    return w["equipment"]


UPLOAD = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _uploads() -> dict:
    return {"doc_form": SimpleUploadedFile("登记表.pdf", UPLOAD, content_type="application/pdf"),
            "doc_product_certificate": SimpleUploadedFile("合格证.pdf", UPLOAD, content_type="application/pdf")}


def _application(stage: str = "submitted"):
    """A use-registration application of ``unit`` for a new elevator, taken by the city to ``stage``
    (submitted / accepted / approved; made on first use)."""

    def build(w):
        key = f"application_{stage}"
        if key not in w:
            serial = sum(k.startswith("application_") for k in w)
            equipment = unit_services.add_equipment(by=access.COMMAND_LINE,
                                                    unit=w["unit"], code=f"3110230102026{serial:05d}",
                                                    equipment_type=EquipmentType.objects.get(code="3110"))
            uploads = [(k.removeprefix("doc_"), f) for k, f in _uploads().items()]
            application = unit_services.submit_application(by=w["users"]["enterprise"], unit=w["unit"],
                                                           kind="register", equipment=[equipment], documents=uploads)
            if stage in ("accepted", "approved"):
                unit_services.accept_application(by=w["users"]["city"], application=application)
            if stage == "approved":
                unit_services.approve_application(by=w["users"]["city"], application=application)
            w[key] = Application.objects.get(pk=application.pk)
        return w[key]

    return build


def _new_elevator(w):
    """An unregistered elevator of ``unit``, for the application form (made on first use)."""
    if "new_elevator" not in w:
        w["new_elevator"] = unit_services.add_equipment(by=access.COMMAND_LINE,
                                                        unit=w["unit"], code="311023010202699999",
                                                        equipment_type=EquipmentType.objects.get(code="3110"))
    return w["new_elevator"]


def _document(w):
    return _application()(w).documents.order_by("pk").first()


def _registered_equipment(w):
    return _application("approved")(w).equipment.get()


def _notification(w):
    """告知 by ``unit`` (a production unit in ``w``) of work at ``other_unit`` in 七里河区 (made on first use)."""
    if "notification" not in w:
        w["notification"] = unit_services.submit_notification(
            by=w["users"]["enterprise"], notifier=w["unit"], kind="install", site_uscc=w["other_unit"].uscc,
            equipment_type=EquipmentType.objects.get(code="3110"), site_address="七里河区矩阵测试路 1 号",
            planned_start=timezone.localdate())
    return w["notification"]


def _import_job(w):
    """A dry-run unit import by the county leader, one valid row at its station (made on first use)."""
    if "import_job" not in w:
        from units import importing

        upload = SimpleUploadedFile("单位.xlsx", xlsx_bytes(importing.UNIT_COLUMNS, [
            [make_uscc("620102", random.Random(11)), "矩阵导入单位", "使用", "620102001", "", ""]]))
        w["import_job"] = importing.start_import(by=w["users"]["county"], kind="units",
                                                 upload=upload)
    return w["import_job"]


def _person(w):
    """A safety director of ``unit``, entered by its enterprise (made on first use)."""
    if "person" not in w:
        from personnel import services as personnel_services

        w["appointment"] = personnel_services.appoint_new_person(
            by=w["users"]["enterprise"], unit=w["unit"], name="矩阵总监", id_number="360426199101010071",
            phone="13800138000", post="safety_director", started_on=timezone.localdate())
        w["person"] = w["appointment"].person
    return w["person"]


def _linked_person(w):
    """A person of ``unit`` logging in as a second account of it (made on first use), for the unlink page."""
    if "signer" not in w:
        from personnel import services as personnel_services

        w["signer"] = factories.enterprise_user(w["unit"], username="matrix-signer")
        w["linked_person"] = factories.person(w["unit"], name="矩阵关联人")
        personnel_services.link_account(by=w["users"]["enterprise"], person=w["linked_person"], account=w["signer"])
    return w["linked_person"]


def _appointment(w):
    _person(w)
    return w["appointment"]


def _document_appointment(w):
    """A safety officer of ``unit`` with an uploaded appointment document (made on first use)."""
    if "document_appointment" not in w:
        from personnel import services as personnel_services

        w["document_appointment"] = personnel_services.appoint_new_person(
            by=w["users"]["enterprise"], unit=w["unit"], name="矩阵安全员", id_number="11010519491231002X",
            phone="13900139000", post="safety_officer", started_on=timezone.localdate(),
            document=SimpleUploadedFile("任命.pdf", UPLOAD, content_type="application/pdf"))
    return w["document_appointment"]


def _export_job(w):
    """A masked national export asked for by the county leader and built (made on first use)."""
    if "export_job" not in w:
        from personnel import exports

        w["export_job"] = exports.request_export(by=w["users"]["county"], full=False)
        exports.build(w["export_job"].pk)
    return w["export_job"]


def _finding(stage: str = "open"):
    """A self-check finding of ``unit`` raised by its enterprise, taken to ``stage`` (open / rectified; made on
    first use)."""

    def build(w):
        from inspections.findings import services as finding_services

        key = f"finding_{stage}"
        if key not in w:
            finding = finding_services.raise_finding(by=w["users"]["enterprise"], unit=w["unit"],
                                                     description=f"矩阵隐患 {stage}",
                                                     due_on=timezone.localdate() + timedelta(days=7))
            if stage == "rectified":
                finding = finding_services.rectify(by=w["users"]["enterprise"], finding=finding, note="矩阵整改",
                                                   evidence=[licence_upload("整改.png")])
            w[key] = finding
        return w[key]

    return build


def _evidence(w):
    return _finding("rectified")(w).evidence.get()


def _finding_state(stage):
    from inspections.findings.models import Finding

    return lambda w: Finding.objects.filter(pk=_finding(stage)(w).pk).values_list("status", "rectified_at").get()


def _risk_version(w):
    """The first version of ``unit``'s risk control list, saved by its enterprise (made on first use)."""
    if "risk_version" not in w:
        from inspections.routines import services as routine_services

        w["risk_version"] = routine_services.save_list(by=w["users"]["enterprise"], unit=w["unit"], rows=[
            {"category": "equipment", "risk_item": "矩阵风险点", "check_content": "矩阵检查内容",
             "control_measure": "矩阵管控措施", "responsible_post": "safety_officer", "frequency": "daily"}])
    return w["risk_version"]


def _recommendation(stage: str = "assigned"):
    """A 检察建议书 兰州 received and routed to 城关区, which takes it to ``stage`` (assigned / in_progress / replied;
    made on first use)."""

    def build(w):
        from inspections.supervision import recommendation_services as recommendations

        key = f"recommendation_{stage}"
        if key not in w:
            city, county = w["users"]["city"], w["users"]["county"]
            received = timezone.localdate() - timedelta(days=2)
            r = recommendations.register(
                by=city, kind="procuratorial", issuer="矩阵检察院", document_number=f"矩阵检建〔2026〕{stage}号",
                issued_on=received, received_on=received, case_name="矩阵案件", sector="电梯", content="矩阵建议",
                attachments=[SimpleUploadedFile("建议书.pdf", UPLOAD, content_type="application/pdf")])
            r = recommendations.route(by=city, recommendation=r, to=node("620102"))
            if stage in ("in_progress", "replied"):
                r = recommendations.record_measures(by=county, recommendation=r, measures="矩阵措施")
            if stage == "replied":
                r = recommendations.reply(by=county, recommendation=r, reply_kind="adopted", rectification="done",
                                          text="矩阵回复", replied_on=timezone.localdate())
            w[key] = r
        return w[key]

    return build


def _recommendation_attachment(w):
    return _recommendation()(w).attachments.get()


def _recommendation_state(stage):
    from inspections.supervision.models import Recommendation

    return lambda w: Recommendation.objects.filter(pk=_recommendation(stage)(w).pk).values_list(
        "status", "jurisdiction_id").get()


def _plan_inspectors(w):
    """Six 监察员证 holders in 城关区 and four in 七里河区, in force since two years (made on first use): every
    plan of the matrix is staffed, the next years' too, though nobody is drawn for a unit they were assigned or
    inspected recently and the matrix's inspection records name some of them."""
    if "plan_inspectors" not in w:
        from inspections.supervision import services as supervision

        users, today = w["users"], timezone.localdate()
        holders = [users["county"], users["station"], factories.regulator("620102", "inspector", "matrix_plan_a"),
                   factories.regulator("620102001", "inspector", "matrix_plan_b"),
                   factories.regulator("620102", "inspector", "matrix_plan_d"),
                   factories.regulator("620102001", "inspector", "matrix_plan_e"), users["other_county"],
                   factories.regulator("620103", "inspector", "matrix_plan_c"),
                   factories.regulator("620103", "inspector", "matrix_plan_f"),
                   factories.regulator("620103001", "inspector", "matrix_plan_g")]
        for n, holder in enumerate(holders):
            supervision.add_certificate(by=access.COMMAND_LINE, holder=holder, number=f"MATRIX-PLAN-JCY-{n}",
                                        certificate_class="B", issued_by="甘肃省市场监督管理局",
                                        issued_on=today - timedelta(days=800), expires_on=today + timedelta(days=1500))
        w["plan_inspectors"] = holders
    return w["plan_inspectors"]


PLAN_YEARS = {"published": 0, "approved": 1, "draft": 2}


def _plan(stage: str = "published"):
    """兰州's annual plan, every unit of its pool drawn, taken to ``stage`` (draft / approved / published; made on
    first use, each stage its own year)."""

    def build(w):
        from inspections.supervision import plan_documents, plan_services

        key = f"plan_{stage}"
        if key not in w:
            _plan_inspectors(w)
            city, year = w["users"]["city"], timezone.localdate().year + PLAN_YEARS[stage]
            from django.test import override_settings

            with override_settings(SUPERVISION_PLAN_RATIOS=dict.fromkeys("ABCD", 1.0)):
                plan = plan_services.create_plan(by=city, year=year, title=f"矩阵{year}年度计划",
                                                 starts_on=date(year, 1, 1), ends_on=date(year, 12, 15), seed=year)
            if stage in ("approved", "published"):
                plan = plan_services.approve(by=city, plan=plan)
            if stage == "published":
                plan = plan_services.publish(by=city, plan=plan)
                plan_documents.store(plan.pk)  # what the worker does after publication
                plan.refresh_from_db()
            w[key] = plan
        return w[key]

    return build


def _plan_task(w):
    """The published plan's task at ``unit`` (城关区), open."""
    return _plan("published")(w).tasks.get(unit=w["unit"])


def _plan_state(stage):
    from inspections.supervision.models import AnnualPlan

    return lambda w: AnnualPlan.objects.filter(pk=_plan(stage)(w).pk).values_list("status", "seed").get()


def _campaign(w):
    """A campaign 兰州 runs over 城关区 (made on first use)."""
    if "campaign" not in w:
        from inspections.supervision import plan_services

        w["campaign"] = plan_services.launch_campaign(
            by=w["users"]["city"], title="矩阵电梯专项", scope=node("620102"), checklist="矩阵检查要点",
            deadline=timezone.localdate() + timedelta(days=30))
    return w["campaign"]


def _own_calendar(w, role):
    return reverse("routines:unit_calendar", args=[(w["unit"] if role == "enterprise" else w["other_unit"]).pk])


def _temporary_stop(w):
    """A 临时停用 of ``unit`` recorded by its enterprise (made on first use)."""
    if "temporary_stop" not in w:
        from inspections.routines import compliance

        today = timezone.localdate()
        w["temporary_stop"] = compliance.record_temporary_stop(
            by=w["users"]["enterprise"], unit=w["unit"], starts_on=today, ends_on=today + timedelta(days=10),
            reason="矩阵临时停用")
    return w["temporary_stop"]


def _temporary_stops(w):
    from inspections.routines.models import Exemption

    return Exemption.objects.filter(unit=w["unit"], kind="temporary_stop").count()


def _stop_end(w):
    from inspections.routines.models import Exemption

    return Exemption.objects.get(pk=_temporary_stop(w).pk).ends_on


def _risk_versions(w):
    from inspections.routines.models import RiskListVersion

    return RiskListVersion.objects.filter(risk_list__unit=w["unit"]).count()


def _risk_list_data(w):
    row = {"category": "equipment", "risk_item": "矩阵新风险点", "check_content": "矩阵检查",
           "control_measure": "矩阵措施", "responsible_post": "safety_officer", "frequency": "weekly", "covers": ""}
    return {"rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0", "rows-MIN_NUM_FORMS": "0",
            "rows-MAX_NUM_FORMS": "1000", "note": "矩阵修订", **{f"rows-0-{k}": v for k, v in row.items()}}


def _daily_check(w):
    """A daily check of ``unit``, filed by its safety officer's own account (made on first use)."""
    if "daily_check" not in w:
        from inspections.routines import filing
        from personnel import services as people

        version = _risk_version(w)
        unit, keeper = w["unit"], w["users"]["enterprise"]
        since = timezone.now() - timedelta(days=3)
        Unit.objects.filter(pk=unit.pk).update(created_at=since)
        unit_services.add_equipment(by=factories.system_user(), unit=unit,
                                    equipment_type=EquipmentType.objects.get(code="3110"))
        Equipment.objects.filter(unit=unit).update(created_at=since)
        assert version.items.exists()
        person = factories.person(unit)
        people.appoint(by=keeper, unit=unit, person=person, post="safety_officer",
                       started_on=timezone.localdate() - timedelta(days=3))
        officer = factories.enterprise_user(unit, username="matrix_officer")
        people.link_account(by=keeper, person=person, account=officer)
        w["daily_check"] = filing.file_daily_check(by=officer, unit=unit, photos={
            version.items.first().position: [licence_upload("现场.png")]})
    return w["daily_check"]


def _archive_job(w):
    """An archive of ``unit``'s month asked for by the enterprise account, not yet built (made on first use)."""
    if "archive_job" not in w:
        from inspections.routines import archives

        w["archive_job"] = archives.request_archive(by=w["users"]["enterprise"], unit=w["unit"],
                                                    month=timezone.localdate().replace(day=1))
    return w["archive_job"]


def _officer_files_all_ok(w):
    """The enterprise account made the unit's safety officer (equipment in service, a list in force), posting
    the one-tap 零风险报告."""
    if "officer_linked" not in w:
        _risk_version(w)
        unit, keeper = w["unit"], w["users"]["enterprise"]
        unit_services.add_equipment(by=factories.system_user(), unit=unit,
                                    equipment_type=EquipmentType.objects.get(code="3110"))
        _holding(unit, keeper, _person(w), ("safety_officer",))
        w["officer_linked"] = True
    return {"all_ok": "1", "period": "full"}


def _checks_of(unit):
    from inspections.routines.models import DailyCheck

    return DailyCheck.objects.filter(unit=unit).count()


def _check_photo(w):
    from inspections.routines.models import CheckPhoto

    return CheckPhoto.objects.get(check_id=_daily_check(w).pk)


def _inbox_notification(w):
    """An unread notification in the enterprise account's inbox, pointing at its unit (made on first use)."""
    if "inbox_notification" not in w:
        from portal.inbox import services as inbox

        w["inbox_notification"] = inbox.notify(w["users"]["enterprise"], "matrix", "矩阵通知",
                                               url=w["unit"].get_absolute_url())
    return w["inbox_notification"]


def _holding(u: Unit, keeper: User, person, posts):
    """The person ``keeper``'s account is at ``u`` (one account is one person: ``person`` — a name makes one —
    linked on first use), appointed to whichever of ``posts`` they do not hold yet."""
    from personnel import services as personnel_services
    from personnel.models import Person

    linked = Person.objects.filter(unit=u, account=keeper).first()
    if linked is None:
        if isinstance(person, str):
            person = Person.objects.filter(unit=u, name=person).first() or factories.person(u, name=person)
        personnel_services.link_account(by=keeper, person=person, account=keeper)
        keeper.refresh_from_db()
    else:
        person = linked
    held = personnel_services.posts_held(keeper, u)
    for post in posts:
        if post not in held:
            personnel_services.appoint(by=keeper, unit=u, person=person, post=post, started_on=timezone.localdate())
    return person


def _signer_at(u: Unit, keeper: User, name: str):
    """A person of ``u`` in the safety director's and the principal's posts, with ``keeper``'s account linked
    to them, so that account may sign the weekly report and the minutes (made on first use)."""
    return _holding(u, keeper, name, ("principal", "safety_director"))


def _signer(w):
    """The enterprise account is the matrix's safety director (``_person``), also made the principal."""
    return _holding(w["unit"], w["users"]["enterprise"], _person(w), ("principal", "safety_director"))


def _this_monday():
    from inspections.routines import expected

    return expected.week_of(timezone.localdate())[0]


def _file_periodic(u: Unit, keeper: User, signer, decision: str = ""):
    """This week's report and this month's minutes of ``u``, signed through the filing services."""
    from inspections.routines import filing

    report = filing.file_weekly_report(by=keeper, unit=u, week_start=_this_monday(), assessment="矩阵评估",
                                       next_focus="矩阵重点")
    minutes = filing.file_monthly_minutes(
        by=keeper, unit=u, month=timezone.localdate(), held_at=timezone.now(), location="矩阵会议室", recorder=signer,
        attendees=[signer], problems="矩阵问题",
        decisions=[{"content": decision, "owner": signer, "due_on": timezone.localdate() + timedelta(days=7)}]
        if decision else [])
    return report, minutes


def _periodic(w):
    if "weekly_report" not in w:
        w["weekly_report"], w["minutes"] = _file_periodic(w["unit"], w["users"]["enterprise"], _signer(w), "矩阵决议")
    return w


def _weekly_report(w):
    return _periodic(w)["weekly_report"]


def _minutes(w):
    return _periodic(w)["minutes"]


def _minutes_action(w):
    return _minutes(w).actions.get()


def _minutes_data(w):
    signer = _signer(w)
    return {"month": timezone.localdate().replace(day=1).isoformat(),
            "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "location": "矩阵会议室",
            "recorder": signer.pk, "attendees": [signer.pk], "problems": "矩阵问题", "confirm": "on",
            "decisions-TOTAL_FORMS": "1", "decisions-INITIAL_FORMS": "0", "decisions-MIN_NUM_FORMS": "0",
            "decisions-MAX_NUM_FORMS": "30", "decisions-0-content": "矩阵决议", "decisions-0-owner": signer.pk,
            "decisions-0-due_on": (timezone.localdate() + timedelta(days=7)).isoformat()}


def _amend_minutes_data(w):
    from inspections.routines.models.records import MINUTES_TEXTS

    return {"location": "矩阵更正地点", **dict.fromkeys(MINUTES_TEXTS, ""), "problems": "矩阵问题",
            "reason": "矩阵更正"}


def _periodic_count(model_name):
    def count(w):
        from inspections.routines import models

        return getattr(models, model_name).objects.count()

    return count


def _action_status(w):
    from inspections.routines.models import MinutesAction

    return MinutesAction.objects.get(pk=_minutes_action(w).pk).status


def _inspector_certificate(w):
    """The station inspector's 监察员证 (made on first use), entered from the command line."""
    if "inspector_certificate" not in w:
        from inspections.supervision import services as supervision

        today = timezone.localdate()
        w["inspector_certificate"] = supervision.add_certificate(
            by=access.COMMAND_LINE, holder=w["users"]["station"], number="MATRIX-JCY-0", certificate_class="B",
            issued_by="甘肃省市场监督管理局", issued_on=today - timedelta(days=100),
            expires_on=today + timedelta(days=900))
    return w["inspector_certificate"]


def _matrix_inspectors(w):
    """城关区's leader and its station's inspector hold 监察员证 in force, and the unit has one more safety officer in
    post to assess on site — an officer, so no appointment of the matrix's is ended (made on first use)."""
    if "matrix_inspectors" not in w:
        from inspections.supervision import services as supervision
        from personnel import services as personnel_services

        today = timezone.localdate()
        for holder in (w["users"]["county"], w["users"]["station"]):
            supervision.add_certificate(by=access.COMMAND_LINE, holder=holder, number=f"MATRIX-INSP-{holder.username}",
                                        certificate_class="B", issued_by="甘肃省市场监督管理局",
                                        issued_on=today - timedelta(days=10), expires_on=today + timedelta(days=365))
        w["inspection_director"] = personnel_services.appoint_new_person(
            by=w["users"]["enterprise"], unit=w["unit"], name="矩阵安全员", id_number=factories.new_id_number(),
            phone="13800138123", post="safety_officer", started_on=today).person
        w["matrix_inspectors"] = True


def _signature_data_url() -> str:
    import base64

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 40), (190, 20)], fill=(0, 0, 0, 255), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _png_upload(name="矩阵现场.png"):
    return SimpleUploadedFile(name, factories.png_bytes(64, 48), content_type="image/png")


def _inspection(stage: str = "open"):
    """An inspection of ``unit`` by 城关区's leader and its station's inspector, taken to ``stage``: open; photo
    (item 1 不符合 with a photo); signed (every item 符合, signed); completed (item 1 不符合 with a photo, signed,
    completed). Made on first use."""

    def build(w):
        from inspections.supervision import inspection_services as inspections

        key = f"inspection_{stage}"
        if key not in w:
            _matrix_inspectors(w)
            county, station = w["users"]["county"], w["users"]["station"]
            i = inspections.open_inspection(by=county, unit=w["unit"], kind="routine", inspectors=[county, station])
            results = {item.position: {"result": "compliant"} for item in i.items.all()}
            if stage in ("photo", "completed"):
                results[1] = {"result": "non_compliant", "note": "矩阵不符合"}
            if stage != "open":
                inspections.record_items(by=county, inspection=i, results=results,
                                         photos={1: _png_upload()} if stage in ("photo", "completed") else {})
            if stage in ("signed", "completed"):
                inspections.sign(by=county, inspection=i, signer_name="矩阵代表", signature=_signature_data_url())
            if stage == "completed":
                i = inspections.complete(by=county, inspection=i, disposition="directive")
            w[key] = i
        return w[key]

    return build


def _inspection_state(stage):
    from inspections.supervision.models import Inspection

    return lambda w: Inspection.objects.filter(pk=_inspection(stage)(w).pk).values_list(
        "status", "signed_at", "refused", "unit_opinion").get()


def _inspection_items(stage):
    return lambda w: list(_inspection(stage)(w).items.order_by("position").values_list("result", "note", "finding"))


def _directive(stage: str = "issued"):
    """The directive 城关区 issued from the completed inspection, taken to ``stage``: issued; reported (the unit's
    rectification report with a photo); overdue (past its deadline, referred by the beat's run)."""

    def build(w):
        from inspections.supervision import directive_services as directives
        from inspections.supervision.models import Directive

        key = f"directive_{stage}"
        if key not in w:
            d = directives.issue(by=w["users"]["county"], inspection=_inspection("completed")(w), problems="矩阵问题",
                                 legal_basis="矩阵依据", measures="矩阵措施",
                                 deadline=timezone.localdate() + timedelta(days=10))
            if stage == "reported":
                d = directives.report(by=w["users"]["enterprise"], directive=d, note="矩阵整改",
                                      evidence=[_png_upload("矩阵整改.png")])
            if stage == "overdue":
                Directive.objects.filter(pk=d.pk).update(deadline=timezone.localdate() - timedelta(days=1))
                directives.mark_overdue()
                d.refresh_from_db()
            w[key] = d
        return w[key]

    return build


def _directive_state(stage):
    from inspections.supervision.models import Directive

    return lambda w: Directive.objects.filter(pk=_directive(stage)(w).pk).values_list("status", "closed_at").get()


def _referral(w):
    return _directive("overdue")(w).referral


def _inspection_create_data(w):
    _matrix_inspectors(w)
    return {"kind": "routine", "inspectors": [w["users"]["county"].pk, w["users"]["station"].pk],
            "equipment_codes": ""}


# Where use registration is decided in ``w``: the city, and 城关区 under the delegation ``w`` opens.
REGISTRARS = ("city", "county")
UNIT_VIEWERS = ("province", "city", "county", "station", "enterprise")

MATRIX: dict[str, Page] = {
    # Public probes and the login page.
    "healthz": Page(roles(OK, anonymous=OK)),
    "readyz": Page(roles(OK, anonymous=OK)),
    "login": Page(roles(REDIRECT, anonymous=OK), redirect_to=_home),
    "logout": Page(roles(LOGIN, anonymous=LOGIN), method="post"),
    "password_change": Page(roles(OK)),
    "password_change_done": Page(roles(OK)),
    # The top bar's language switch: anyone, back to where they were (here no Referer: the home page).
    "set_language": Page(roles(REDIRECT, anonymous=REDIRECT), method="post", redirect_to=lambda w, role: "/"),
    # Django admin: staff only; no portal role is staff, the system administrator is.
    "admin:*": Page(roles(ADMIN_LOGIN, anonymous=ADMIN_LOGIN, sysadmin=OK)),
    # The inbox (docs/architecture.md §Inbox and reminders): every account has its own; a notification opens
    # (and is marked read) for its recipient only, anyone else reads 404 as for a missing id.
    "inbox:inbox": Page(roles(OK)),
    "inbox:notification_open": Page(only(("enterprise",), granted=REDIRECT), obj=_inbox_notification,
                                    redirect_to=lambda w, role: w["unit"].get_absolute_url()),
    "inbox:mark_all_read": Page(roles(REDIRECT), method="post", redirect_to=lambda w, role: reverse("inbox:inbox")),
    # Dashboard.
    "dashboard:home": Page(roles(OK)),
    "dashboard:my_unit": Page(only(ENTERPRISES, granted=REDIRECT), redirect_to=_own_unit),
    # The tree.
    "jurisdictions:browse": Page(only(REGULATORS, granted=REDIRECT), redirect_to=_own_node),
    "jurisdictions:autocomplete": Page(roles(OK)),
    "jurisdictions:station_create": Page(only(("province", "city", "other_city"))),
    "jurisdictions:jurisdiction_detail": Page(only(("province", "city", "county", "station")), obj=_station_node),
    # Accounts: the station inspector holds no MANAGE_ACCOUNTS; enterprise users manage only their
    # unit's accounts (MANAGE_UNIT_ACCOUNTS, on units:unit_account_create).
    "jurisdictions:user_list": Page(only(REGULATORS[:5])),
    "jurisdictions:user_create": Page(only(REGULATORS[:5])),
    "jurisdictions:user_detail": Page(only(("province", "city", "county")), obj=_station_user),
    "jurisdictions:user_edit": Page(only(("province", "city", "county")), obj=_station_user),
    "jurisdictions:user_toggle_active": Page(only(("province", "city", "county")), obj=_station_user),
    # Delegation: only cities hold DELEGATE_REGISTRATION, and only over their own counties.
    "jurisdictions:delegation_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "jurisdictions:delegation_create": Page(only(("city", "other_city"))),
    "jurisdictions:delegation_revoke": Page(only(("city",)), obj=lambda w: w["delegation"]),
    # Audit log.
    "jurisdictions:audit_list": Page(only(REGULATORS[:5])),
    # Units: ``unit`` sits in 城关区's 酒泉路 station.
    "units:unit_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "units:unit_create": Page(only(REGULATORS)),
    "units:unit_detail": Page(only(("province", "city", "county", "station", "enterprise")), obj=lambda w: w["unit"]),
    "units:unit_edit": Page(only(("province", "city", "county", "station", "enterprise")), obj=lambda w: w["unit"]),
    "units:unit_history": Page(only(("province", "city", "county", "station", "enterprise")), obj=lambda w: w["unit"]),
    "units:unit_account_create": Page(only(("province", "city", "county", "station", "enterprise")),
                                      obj=lambda w: w["unit"]),
    # Sign-up is public (signed-in users go to their dashboard), and so is its station search; the
    # station and every tier above it (MANAGE_UNITS) confirms or rejects.
    "units:signup": Page(roles(REDIRECT, anonymous=OK), redirect_to=_home),
    "jurisdictions:station_autocomplete": Page(roles(OK, anonymous=OK)),
    "units:unit_pending_list": Page(only(REGULATORS)),
    "units:unit_confirm": Page(only(("province", "city", "county", "station")), obj=_pending_unit),
    "units:unit_reject": Page(only(("province", "city", "county", "station")), obj=_pending_unit),
    # A rejected sign-up is corrected and resubmitted by its own enterprise only (EDIT_UNIT); its 营业执照
    # is served to whoever may view the unit.
    "units:unit_resubmit": Page(only(("enterprise",)), obj=_rejected_unit),
    "units:unit_licence": Page(only(UNIT_VIEWERS), obj=_licensed_unit),
    # Equipment: enterprises keep their own records (KEEP_RECORDS), regulators manage units in scope.
    "units:equipment_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "units:equipment_detail": Page(only(("province", "city", "county", "station", "enterprise")), obj=_equipment),
    "units:equipment_edit": Page(only(("province", "city", "county", "station", "enterprise")), obj=_equipment),
    "units:equipment_create": Page(only(("province", "city", "county", "station", "enterprise")),
                                   obj=lambda w: w["unit"]),
    "units:inspection_due_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "units:inspection_overdue_list": Page(only((*REGULATORS, *ENTERPRISES))),
    # Use registration (000 §二(二)): enterprises apply (KEEP_RECORDS); REGISTER_EQUIPMENT decides — the
    # cities, and 城关区 while delegated; everyone who sees the unit sees its applications and documents.
    "units:application_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "units:application_queue": Page(only(("city", "other_city", "county"))),
    "units:application_create": Page(only(ENTERPRISES)),
    "units:application_detail": Page(only(UNIT_VIEWERS), obj=_application()),
    "units:application_accept": Page(only(REGISTRARS), obj=_application()),
    "units:application_approve": Page(only(REGISTRARS), obj=_application("accepted")),
    "units:application_reject": Page(only(REGISTRARS), obj=_application()),
    # 撤回: the applicant (KEEP_RECORDS) only, and only before acceptance.
    "units:application_withdraw": Page(only(("enterprise",)), obj=_application()),
    "units:application_decision": Page(only(UNIT_VIEWERS), obj=_application("approved")),
    "units:application_document": Page(only(UNIT_VIEWERS), obj=_document),
    "units:equipment_certificate": Page(only(UNIT_VIEWERS), obj=_registered_equipment),
    # Work notifications 告知: production units notify; placed where the work is (七里河区), so the city
    # acknowledges (ACCEPT_NOTIFICATIONS), 七里河区 reads, the notifier follows its own.
    "units:notification_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "units:notification_create": Page(only(("enterprise",))),
    "units:notification_detail": Page(only(("province", "city", "other_county", "enterprise")), obj=_notification),
    "units:notification_acknowledge": Page(only(("city",)), obj=_notification),
    # Excel import: MANAGE_UNITS imports units; equipment also by enterprises for their own unit. A job
    # is opened only by its creator.
    "units:unit_import": Page(only(REGULATORS)),
    "units:equipment_import": Page(only((*REGULATORS, *ENTERPRISES))),
    "units:import_template": Page(only(REGULATORS), url_kwargs={"kind": "units"}),
    "units:import_detail": Page(only(("county",)), obj=_import_job),
    "units:import_confirm": Page(only(("county",)), obj=_import_job),
    "units:import_progress": Page(only(("county",)), obj=_import_job),
    # Personnel (seed 002 附件 1–11): the unit's keepers (enterprise KEEP_RECORDS, regulators MANAGE_UNITS) write;
    # full identity details need REVEAL_PERSONAL_INFO (leaders, the enterprise itself); spot assessments need
    # ASSESS_PERSONNEL (county and above); the staffed-rate pages and the national export are regulators' only.
    "personnel:unit_staff": Page(only(UNIT_VIEWERS), obj=lambda w: w["unit"]),
    "personnel:unit_staff_pdf": Page(only(UNIT_VIEWERS), obj=lambda w: w["unit"]),
    "personnel:appointment_new": Page(only(UNIT_VIEWERS), obj=lambda w: w["unit"]),
    "personnel:my_staff": Page(only(ENTERPRISES, granted=REDIRECT), redirect_to=_own_staff),
    "personnel:appointment_end": Page(only(UNIT_VIEWERS), obj=_appointment),
    "personnel:appointment_document": Page(only(UNIT_VIEWERS), obj=_document_appointment),
    "personnel:person_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "personnel:person_detail": Page(only(UNIT_VIEWERS), obj=_person),
    "personnel:person_edit": Page(only(UNIT_VIEWERS), obj=_person),
    "personnel:person_reveal": Page(only(("province", "city", "county", "enterprise")), obj=_person),
    # Which account a person logs in with decides what it signs: set by whoever manages the unit's accounts.
    "personnel:person_account": Page(only(("province", "city", "county", "station", "enterprise")), obj=_person),
    "personnel:person_account_unlink": Page(only(("province", "city", "county", "station", "enterprise")),
                                            obj=_linked_person),
    "personnel:appointment_create": Page(only(UNIT_VIEWERS), obj=_person),
    "personnel:certificate_create": Page(only(UNIT_VIEWERS), obj=_person),
    "personnel:certificate_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "personnel:training_create": Page(only(UNIT_VIEWERS), obj=lambda w: w["unit"]),
    "personnel:training_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "personnel:assessment_create": Page(only(("province", "city", "county")), obj=_person),
    "personnel:assessment_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "personnel:staffing": Page(only(REGULATORS)),
    "personnel:staffing_units": Page(only(REGULATORS)),
    "personnel:national_export": Page(only(REGULATORS)),
    "personnel:national_export_download": Page(only(("county",)), obj=_export_job),
    "personnel:import": Page(only((*REGULATORS, *ENTERPRISES))),
    # Findings (docs/domain.md §Findings): the unit's enterprise raises and rectifies (KEEP_RECORDS); the unit
    # or a regulator inspecting it (INSPECT over ``unit``: province, 兰州, 城关区, its station) verifies or
    # sends back; whoever sees the unit sees its findings and their evidence.
    "findings:finding_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "findings:finding_create": Page(only(ENTERPRISES)),
    "findings:finding_detail": Page(only(UNIT_VIEWERS), obj=_finding()),
    "findings:finding_rectify": Page(only(("enterprise",)), obj=_finding()),
    "findings:finding_verify": Page(only(UNIT_VIEWERS), obj=_finding("rectified")),
    "findings:finding_reject": Page(only(UNIT_VIEWERS), obj=_finding("rectified")),
    "findings:evidence": Page(only(UNIT_VIEWERS), obj=_evidence),
    # The risk control list (docs/domain.md §Risk control list): whoever sees the unit reads it and its versions;
    # only the unit's enterprise (KEEP_RECORDS) edits it or generates it from the templates.
    "routines:my_risk_list": Page(only(ENTERPRISES, granted=REDIRECT), redirect_to=_own_risk_list),
    "routines:risk_list": Page(only(UNIT_VIEWERS), obj=lambda w: w["unit"]),
    "routines:risk_list_history": Page(only(UNIT_VIEWERS), obj=lambda w: w["unit"]),
    "routines:risk_list_version": Page(only(UNIT_VIEWERS), obj=_risk_version),
    "routines:risk_list_edit": Page(only(("enterprise",)), obj=lambda w: w["unit"]),
    "routines:risk_list_generate": Page(only(("enterprise",)), obj=lambda w: w["unit"]),
    # 日管控 (docs/domain.md §Self-check records): the unit's accounts open the day's check (only its officer may
    # file: filing.py); whoever sees the unit reads its checks, their photos, and verifies its chain.
    "routines:my_daily_check": Page(only(ENTERPRISES)),
    "routines:daily_check_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "routines:daily_check": Page(only(UNIT_VIEWERS), obj=_daily_check),
    "routines:check_photo": Page(only(UNIT_VIEWERS), obj=_check_photo),
    "routines:chain_verify": Page(only(UNIT_VIEWERS), obj=lambda w: w["unit"]),
    # Each filed record as a PDF, and the unit's month as one archive: whoever sees the unit. A big month is built
    # by a worker, and its job's state is its asker's alone.
    "routines:daily_check_pdf": Page(only(UNIT_VIEWERS), obj=_daily_check),
    "routines:weekly_report_pdf": Page(only(UNIT_VIEWERS), obj=_weekly_report),
    "routines:monthly_minutes_pdf": Page(only(UNIT_VIEWERS), obj=_minutes),
    "routines:unit_archive_pdf": Page(only(UNIT_VIEWERS), obj=lambda w: w["unit"],
                                      url_kwargs={"month": f"{timezone.localdate():%Y-%m}"}),
    "routines:archive_job": Page(only(("enterprise",)), obj=_archive_job),
    # The blank reference templates (002 附件 5) hold no unit's data: every signed-in account, regulators hand
    # them out and units print them.
    # Compliance (docs/domain.md §Compliance): the rates and the units that fell short are the regulators'; the
    # calendar and a unit's exemptions are read by whoever sees the unit; only the unit's enterprise
    # (KEEP_RECORDS) records a 临时停用 or ends one early.
    "routines:compliance": Page(only(REGULATORS)),
    "routines:compliance_node": Page(only(("province", "city", "county", "station")), obj=_station_node),
    "routines:compliance_units": Page(only(REGULATORS)),
    "routines:unit_calendar": Page(only(UNIT_VIEWERS), obj=lambda w: w["unit"]),
    "routines:my_calendar": Page(only(ENTERPRISES, granted=REDIRECT), redirect_to=_own_calendar),
    "routines:unit_exemptions": Page(only(UNIT_VIEWERS), obj=lambda w: w["unit"]),
    "routines:temporary_stop_create": Page(only(("enterprise",)), obj=lambda w: w["unit"]),
    "routines:exemption_list": Page(only(REGULATORS)),
    "routines:exemption_end": Page(only(("enterprise",)), obj=_temporary_stop),
    "routines:references": Page(roles(OK)),
    "routines:reference_pdf": Page(roles(OK), url_kwargs={"doc": "daily-check"}),
    "routines:reference_xlsx": Page(roles(OK), url_kwargs={"doc": "risk-list"}),
    # 周排查 and 月调度 (docs/domain.md §Self-check records): whoever sees the unit reads its reports and minutes;
    # only the unit's enterprise (KEEP_RECORDS) fills them in, corrects them or marks a decision done (the post
    # that may sign is the filing service's check, tests/inspections/test_periodic_views.py).
    "routines:my_weekly_report": Page(only(ENTERPRISES)),
    "routines:weekly_report_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "routines:weekly_report": Page(only(UNIT_VIEWERS), obj=_weekly_report),
    "routines:weekly_report_amend": Page(only(("enterprise",)), obj=_weekly_report),
    "routines:my_monthly_minutes": Page(only(ENTERPRISES)),
    "routines:monthly_minutes_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "routines:monthly_minutes": Page(only(UNIT_VIEWERS), obj=_minutes),
    "routines:monthly_minutes_amend": Page(only(("enterprise",)), obj=_minutes),
    "routines:minutes_action_complete": Page(only(("enterprise",)), obj=_minutes_action),
    # 三书一函 (docs/domain.md §Recommendations): HANDLE_RECOMMENDATIONS (leaders and clerks of the province, cities
    # and counties; no station) registers what its node received and reads the subtree's; the province and cities
    # route down; only the responsible jurisdiction (城关区 here) records measures, replies and archives.
    # Inspection records, 安全监察指令书 and referrals (docs/domain.md §Inspection record, §Directive): whoever sees the
    # unit reads them; INSPECT over the unit opens a record, only its recorder and inspectors fill it in, a station
    # issues no directive, the unit reports, and only the issuing authority re-checks and handles the referral.
    "inspections:inspection_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "inspections:inspection_create": Page(only(("province", "city", "county", "station")), obj=lambda w: w["unit"]),
    "inspections:inspection_detail": Page(only(UNIT_VIEWERS), obj=_inspection()),
    "inspections:inspection_record": Page(only(("county", "station")), obj=_inspection()),
    "inspections:inspection_finding": Page(only(("county", "station")), obj=_inspection("photo"),
                                           url_kwargs={"position": 1}),
    "inspections:inspection_assess": Page(only(("county",)), obj=_inspection()),
    "inspections:inspection_sign": Page(only(("county", "station")), obj=_inspection()),
    "inspections:inspection_refuse": Page(only(("county", "station")), obj=_inspection()),
    "inspections:inspection_complete": Page(only(("county", "station")), obj=_inspection("signed")),
    "inspections:inspection_pdf": Page(only(UNIT_VIEWERS), obj=_inspection("completed")),
    "inspections:inspection_file": Page(only(UNIT_VIEWERS), obj=_inspection("completed"),
                                        url_kwargs={"what": "signature"}),
    "inspections:inspection_item_photo": Page(only(UNIT_VIEWERS), obj=_inspection("completed"),
                                              url_kwargs={"position": 1}),
    "inspections:directive_create": Page(only(("province", "city", "county")), obj=_inspection("completed")),
    "inspections:directive_list": Page(only((*REGULATORS, *ENTERPRISES))),
    "inspections:directive_detail": Page(only(UNIT_VIEWERS), obj=_directive()),
    "inspections:directive_report": Page(only(("enterprise",)), obj=_directive()),
    "inspections:directive_recheck": Page(only(("county",)), obj=_directive("reported")),
    "inspections:directive_pdf": Page(only(UNIT_VIEWERS), obj=_directive()),
    "inspections:directive_evidence": Page(only(UNIT_VIEWERS), obj=lambda w: _directive("reported")(w).evidence.get()),
    "inspections:referral_list": Page(only(REGULATORS)),
    "inspections:referral_detail": Page(only(("province", "city", "county", "station")), obj=_referral),
    "inspections:referral_update": Page(only(("county",)), obj=_referral),
    "recommendations:recommendation_list": Page(only(RECOMMENDATION_HANDLERS)),
    "recommendations:recommendation_create": Page(only(RECOMMENDATION_HANDLERS)),
    "recommendations:recommendation_detail": Page(only(("province", "city", "county")), obj=_recommendation()),
    "recommendations:recommendation_route": Page(only(("province", "city")), obj=_recommendation()),
    "recommendations:recommendation_measures": Page(only(("county",)), obj=_recommendation()),
    "recommendations:recommendation_reply": Page(only(("county",)), obj=_recommendation("in_progress")),
    "recommendations:recommendation_archive": Page(only(("county",)), obj=_recommendation("replied")),
    "recommendations:reply_letter": Page(only(("province", "city", "county")), obj=_recommendation("replied")),
    "recommendations:attachment": Page(only(("province", "city", "county")), obj=_recommendation_attachment),
    # Supervision (docs/domain.md §Risk grade, §Inspector pool): whoever sees the unit reads its grade and reasons;
    # a regulator inspecting it (INSPECT over ``unit``) lists it as a 重点单位. The inspectors' certificates are the
    # regulators' (their subtree); entered and corrected by whoever manages the holder's account (MANAGE_ACCOUNTS:
    # leaders of the holder's node or above, so the station's certificate by 城关区, 兰州 and the province).
    "supervision:unit_risk": Page(only(UNIT_VIEWERS), obj=lambda w: w["unit"]),
    "supervision:key_unit": Page(only(("province", "city", "county", "station")), obj=lambda w: w["unit"]),
    "supervision:inspector_list": Page(only(REGULATORS)),
    "supervision:inspector_create": Page(only(REGULATORS[:5])),
    "supervision:inspector_edit": Page(only(("province", "city", "county")), obj=_inspector_certificate),
    # The annual plan and the campaigns (docs/domain.md §Annual plan, §Campaigns): a city's leader (PLAN_INSPECTIONS
    # on its own city) draws, approves and publishes; the plan list is the subtree's (the province and the city);
    # a published plan, its PDF and progress open to every jurisdiction of the city; the tasks are the subtree's,
    # marked done by whoever inspects the unit; a campaign is launched by the province, a city or a county over
    # its own area and opened by the tiers above and the jurisdictions it covers; the results are public.
    "plans:plan_list": Page(only(REGULATORS)),
    "plans:plan_create": Page(only(("city", "other_city"))),
    "plans:plan_detail": Page(only(("province", "city", "county", "other_county", "station")), obj=_plan()),
    "plans:plan_redraw": Page(only(("city",)), obj=_plan("draft")),
    "plans:plan_approve": Page(only(("city",)), obj=_plan("draft")),
    "plans:plan_publish": Page(only(("city",)), obj=_plan("approved")),
    "plans:plan_pdf": Page(only(("province", "city", "county", "other_county", "station")), obj=_plan()),
    "plans:task_list": Page(only(REGULATORS)),
    "plans:task_complete": Page(only(("province", "city", "county", "station")), obj=_plan_task),
    "plans:campaign_list": Page(only(REGULATORS)),
    "plans:campaign_create": Page(only(RECOMMENDATION_HANDLERS)),
    "plans:campaign_detail": Page(only(("province", "city", "county", "station")), obj=_campaign),
    "plans:public_results": Page(roles(OK, anonymous=OK)),
}


# --- URL discovery ----------------------------------------------------------------------------------

def project_url_names(resolver: URLResolver | None = None, namespace: tuple[str, ...] = ()) -> set[str]:
    """Every URL pattern as "namespace:name"; the whole admin site is the one entry "admin:*"."""
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            names |= project_url_names(pattern, namespace + ((pattern.namespace,) if pattern.namespace else ()))
        elif namespace[:1] == ("admin",):
            names.add("admin:*")
        elif pattern.name:
            names.add(":".join((*namespace, pattern.name)))
        else:
            names.add(f"<unnamed: {'/'.join(namespace)} {pattern.pattern}>")
    return names


def test_every_url_pattern_has_a_matrix_entry():
    missing = project_url_names() - set(MATRIX)
    assert not missing, f"URL patterns without an access-matrix entry: {sorted(missing)}"


def test_matrix_has_no_entry_for_a_vanished_url():
    assert set(MATRIX) - project_url_names() == set()


def test_url_discovery_finds_nested_namespaces_and_the_admin():
    names = project_url_names()
    assert {"units:unit_detail", "jurisdictions:delegation_revoke", "dashboard:home", "healthz", "admin:*"} <= names


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix_entry_names_every_role_and_someone_succeeds(name):
    page = MATRIX[name]
    assert set(page.expected) == set(ROLES)
    if page.obj is not None:
        # An object page pairs its 404s with a rightful user getting the page (or sent on from it).
        assert {OK, REDIRECT} & set(page.expected.values()) and NOT_FOUND in page.expected.values()
    if REDIRECT in page.expected.values():
        assert page.redirect_to is not None


# --- Helpers ----------------------------------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def normalised(response) -> str:
    """The body without the per-request masked CSRF token."""
    return CSRF_INPUT.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())


def client_for(w: dict, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(w["users"][role])
    return client


def url_for(name: str, page: Page, w: dict, pk: int | None = None) -> str:
    if name == "admin:*":
        return reverse("admin:index")
    if page.obj is None:
        return reverse(name, kwargs=page.url_kwargs or None)
    pk = pk if pk is not None else page.obj(w).pk
    return reverse(name, kwargs={"pk": pk, **page.url_kwargs}) if page.url_kwargs else reverse(name, args=[pk])


def request(client: Client, page: Page, url: str):
    return client.post(url) if page.method == "post" else client.get(url)


def assert_outcome(response, outcome: str, *, page: Page, w: dict, role: str, url: str) -> None:
    status = response.status_code
    where = response.get("Location", "")
    if outcome == OK:
        assert status == 200, (url, role, status, where)
    elif outcome == NOT_FOUND:
        assert status == 404, (url, role, status, where)
    elif outcome == LOGIN:
        assert status == 302 and where.startswith(reverse("login")), (url, role, status, where)
    elif outcome == ADMIN_LOGIN:
        assert status == 302 and where.startswith(reverse("admin:login")), (url, role, status, where)
    elif outcome == REDIRECT:
        assert status == 302 and where == page.redirect_to(w, role), (url, role, status, where)
    else:  # pragma: no cover - a typo in the matrix
        raise AssertionError(f"unknown outcome {outcome!r}")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded application documents go to a throwaway directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w(world):
    """``world`` plus an open delegation from 兰州市 to 城关区 (for the revoke page); ``unit`` is also a
    production unit, so its enterprise may send work notifications (告知)."""
    Unit.objects.filter(pk=world["unit"].pk).update(kinds=["usage", "production"])
    world["unit"].refresh_from_db()
    world["users"]["sysadmin"] = factories.superuser()
    today = timezone.localdate()
    world["delegation"] = services.delegate(by=world["users"]["city"], grantee=node("620102"), starts_on=today,
                                            ends_on=today + timedelta(days=30))
    return world


# --- The matrix -------------------------------------------------------------------------------------

CASES = [(name, role) for name in sorted(MATRIX) for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_access_matrix(w, name, role):
    page = MATRIX[name]
    expected = page.expected[role]
    url = url_for(name, page, w)
    response = request(client_for(w, role), page, url)
    assert_outcome(response, expected, page=page, w=w, role=role, url=url)

    if expected == NOT_FOUND:
        if page.obj is not None:
            # Out of scope reads exactly like a row that does not exist: nothing leaks the id.
            missing = request(client_for(w, role), page, url_for(name, page, w, pk=MISSING_PK))
            assert missing.status_code == 404
            assert normalised(response) == normalised(missing)
        # The same request by a rightful user succeeds, so the denial is about the role.
        rightful = next(r for r in ROLES if page.expected[r] in (OK, REDIRECT))
        again = request(client_for(w, rightful), page, url)
        assert_outcome(again, page.expected[rightful], page=page, w=w, role=rightful, url=url)


def test_force_login_sets_login_at_so_the_session_survives_the_limits_middleware(w):
    client = client_for(w, "county")
    assert isinstance(client.session.get("login_at"), float)
    assert client.get(reverse("dashboard:home")).status_code == 200
    # Without login_at the session is ended at once (SessionLimitsMiddleware), which is what the
    # matrix's LOGIN outcome would catch for a logged-in role.
    session = client.session
    del session["login_at"]
    session.save()
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_admin_index_opens_for_a_superuser_so_the_admin_denials_are_about_staff(w):
    assert client_for(w, "sysadmin").get(reverse("admin:index")).status_code == 200


def test_enterprise_user_sees_no_delegations(w):
    response = client_for(w, "enterprise").get(reverse("jurisdictions:delegation_list"))
    assert response.status_code == 200 and list(response.context["table"].data) == []
    city_rows = client_for(w, "city").get(reverse("jurisdictions:delegation_list")).context["table"].data
    assert [d.pk for d in city_rows] == [w["delegation"].pk]


# --- Every list shows only rows in scope (issue 9) --------------------------------------------------

FAR_STATION = "620502001"  # a station of 秦州区, 天水市: outside every role's scope but the province's


def list_url_names(resolver: URLResolver | None = None, namespace: tuple[str, ...] = ()) -> set[str]:
    """Every URL served by a ``ScopedListView``, found from the resolver so a new list is covered at once."""
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            names |= list_url_names(pattern, namespace + ((pattern.namespace,) if pattern.namespace else ()))
        elif pattern.name and issubclass(getattr(pattern.callback, "view_class", object), ScopedListView):
            names.add(":".join((*namespace, pattern.name)))
    return names


LISTS = sorted(list_url_names())


def test_list_discovery_finds_the_lists():
    assert {"units:unit_list", "units:inspection_overdue_list", "personnel:staffing_units",
            "jurisdictions:audit_list"} <= set(LISTS)
    assert "units:unit_detail" not in LISTS


def _stock_unit(u: Unit, keeper: User, n: int) -> None:
    """One record of every listed kind at ``u``: equipment due and overdue for inspection, an application,
    a person in post with a certificate, a training and a spot assessment, entered by its own ``keeper``."""
    from personnel import services as personnel_services

    today = timezone.localdate()
    elevator = EquipmentType.objects.get(code="3110")
    due = unit_services.add_equipment(by=access.COMMAND_LINE, unit=u, equipment_type=elevator, location="矩阵到期设备",
                                      next_inspection_on=today + timedelta(days=10))
    Equipment.objects.filter(pk=due.pk).update(status="in_use")
    unit_services.add_equipment(by=access.COMMAND_LINE, unit=u, equipment_type=elevator, location="矩阵超期设备",
                                next_inspection_on=today - timedelta(days=10))
    new = unit_services.add_equipment(by=access.COMMAND_LINE, unit=u, equipment_type=elevator,
                                      code=f"311023010202{n}{n:05d}")
    unit_services.submit_application(by=keeper, unit=u, kind="register", equipment=[new],
                                     documents=[(k.removeprefix("doc_"), f) for k, f in _uploads().items()])
    person = personnel_services.appoint_new_person(
        by=keeper, unit=u, name=f"矩阵列表{n}", id_number=factories.new_id_number(), phone=f"1380013{n:04d}",
        post="safety_officer", started_on=today).person
    personnel_services.add_certificate(by=keeper, person=person, item_code="A", number=f"MATRIX-LIST-{n}",
                                       issued_by="市场监督管理局", issued_on=today - timedelta(days=400),
                                       expires_on=today + timedelta(days=400))
    personnel_services.record_training(by=keeper, unit=u, held_on=today, content="矩阵列表培训", hours="2",
                                       trainer="矩阵讲师", passed=[person])
    personnel_services.record_assessment(by=factories.system_user(), person=person, assessed_on=today, score=55,
                                         result="failed")
    from inspections.findings import services as finding_services

    finding_services.raise_finding(by=keeper, unit=u, description=f"矩阵列表隐患{n}", due_on=today, responsible=person)
    from inspections.routines import filing
    from inspections.routines import services as routine_services

    routine_services.save_list(by=keeper, unit=u, rows=[
        {"category": "equipment", "risk_item": f"矩阵列表风险点{n}", "check_content": "检查", "control_measure": "措施",
         "responsible_post": "safety_officer", "frequency": "daily"}])
    officer = factories.enterprise_user(u, username=f"matrix_list_officer{n}")
    personnel_services.link_account(by=keeper, person=person, account=officer)
    filing.file_daily_check(by=officer, unit=u)
    _file_periodic(u, keeper, _signer_at(u, keeper, f"矩阵列表负责人{n}"))
    from inspections.routines import compliance
    from inspections.routines.models import UnitMonthCompliance

    compliance.record_temporary_stop(by=keeper, unit=u, equipment=due, starts_on=today,
                                     ends_on=today + timedelta(days=3), reason=f"矩阵列表临时停用{n}")
    month = UnitMonthCompliance(unit=u, month=today.replace(day=1), days_due=3, days_missing=3, shortfall=3,
                                computed_at=timezone.now())
    month.place_with(u)
    month.save()


@pytest.fixture
def stocked(w):
    """``w`` with every listed kind of record in 城关区 (``unit``), 七里河区 (``other_unit``) and 天水
    (``far_unit``), plus a pending sign-up and a delegation in 兰州 and in 天水, so that each list holds rows
    some allowed role may see and rows it may not."""
    far_unit = factories.unit(FAR_STATION, name="秦州矩阵锅炉有限公司", kinds=("usage", "production"))
    far_keeper = factories.enterprise_user(far_unit, username="far_enterprise")
    users = w["users"]
    for n, (u, keeper) in enumerate(((w["unit"], users["enterprise"]), (w["other_unit"], users["other_enterprise"]),
                                     (far_unit, far_keeper)), start=1):
        _stock_unit(u, keeper, n)
    _notification(w)
    unit_services.submit_notification(
        by=far_keeper, notifier=far_unit, kind="install", site_uscc=far_unit.uscc,
        equipment_type=EquipmentType.objects.get(code="3110"), site_address="秦州区矩阵测试路 1 号",
        planned_start=timezone.localdate())
    for seed, (area, station) in enumerate((("620102", "620102001"), ("620502", FAR_STATION)), start=21):
        unit_services.signup_unit(
            uscc=make_uscc(area, random.Random(seed)), name=f"矩阵待确认单位{seed}", kinds=["usage"],
            jurisdiction=node(station), username=f"matrix-pending-{seed}", display_name="待确认",
            password=PASSWORD, contact_phone=f"139123456{seed}", licence=licence_upload())
    today = timezone.localdate()
    services.delegate(by=users["other_city"], grantee=node("620502"), starts_on=today,
                      ends_on=today + timedelta(days=30))
    far_inspector = factories.regulator(FAR_STATION, "inspector", username="far_inspector")
    from inspections.supervision import services as supervision

    for n, holder in enumerate((users["station"], users["other_county"], far_inspector)):
        supervision.add_certificate(by=access.COMMAND_LINE, holder=holder, number=f"MATRIX-LIST-JCY-{n}",
                                    certificate_class="B", issued_by="甘肃省市场监督管理局", issued_on=today,
                                    expires_on=today + timedelta(days=365))
    w["far_unit"] = far_unit
    _stock_recommendations()
    _stock_plans(w)
    _stock_supervision(w)
    return w


def _stock_plans(w) -> None:
    """兰州's published plan (tasks in 城关区 and 七里河区), a 天水 draft, and a campaign each of 兰州 over 城关区
    and of 天水 over its own area."""
    from inspections.supervision import plan_services

    _plan("published")(w)
    year = timezone.localdate().year
    plan_services.create_plan(by=w["users"]["other_city"], year=year, title="天水矩阵计划", starts_on=date(year, 1, 1),
                              ends_on=date(year, 12, 15), seed=1)
    _campaign(w)
    plan_services.launch_campaign(by=w["users"]["other_city"], title="天水矩阵专项", scope=node("620500"),
                                  checklist="矩阵要点", deadline=timezone.localdate() + timedelta(days=30))


def _stock_supervision(w) -> None:
    """An inspection record with its directive, referred as overdue, at 城关区's ``unit``, 七里河区's ``other_unit``
    and 秦州区's ``far_unit``, each by two inspectors of the county that holds the unit."""
    from inspections.supervision import directive_services as directives
    from inspections.supervision import inspection_services as inspections
    from inspections.supervision import services as supervision
    from inspections.supervision.models import Directive

    users, today = w["users"], timezone.localdate()
    teams = ((w["unit"], users["county"], [users["county"], users["station"]]),
             (w["other_unit"], users["other_county"],
              [users["other_county"], factories.regulator("620103", "inspector", username="matrix_qlh_jcy")]),
             (w["far_unit"], factories.regulator("620502", "leader", username="matrix_qz_leader"),
              [User.objects.get(username="far_inspector")]))
    for n, (u, lead, team) in enumerate(teams):
        team = list({*team, lead})
        for holder in team:
            if not holder.inspector_certificates.exists():
                supervision.add_certificate(by=access.COMMAND_LINE, holder=holder, number=f"MATRIX-SUP-{n}-{holder.pk}",
                                            certificate_class="B", issued_by="甘肃省市场监督管理局", issued_on=today,
                                            expires_on=today + timedelta(days=365))
        i = inspections.open_inspection(by=lead, unit=u, kind="routine", inspectors=team)
        inspections.record_items(by=lead, inspection=i, results={
            item.position: {"result": "compliant"} for item in i.items.all()})
        inspections.refuse_signature(by=lead, inspection=i, note="矩阵拒签", photo=_png_upload())
        inspections.complete(by=lead, inspection=i, disposition="directive")
        d = directives.issue(by=lead, inspection=i, problems="矩阵列表问题", legal_basis="矩阵依据",
                             measures="矩阵措施", deadline=today + timedelta(days=3))
        Directive.objects.filter(pk=d.pk).update(deadline=today - timedelta(days=1))
    directives.mark_overdue()


def _stock_recommendations() -> None:
    """A 三书一函 routed by the province to 城关区, to 七里河区 and to 秦州区 (天水)."""
    from inspections.supervision import recommendation_services as recommendations

    province, received = factories.system_user(), timezone.localdate() - timedelta(days=1)
    for code in ("620102", "620103", "620502"):
        r = recommendations.register(by=province, kind="judicial", issuer="矩阵法院", document_number=f"矩阵司建{code}",
                                     issued_on=received, received_on=received, case_name=f"矩阵列表案件{code}",
                                     sector="锅炉", content="矩阵列表建议")
        recommendations.route(by=province, recommendation=r, to=node(code))


def _unscoped(name: str, user: User):
    """The rows the list would show if it forgot its scope."""
    view = get_resolver().resolve(reverse(name)).func.view_class()
    view.setup(RequestFactory().get(reverse(name)))
    view.request.user = user
    return list(view.base_queryset())


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))[1:]


@pytest.mark.parametrize("name", LISTS)
def test_every_list_and_its_export_show_only_rows_in_the_users_scope(stocked, name, monkeypatch):
    """For each role allowed the list, every row of the page and of its CSV passes ``access.can`` for the list's
    duty; the world holds rows each of them may not see (so a list that forgets its scope fails), and someone
    sees rows (so the check is not vacuous)."""
    w = stocked
    exported: list[list] = []
    original = kit_views.export_dataset

    def recording_export_dataset(table, *args, **kwargs):
        exported.append([row.record for row in table.rows])
        return original(table, *args, **kwargs)

    monkeypatch.setattr(kit_views, "export_dataset", recording_export_dataset)
    page, url = MATRIX[name], reverse(name)
    allowed = [role for role in ROLES if page.expected[role] == OK]
    assert allowed, f"{name}: no role may open it"
    shown_somewhere = False
    for role in allowed:
        user = w["users"][role]
        response = client_for(w, role).get(url)
        assert response.status_code == 200, (name, role, response.status_code)
        duty = response.context["view"].duty
        rows = [row.record for row in response.context["table"].paginated_rows]
        leaked = [r for r in rows if not access.can(user, duty, r)]
        assert not leaked, f"{name} shows {role} rows outside its {duty} scope: {leaked}"

        if role != "province":  # the province's scope is the whole tree: nothing in it is hidden from it
            hidden = [r for r in _unscoped(name, user) if not access.can(user, duty, r)]
            assert hidden, f"{name}: the world holds no row {role} may not see, so the scope check cannot fail"

        exported.clear()
        export = client_for(w, role).get(url, {"_export": "csv"})
        assert export.status_code == 200, (name, role, export.status_code)
        assert len(exported) == 1
        leaked = [r for r in exported[0] if not access.can(user, duty, r)]
        assert not leaked, f"{name} exports to {role} rows outside its {duty} scope: {leaked}"
        assert len(_csv_rows(export)) == len(exported[0])
        shown_somewhere |= bool(rows) and bool(exported[0])
    assert shown_somewhere, f"{name} is empty for every role, so the scope check proves nothing"


# --- Writes -----------------------------------------------------------------------------------------

FORM_ERROR = "form-error"


@dataclass(frozen=True)
class Write:
    """A POST endpoint: who may not (and what they get), who may, and the state that must not move."""

    rightful: str
    refused: dict[str, str]
    data: Callable[[dict], dict]
    state: Callable[[dict], object]
    obj: Callable[[dict], object] | None = None
    extra: dict = field(default_factory=dict)  # URL arguments besides the object's pk


def _unit_state(w):
    return Unit.objects.filter(pk=w["unit"].pk).values_list("name", "jurisdiction_id", "county_id").get()


def _unit_edit_data(w):
    u = w["unit"]
    return {"uscc": u.uscc, "name": "改名测试电梯有限公司", "kinds": ["usage"], "jurisdiction": u.jurisdiction_id,
            "address": "", "legal_representative": ""}


NEW_USCC = make_uscc("620102", random.Random(99))


def _unit_create_data(w):
    return {"uscc": NEW_USCC, "name": "新建测试锅炉有限公司", "kinds": ["usage"],
            "jurisdiction": node("620102001").pk, "address": "", "legal_representative": ""}


def _account_data(w):
    return {"username": "matrix-new", "display_name": "新账号", "email": "", "password": PASSWORD}


def _regulator_data(w):
    return {**_account_data(w), "jurisdiction": node("620102001").pk, "role": "inspector"}


def _user_edit_data(w):
    u = w["users"]["station"]
    return {"username": u.username, "display_name": "改名后的监察员", "email": "", "jurisdiction": u.jurisdiction_id,
            "role": u.role}


def _delegation_data(w):
    today = timezone.localdate()
    return {"grantee": node("620103").pk, "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=10)).isoformat(), "note": ""}


def _username_exists(w):
    return User.objects.filter(username="matrix-new").exists()


SIGNUP_USCC = make_uscc("620102", random.Random(98))


def _signup_data(w):
    return {"uscc": SIGNUP_USCC, "name": "矩阵注册测试有限公司", "kinds": ["usage"], "address": "兰州市城关区",
            "legal_representative": "张三", "contact_person": "李四", "contact_phone": "13912345679",
            "licence": licence_upload(), "jurisdiction": node("620102001").pk,
            "username": "matrix-signup", "display_name": "李四", "password": PASSWORD, "password_confirm": PASSWORD}


def _equipment_data(w, **extra):
    return {"equipment_type": EquipmentType.objects.get(code="3110").pk, "code": "", "factory_number": "MATRIX-1",
            "manufacturer": "", "model_number": "", "location": "矩阵改后地点", "commissioned_on": "",
            "last_inspection_on": "", "next_inspection_on": "", **extra}


def _application_state(stage):
    return lambda w: Application.objects.get(pk=_application(stage)(w).pk).status


def _notification_data(w):
    return {"kind": "repair", "site_uscc": w["other_unit"].uscc, "equipment_type": EquipmentType.objects.get(
        code="3110").pk, "site_address": "矩阵施工地点", "planned_start": timezone.localdate().isoformat(),
        "description": ""}


NOT_REGISTRARS = dict.fromkeys(("province", "other_city", "other_county", "station", "enterprise", "other_enterprise"),
                               NOT_FOUND)

def _import_upload(kind):
    """A fresh one-row workbook each call: a unit at the world's station, or equipment of ``unit``."""
    from units import importing

    def data(w):
        if kind == "units":
            columns, rows = importing.UNIT_COLUMNS, [[NEW_USCC, "矩阵导入单位", "使用", "620102001", "", ""]]
        else:
            columns, rows = importing.EQUIPMENT_COLUMNS, [[w["unit"].uscc, "3110", "", "MATRIX-IMPORT", "", "",
                                                            "2027-01-01"]]
        return {"file": SimpleUploadedFile("矩阵导入.xlsx", xlsx_bytes(columns, rows))}

    return data


def _recommendation_data(w):
    received = timezone.localdate() - timedelta(days=1)
    return {"kind": "supervisory", "issuer": "矩阵监察委员会", "document_number": "矩阵新登记",
            "issued_on": received.isoformat(), "received_on": received.isoformat(), "case_name": "矩阵登记案件",
            "case_code": "", "sector": "起重机械", "content": "矩阵登记内容", "reply_due_on": "",
            "attachments": SimpleUploadedFile("建议书.pdf", UPLOAD, content_type="application/pdf")}


def _recommendation_registered(w):
    from inspections.supervision.models import Recommendation

    return Recommendation.objects.filter(document_number="矩阵新登记").exists()


def _new_plan_data(w):
    _plan_inspectors(w)
    year = timezone.localdate().year + 3
    return {"year": year, "title": "矩阵新计划", "starts_on": f"{year}-01-01", "ends_on": f"{year}-12-15", "seed": "7"}


def _plans_titled(title):
    from inspections.supervision.models import AnnualPlan

    return AnnualPlan.objects.filter(title=title).exists()


def _campaigns_titled(title):
    from inspections.supervision.models import Campaign

    return Campaign.objects.filter(title=title).exists()


def _findings_described(text):
    from inspections.findings.models import Finding

    return Finding.objects.filter(description=text).exists()


def _import_jobs(w):
    from units.models import ImportJob

    return ImportJob.objects.filter(original_name="矩阵导入.xlsx").count()


def _key_unit(w):
    from inspections.supervision.models import KeyUnit

    return KeyUnit.objects.filter(unit=w["unit"]).exists()


def _inspector_data(w):
    today = timezone.localdate()
    return {"holder": w["users"]["station"].pk, "number": "MATRIX-JCY-1", "certificate_class": "B",
            "issued_by": "甘肃省市场监督管理局", "issued_on": (today - timedelta(days=10)).isoformat(),
            "expires_on": (today + timedelta(days=1000)).isoformat()}


def _certificate_numbered(number):
    from inspections.supervision.models import InspectorCertificate

    return InspectorCertificate.objects.filter(number=number).exists()


WRITES: dict[str, Write] = {
    "units:unit_import": Write(
        rightful="county", data=_import_upload("units"), state=_import_jobs,
        refused={"enterprise": NOT_FOUND, "other_enterprise": NOT_FOUND, "anonymous": LOGIN}),
    "units:equipment_import": Write(
        rightful="enterprise", data=_import_upload("equipment"), state=_import_jobs, refused={"anonymous": LOGIN}),
    "units:import_confirm": Write(
        rightful="county", obj=_import_job, data=lambda w: {},
        state=lambda w: type(_import_job(w)).objects.get(pk=_import_job(w).pk).status,
        refused={"city": NOT_FOUND, "other_county": NOT_FOUND, "station": NOT_FOUND, "enterprise": NOT_FOUND}),
    "units:application_create": Write(
        rightful="enterprise", data=lambda w: {"equipment": [_new_elevator(w).pk], "reason": "", **_uploads()},
        state=lambda w: Application.objects.filter(equipment=_new_elevator(w)).exists(),
        refused={"other_enterprise": FORM_ERROR, "city": NOT_FOUND, "county": NOT_FOUND}),
    "units:application_accept": Write(
        rightful="city", obj=_application(), data=lambda w: {}, state=_application_state("submitted"),
        refused=NOT_REGISTRARS),
    "units:application_approve": Write(
        rightful="county", obj=_application("accepted"), data=lambda w: {}, state=_application_state("accepted"),
        refused=NOT_REGISTRARS),
    "units:application_reject": Write(
        rightful="city", obj=_application(), data=lambda w: {"reason": "矩阵测试不予办理"},
        state=_application_state("submitted"), refused=NOT_REGISTRARS),
    "units:notification_create": Write(
        rightful="enterprise", data=_notification_data,
        state=lambda w: WorkNotification.objects.filter(site_address="矩阵施工地点").exists(),
        refused={"other_enterprise": NOT_FOUND, "city": NOT_FOUND}),
    "units:notification_acknowledge": Write(
        rightful="city", obj=_notification, data=lambda w: {},
        state=lambda w: WorkNotification.objects.get(pk=_notification(w).pk).status,
        refused={**NOT_REGISTRARS, "county": NOT_FOUND}),
    "units:signup": Write(
        rightful="anonymous", data=_signup_data, state=lambda w: Unit.objects.filter(uscc=SIGNUP_USCC).exists(),
        refused={"enterprise": REDIRECT, "county": REDIRECT}),
    "units:unit_resubmit": Write(
        rightful="enterprise", obj=_rejected_unit, data=_resubmit_data,
        state=lambda w: Unit.objects.filter(pk=_rejected_unit(w).pk).values_list("status", "name").get(),
        refused={"other_enterprise": NOT_FOUND, "station": NOT_FOUND, "county": NOT_FOUND, "city": NOT_FOUND}),
    "units:application_withdraw": Write(
        rightful="enterprise", obj=_application(), data=lambda w: {}, state=_application_state("submitted"),
        refused={"other_enterprise": NOT_FOUND, "city": NOT_FOUND, "county": NOT_FOUND, "station": NOT_FOUND}),
    "units:unit_confirm": Write(
        rightful="station", obj=_pending_unit, data=lambda w: {"note": ""},
        state=lambda w: Unit.objects.get(pk=_pending_unit(w).pk).status,
        refused={"other_county": NOT_FOUND, "other_city": NOT_FOUND, "enterprise": NOT_FOUND}),
    "units:unit_reject": Write(
        rightful="county", obj=_pending_unit, data=lambda w: {"reason": "矩阵测试驳回"},
        state=lambda w: Unit.objects.get(pk=_pending_unit(w).pk).status,
        refused={"other_county": NOT_FOUND, "other_city": NOT_FOUND, "enterprise": NOT_FOUND,
                 "other_enterprise": NOT_FOUND}),
    "units:equipment_create": Write(
        rightful="enterprise", obj=lambda w: w["unit"], data=_equipment_data,
        state=lambda w: Equipment.objects.filter(factory_number="MATRIX-1").exists(),
        refused={"other_enterprise": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND}),
    "units:equipment_edit": Write(
        rightful="county", obj=_equipment, data=lambda w: _equipment_data(w, version=_equipment(w).version),
        state=lambda w: Equipment.objects.get(pk=_equipment(w).pk).location,
        refused={"other_enterprise": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND}),
    "units:unit_edit": Write(
        rightful="county", obj=lambda w: w["unit"], data=_unit_edit_data, state=_unit_state,
        refused={"other_city": NOT_FOUND, "other_county": NOT_FOUND, "other_enterprise": NOT_FOUND,
                 "sysadmin": NOT_FOUND}),
    "units:unit_create": Write(
        rightful="station", data=_unit_create_data, state=lambda w: Unit.objects.filter(uscc=NEW_USCC).exists(),
        refused={"enterprise": NOT_FOUND, "other_enterprise": NOT_FOUND, "other_county": FORM_ERROR,
                 "other_city": FORM_ERROR}),
    "units:unit_account_create": Write(
        rightful="enterprise", obj=lambda w: w["unit"], data=_account_data, state=_username_exists,
        refused={"other_enterprise": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND}),
    "jurisdictions:user_create": Write(
        rightful="county", data=_regulator_data, state=_username_exists,
        refused={"station": NOT_FOUND, "other_county": FORM_ERROR, "other_city": FORM_ERROR,
                 "enterprise": NOT_FOUND, "sysadmin": NOT_FOUND}),
    "jurisdictions:user_edit": Write(
        rightful="county", obj=_station_user, data=_user_edit_data,
        state=lambda w: User.objects.get(pk=w["users"]["station"].pk).display_name,
        refused={"station": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND, "enterprise": NOT_FOUND}),
    "jurisdictions:user_toggle_active": Write(
        rightful="county", obj=_station_user, data=lambda w: {},
        state=lambda w: User.objects.get(pk=w["users"]["station"].pk).is_active,
        refused={"station": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND, "enterprise": NOT_FOUND,
                 "other_enterprise": NOT_FOUND, "sysadmin": NOT_FOUND}),
    "jurisdictions:delegation_create": Write(
        rightful="city", data=_delegation_data,
        state=lambda w: Delegation.objects.filter(grantee__code="620103").exists(),
        refused={"province": NOT_FOUND, "county": NOT_FOUND, "other_county": NOT_FOUND, "station": NOT_FOUND,
                 "enterprise": NOT_FOUND, "other_city": FORM_ERROR}),
    "jurisdictions:delegation_revoke": Write(
        rightful="city", obj=lambda w: w["delegation"], data=lambda w: {"reason": "测试撤销"},
        state=lambda w: Delegation.objects.get(pk=w["delegation"].pk).revoked_at,
        refused={"province": NOT_FOUND, "other_city": NOT_FOUND, "county": NOT_FOUND, "other_county": NOT_FOUND,
                 "station": NOT_FOUND, "enterprise": NOT_FOUND}),
    "jurisdictions:station_create": Write(
        rightful="city", data=lambda w: {"parent": node("620102").pk, "name": "矩阵测试镇"},
        state=lambda w: Jurisdiction.objects.filter(name__startswith="矩阵测试镇").exists(),
        refused={"other_city": FORM_ERROR, "county": NOT_FOUND, "other_county": NOT_FOUND, "station": NOT_FOUND,
                 "enterprise": NOT_FOUND}),
    "personnel:national_export": Write(
        rightful="county", data=lambda w: {"full": ""},
        state=lambda w: ExportJob.objects.filter(created_by=w["users"]["county"]).count(),
        refused={"enterprise": NOT_FOUND, "other_enterprise": NOT_FOUND, "anonymous": LOGIN, "sysadmin": NOT_FOUND}),
    "personnel:import": Write(
        rightful="enterprise", data=lambda w: {"file": SimpleUploadedFile("矩阵导入.xlsx", xlsx_bytes(
            PEOPLE_COLUMNS, [[w["unit"].uscc, "安全员", "矩阵导入员", "360426199101010071", "13800138000",
                              "2026-01-05", ""]]))},
        state=_import_jobs, refused={"anonymous": LOGIN}),
    "personnel:appointment_new": Write(
        rightful="enterprise", obj=lambda w: w["unit"], data=lambda w: {
            "post": "safety_officer", "name": "矩阵新员", "id_number": "360426199101010071", "phone": "13700137000",
            "started_on": timezone.localdate().isoformat(), "covers": "", "education": "", "title": ""},
        state=lambda w: Person.objects.filter(name="矩阵新员").exists(),
        refused={"other_enterprise": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND}),
    "personnel:appointment_create": Write(
        rightful="county", obj=_person, data=lambda w: {"post": "principal",
                                                        "started_on": timezone.localdate().isoformat()},
        state=lambda w: Appointment.objects.filter(person=_person(w), post="principal").exists(),
        refused={"other_enterprise": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND}),
    "personnel:appointment_end": Write(
        rightful="enterprise", obj=_appointment, data=lambda w: {
            "ended_on": timezone.localdate().isoformat(), "reason": "resigned"},
        state=lambda w: Appointment.objects.get(pk=_appointment(w).pk).ended_on,
        refused={"other_enterprise": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND}),
    "personnel:person_edit": Write(
        rightful="county", obj=_person, data=lambda w: {"name": "矩阵改名", "version": _person(w).version,
                                                        "id_number": "", "phone": "", "education": "", "title": ""},
        state=lambda w: Person.objects.get(pk=_person(w).pk).name,
        refused={"other_enterprise": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND,
                 "sysadmin": NOT_FOUND}),
    "personnel:person_account": Write(
        rightful="enterprise", obj=_person, data=lambda w: {"account": w["users"]["enterprise"].pk},
        state=lambda w: Person.objects.get(pk=_person(w).pk).account_id,
        refused={"other_enterprise": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND,
                 "sysadmin": NOT_FOUND}),
    "personnel:person_account_unlink": Write(
        rightful="station", obj=_linked_person, data=lambda w: {},
        state=lambda w: Person.objects.get(pk=_linked_person(w).pk).account_id,
        refused={"other_enterprise": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND}),
    "personnel:certificate_create": Write(
        rightful="enterprise", obj=_person, data=lambda w: {
            "item_code": "A", "number": "MATRIX-A-1", "issued_by": "兰州市市场监督管理局", "issued_on": "2024-01-01",
            "expires_on": "2028-01-01"},
        state=lambda w: Certificate.objects.filter(number="MATRIX-A-1").exists(),
        refused={"other_enterprise": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND}),
    "personnel:training_create": Write(
        rightful="enterprise", obj=lambda w: w["unit"], data=lambda w: {
            "held_on": timezone.localdate().isoformat(), "content": "矩阵培训", "hours": "2", "trainer": "矩阵讲师",
            "passed": [_person(w).pk]},
        state=lambda w: Training.objects.filter(content="矩阵培训").exists(),
        refused={"other_enterprise": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND}),
    "personnel:assessment_create": Write(
        rightful="county", obj=_person, data=lambda w: {
            "assessed_on": timezone.localdate().isoformat(), "score": "55", "result": "failed", "note": ""},
        state=lambda w: SpotAssessment.objects.filter(person=_person(w)).exists(),
        refused={"station": NOT_FOUND, "enterprise": NOT_FOUND, "other_county": NOT_FOUND,
                 "other_city": NOT_FOUND}),
    "routines:my_daily_check": Write(
        rightful="enterprise", data=_officer_files_all_ok, state=lambda w: _checks_of(w["unit"]),
        refused={"county": NOT_FOUND, "station": NOT_FOUND, "anonymous": LOGIN, "sysadmin": NOT_FOUND}),
    "findings:finding_create": Write(
        rightful="enterprise", data=lambda w: {"description": "矩阵新隐患", "hazard_level": "general", "equipment": "",
                                               "responsible": "", "due_on": timezone.localdate().isoformat()},
        state=lambda w: _findings_described("矩阵新隐患"),
        refused={"county": NOT_FOUND, "station": NOT_FOUND, "anonymous": LOGIN, "sysadmin": NOT_FOUND}),
    "findings:finding_rectify": Write(
        rightful="enterprise", obj=_finding(),
        data=lambda w: {"note": "矩阵整改", "evidence": licence_upload("整改.png")},
        state=_finding_state("open"),
        refused={"other_enterprise": NOT_FOUND, "county": NOT_FOUND, "station": NOT_FOUND, "other_county": NOT_FOUND}),
    "findings:finding_verify": Write(
        rightful="county", obj=_finding("rectified"), data=lambda w: {"note": ""},
        state=lambda w: _finding_state("rectified")(w)[0],
        refused={"other_enterprise": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND}),
    "findings:finding_reject": Write(
        rightful="station", obj=_finding("rectified"), data=lambda w: {"reason": "矩阵退回"},
        state=lambda w: _finding_state("rectified")(w)[0],
        refused={"other_enterprise": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND}),
    "routines:risk_list_edit": Write(
        rightful="enterprise", obj=lambda w: w["unit"], data=_risk_list_data, state=_risk_versions,
        refused={"other_enterprise": NOT_FOUND, "county": NOT_FOUND, "station": NOT_FOUND, "other_county": NOT_FOUND,
                 "anonymous": LOGIN}),
    "routines:risk_list_generate": Write(
        rightful="enterprise", obj=lambda w: w["unit"], data=lambda w: _equipment(w) and {}, state=_risk_versions,
        refused={"other_enterprise": NOT_FOUND, "county": NOT_FOUND, "city": NOT_FOUND, "other_county": NOT_FOUND}),
    "routines:my_weekly_report": Write(
        rightful="enterprise", data=lambda w: _signer(w) and {
            "week_start": _this_monday().isoformat(), "findings_summary": "", "assessment": "矩阵评估",
            "next_focus": "矩阵重点", "confirm": "on"},
        state=_periodic_count("WeeklyReport"),
        refused={"other_enterprise": FORM_ERROR, "county": NOT_FOUND, "station": NOT_FOUND, "anonymous": LOGIN,
                 "sysadmin": NOT_FOUND}),
    "routines:weekly_report_amend": Write(
        rightful="enterprise", obj=_weekly_report,
        data=lambda w: {"findings_summary": "", "assessment": "矩阵更正评估", "next_focus": "矩阵重点",
                        "reason": "矩阵更正"},
        state=_periodic_count("Amendment"),
        refused={"other_enterprise": NOT_FOUND, "county": NOT_FOUND, "station": NOT_FOUND, "anonymous": LOGIN}),
    "routines:my_monthly_minutes": Write(
        rightful="enterprise", data=_minutes_data, state=_periodic_count("MonthlyMinutes"),
        refused={"other_enterprise": FORM_ERROR, "county": NOT_FOUND, "city": NOT_FOUND, "anonymous": LOGIN}),
    "routines:monthly_minutes_amend": Write(
        rightful="enterprise", obj=_minutes, data=_amend_minutes_data, state=_periodic_count("Amendment"),
        refused={"other_enterprise": NOT_FOUND, "county": NOT_FOUND, "station": NOT_FOUND}),
    "routines:minutes_action_complete": Write(
        rightful="enterprise", obj=_minutes_action, data=lambda w: {"note": "矩阵完成"}, state=_action_status,
        refused={"other_enterprise": NOT_FOUND, "county": NOT_FOUND, "city": NOT_FOUND, "anonymous": LOGIN}),
    "routines:temporary_stop_create": Write(
        rightful="enterprise", obj=lambda w: w["unit"], state=_temporary_stops, data=lambda w: {
            "equipment": "", "starts_on": timezone.localdate().isoformat(),
            "ends_on": (timezone.localdate() + timedelta(days=3)).isoformat(), "reason": "矩阵临时停用"},
        refused={"other_enterprise": NOT_FOUND, "county": NOT_FOUND, "station": NOT_FOUND, "anonymous": LOGIN}),
    "supervision:key_unit": Write(
        rightful="county", obj=lambda w: w["unit"], data=lambda w: {"designated": "on", "reason": "矩阵重点单位"},
        state=_key_unit,
        refused={"other_county": NOT_FOUND, "other_city": NOT_FOUND, "enterprise": NOT_FOUND,
                 "other_enterprise": NOT_FOUND, "anonymous": LOGIN}),
    "supervision:inspector_create": Write(
        rightful="county", data=_inspector_data, state=lambda w: _certificate_numbered("MATRIX-JCY-1"),
        refused={"station": NOT_FOUND, "enterprise": NOT_FOUND, "other_county": FORM_ERROR,
                 "other_city": FORM_ERROR, "sysadmin": NOT_FOUND}),
    "supervision:inspector_edit": Write(
        rightful="county", obj=_inspector_certificate,
        data=lambda w: {**_inspector_data(w), "number": "MATRIX-JCY-0", "issued_by": "矩阵改后发证机关"},
        state=lambda w: type(_inspector_certificate(w)).objects.get(pk=_inspector_certificate(w).pk).issued_by,
        refused={"station": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND, "enterprise": NOT_FOUND}),
    "routines:exemption_end": Write(
        rightful="enterprise", obj=_temporary_stop, state=_stop_end,
        data=lambda w: {"ends_on": timezone.localdate().isoformat()},
        refused={"other_enterprise": NOT_FOUND, "county": NOT_FOUND, "city": NOT_FOUND, "other_county": NOT_FOUND}),
    "inspections:inspection_create": Write(
        rightful="county", obj=lambda w: w["unit"], state=lambda w: w["unit"].inspections.count(),
        data=_inspection_create_data,
        # The station's pool is its own staff: the county's leader is no choice for it.
        refused={"station": FORM_ERROR, "other_county": NOT_FOUND, "other_city": NOT_FOUND, "enterprise": NOT_FOUND,
                 "anonymous": LOGIN}),
    "inspections:inspection_record": Write(
        rightful="county", obj=_inspection(), state=_inspection_items("open"),
        data=lambda w: {"result_1": "non_compliant", "note_1": "矩阵记录"},
        refused={"city": NOT_FOUND, "province": NOT_FOUND, "other_county": NOT_FOUND, "enterprise": NOT_FOUND}),
    "inspections:inspection_finding": Write(
        rightful="county", obj=_inspection("photo"), state=_inspection_items("photo"), extra={"position": 1},
        data=lambda w: {"description": "矩阵隐患", "hazard_level": "general",
                        "due_on": (timezone.localdate() + timedelta(days=5)).isoformat()},
        refused={"city": NOT_FOUND, "other_county": NOT_FOUND, "enterprise": NOT_FOUND}),
    "inspections:inspection_assess": Write(
        rightful="county", obj=_inspection(), state=lambda w: _inspection()(w).assessments.count(),
        data=lambda w: {"person": w["inspection_director"].pk, "score": 85, "result": "passed", "note": ""},
        refused={"station": NOT_FOUND, "city": NOT_FOUND, "other_county": NOT_FOUND, "enterprise": NOT_FOUND}),
    "inspections:inspection_sign": Write(
        rightful="county", obj=_inspection(), state=_inspection_state("open"),
        data=lambda w: {"signer_name": "矩阵代表", "signature": _signature_data_url(), "unit_opinion": ""},
        refused={"city": NOT_FOUND, "other_county": NOT_FOUND, "enterprise": NOT_FOUND}),
    "inspections:inspection_refuse": Write(
        rightful="station", obj=_inspection(), state=_inspection_state("open"),
        data=lambda w: {"note": "矩阵拒签", "photo": _png_upload()},
        refused={"city": NOT_FOUND, "other_county": NOT_FOUND, "enterprise": NOT_FOUND}),
    "inspections:inspection_complete": Write(
        rightful="county", obj=_inspection("signed"), state=_inspection_state("signed"),
        data=lambda w: {"disposition": "none"},
        refused={"city": NOT_FOUND, "other_county": NOT_FOUND, "enterprise": NOT_FOUND}),
    "inspections:directive_create": Write(
        rightful="county", obj=_inspection("completed"), state=lambda w: _inspection("completed")(w).directives.count(),
        data=lambda w: {"problems": "矩阵问题", "legal_basis": "矩阵依据", "measures": "矩阵措施",
                        "deadline": (timezone.localdate() + timedelta(days=10)).isoformat()},
        refused={"station": NOT_FOUND, "other_county": NOT_FOUND, "other_city": NOT_FOUND, "enterprise": NOT_FOUND}),
    "inspections:directive_report": Write(
        rightful="enterprise", obj=_directive(), state=_directive_state("issued"),
        data=lambda w: {"note": "矩阵整改报告", "evidence": [_png_upload("矩阵整改.png")]},
        refused={"other_enterprise": NOT_FOUND, "county": NOT_FOUND, "station": NOT_FOUND}),
    "inspections:directive_recheck": Write(
        rightful="county", obj=_directive("reported"), state=_directive_state("reported"),
        data=lambda w: {"decision": "accept", "note": "矩阵复查"},
        refused={"city": NOT_FOUND, "other_county": NOT_FOUND, "station": NOT_FOUND, "enterprise": NOT_FOUND}),
    "inspections:referral_update": Write(
        rightful="county", obj=_referral, data=lambda w: {"status": "filed", "case_number": "矩阵立案1", "note": ""},
        state=lambda w: type(_referral(w)).objects.values_list("status", "case_number").get(pk=_referral(w).pk),
        refused={"city": NOT_FOUND, "province": NOT_FOUND, "other_county": NOT_FOUND, "station": NOT_FOUND}),
    "recommendations:recommendation_create": Write(
        rightful="city", data=_recommendation_data, state=_recommendation_registered,
        refused={"station": NOT_FOUND, "enterprise": NOT_FOUND, "anonymous": LOGIN, "sysadmin": NOT_FOUND}),
    "recommendations:recommendation_route": Write(
        rightful="city", obj=_recommendation(), data=lambda w: {"to": node("620103").pk, "note": "矩阵改派"},
        state=_recommendation_state("assigned"),
        refused={"county": NOT_FOUND, "other_city": NOT_FOUND, "other_county": NOT_FOUND, "station": NOT_FOUND}),
    "recommendations:recommendation_measures": Write(
        rightful="county", obj=_recommendation(), data=lambda w: {"measures": "矩阵整改措施"},
        state=_recommendation_state("assigned"),
        refused={"city": NOT_FOUND, "province": NOT_FOUND, "other_county": NOT_FOUND, "station": NOT_FOUND}),
    "recommendations:recommendation_reply": Write(
        rightful="county", obj=_recommendation("in_progress"), data=lambda w: {
            "reply_kind": "adopted", "rectification": "done", "text": "矩阵回复内容",
            "replied_on": timezone.localdate().isoformat()},
        state=_recommendation_state("in_progress"),
        refused={"city": NOT_FOUND, "province": NOT_FOUND, "other_county": NOT_FOUND}),
    "recommendations:recommendation_archive": Write(
        rightful="county", obj=_recommendation("replied"), data=lambda w: {"note": ""},
        state=_recommendation_state("replied"), refused={"city": NOT_FOUND, "other_county": NOT_FOUND}),
    "plans:plan_create": Write(
        rightful="city", data=_new_plan_data,
        state=lambda w: _plans_titled("矩阵新计划"),
        refused={"county": NOT_FOUND, "province": NOT_FOUND, "station": NOT_FOUND, "enterprise": NOT_FOUND,
                 "anonymous": LOGIN}),
    "plans:plan_redraw": Write(
        rightful="city", obj=_plan("draft"), data=lambda w: {"seed": "99"}, state=_plan_state("draft"),
        refused={"province": NOT_FOUND, "other_city": NOT_FOUND, "county": NOT_FOUND}),
    "plans:plan_approve": Write(
        rightful="city", obj=_plan("draft"), data=lambda w: {}, state=_plan_state("draft"),
        refused={"province": NOT_FOUND, "other_city": NOT_FOUND, "county": NOT_FOUND, "station": NOT_FOUND}),
    "plans:plan_publish": Write(
        rightful="city", obj=_plan("approved"), data=lambda w: {}, state=_plan_state("approved"),
        refused={"province": NOT_FOUND, "other_city": NOT_FOUND, "county": NOT_FOUND}),
    "plans:task_complete": Write(
        rightful="station", obj=_plan_task, data=lambda w: {
            "done_on": timezone.localdate().isoformat(), "result": "no_problem", "note": ""},
        state=lambda w: type(_plan_task(w)).objects.get(pk=_plan_task(w).pk).done_on,
        refused={"other_county": NOT_FOUND, "other_city": NOT_FOUND, "enterprise": NOT_FOUND}),
    "plans:campaign_create": Write(
        rightful="county", data=lambda w: {
            "title": "矩阵新专项", "scope": node("620102").pk, "checklist": "矩阵要点",
            "deadline": (timezone.localdate() + timedelta(days=10)).isoformat()},
        state=lambda w: _campaigns_titled("矩阵新专项"),
        refused={"station": NOT_FOUND, "other_county": FORM_ERROR, "enterprise": NOT_FOUND, "anonymous": LOGIN}),
}

WRITE_CASES = [(name, role) for name in sorted(WRITES) for role in WRITES[name].refused]


def write_url(name: str, write: Write, w: dict, pk: int | None = None) -> str:
    """The endpoint of ``write``: its object's pk, and ``extra`` URL arguments (an item's position) beside it."""
    if write.obj is None:
        return reverse(name)
    pk = pk if pk is not None else write.obj(w).pk
    return reverse(name, kwargs={"pk": pk, **write.extra}) if write.extra else reverse(name, args=[pk])


def test_every_post_endpoint_of_the_matrix_has_a_write_entry():
    """Forms and actions (every page that is not a plain read) are exercised with POST below."""
    reads = {"healthz", "readyz", "login", "logout", "set_language", "password_change", "password_change_done",
             "admin:*",
             "dashboard:home", "dashboard:my_unit",
             # The inbox's pages; marking all read is a form-less POST like logout, and touches only the
             # poster's own notifications (tests/inbox/test_views.py).
             "inbox:inbox", "inbox:notification_open", "inbox:mark_all_read",
             "jurisdictions:browse", "jurisdictions:autocomplete",
             "jurisdictions:jurisdiction_detail", "jurisdictions:user_list", "jurisdictions:user_detail",
             "jurisdictions:delegation_list", "jurisdictions:audit_list", "units:unit_list", "units:unit_detail",
             "units:unit_history", "jurisdictions:station_autocomplete", "units:unit_pending_list",
             "units:equipment_list", "units:equipment_detail", "units:inspection_due_list",
             "units:inspection_overdue_list", "units:application_list", "units:application_queue",
             "units:application_detail", "units:application_decision", "units:application_document",
             "units:equipment_certificate", "units:notification_list", "units:notification_detail",
             "units:import_detail", "units:import_progress", "units:unit_licence", "units:import_template",
             # Personnel reads; the reveal POSTs a reason but changes no record (audited, tested in
             # tests/personnel/test_personnel_views.py).
             "personnel:unit_staff", "personnel:unit_staff_pdf", "personnel:my_staff",
             "personnel:appointment_document", "personnel:person_list", "personnel:person_detail",
             "personnel:person_reveal", "personnel:certificate_list", "personnel:training_list",
             "personnel:assessment_list", "personnel:staffing", "personnel:staffing_units",
             "personnel:national_export_download",
             "findings:finding_list", "findings:finding_detail", "findings:evidence",
             "routines:my_risk_list", "routines:risk_list", "routines:risk_list_history",
             "routines:risk_list_version", "routines:weekly_report_list", "routines:weekly_report",
             "routines:monthly_minutes_list", "routines:monthly_minutes", "routines:daily_check_pdf",
             "routines:weekly_report_pdf", "routines:monthly_minutes_pdf", "routines:unit_archive_pdf",
             "routines:archive_job",
             "routines:compliance", "routines:compliance_node", "routines:compliance_units", "routines:unit_calendar",
             "routines:my_calendar", "routines:unit_exemptions", "routines:exemption_list",
             # Reads of 日管控; verifying the chain POSTs but only recomputes (tests/inspections/test_records.py).
             "routines:daily_check_list", "routines:daily_check", "routines:check_photo", "routines:chain_verify",
             "routines:references", "routines:reference_pdf", "routines:reference_xlsx",
             "recommendations:recommendation_list", "recommendations:recommendation_detail",
             "recommendations:reply_letter", "recommendations:attachment",
             "supervision:unit_risk", "supervision:inspector_list",
             "plans:plan_list", "plans:plan_detail", "plans:plan_pdf", "plans:task_list", "plans:campaign_list",
             "plans:campaign_detail", "plans:public_results",
             "inspections:inspection_list", "inspections:inspection_detail", "inspections:inspection_pdf",
             "inspections:inspection_file", "inspections:inspection_item_photo", "inspections:directive_list",
             "inspections:directive_detail", "inspections:directive_pdf", "inspections:directive_evidence",
             "inspections:referral_list", "inspections:referral_detail"}
    assert set(MATRIX) - reads == set(WRITES)


@pytest.mark.parametrize(("name", "role"), WRITE_CASES, ids=[f"{n}-{r}" for n, r in WRITE_CASES])
def test_refused_post_changes_nothing_and_the_rightful_post_succeeds(w, name, role):
    write = WRITES[name]
    url = write_url(name, write, w)
    before = write.state(w)

    response = client_for(w, role).post(url, write.data(w))
    if write.refused[role] == NOT_FOUND:
        assert response.status_code == 404, response.status_code
        if write.obj is not None:
            missing = client_for(w, role).post(write_url(name, write, w, MISSING_PK), write.data(w))
            assert missing.status_code == 404
            assert normalised(response) == normalised(missing)
    elif write.refused[role] == REDIRECT:
        assert response.status_code == 302 and response["Location"] == MATRIX[name].redirect_to(w, role)
    elif write.refused[role] == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 200, response.status_code
        assert response.context["form"].errors
    assert write.state(w) == before

    rightful = client_for(w, write.rightful).post(url, write.data(w))
    form = rightful.context["form"] if rightful.context and "form" in rightful.context else None
    assert rightful.status_code == 302, form.errors if form is not None else rightful.status_code
    assert write.state(w) != before


# --- Fields a rule keeps to regulators (issue 8 item 4) ---------------------------------------------

@dataclass(frozen=True)
class Owned:
    """A field on a form the role may open and save, which a rule keeps to others: the refused roles' POST
    saves (what they may change) but leaves this field as it was; the rightful role's POST changes it."""

    name: str
    obj: Callable[[dict], object]
    field: str
    value: str
    refused: tuple[str, ...]
    rightful: str


def _registered_edit_data(w, **changes):
    equipment = Equipment.objects.get(pk=_registered_equipment(w).pk)
    return _equipment_data(w, version=equipment.version, code=equipment.code, **changes)


OWNED = [
    # Whether registered equipment serves a public gathering place raises the unit's grade: regulators correct it.
    Owned("units:equipment_edit", _registered_equipment, "place_kind", "mall", refused=("enterprise",),
          rightful="station"),
    # The next inspection date comes from the inspection record: regulators only, for now.
    Owned("units:equipment_edit", _registered_equipment, "next_inspection_on", "2030-06-01", refused=("enterprise",),
          rightful="station"),
    # The place of use is a registered fact: changed by the registrar (REGISTER_EQUIPMENT: the city, and 城关区
    # while delegated in ``w``) deciding a 变更, not by the unit or the station.
    Owned("units:equipment_edit", _registered_equipment, "location", "矩阵变更后地点",
          refused=("enterprise", "station"), rightful="city"),
]
OWNED_CASES = [(o, role) for o in OWNED for role in o.refused]


def _owned_data(owned: Owned, w: dict) -> dict:
    return _registered_edit_data(w, **{owned.field: owned.value})


def _owned_state(owned: Owned, w: dict) -> str:
    obj = owned.obj(w)
    return str(type(obj).objects.values_list(owned.field, flat=True).get(pk=obj.pk))


@pytest.mark.parametrize(("owned", "role"), OWNED_CASES, ids=[f"{o.name}.{o.field}-{r}" for o, r in OWNED_CASES])
def test_a_regulator_owned_field_is_unchanged_by_a_refused_post_and_changed_by_the_rightful(w, owned, role):
    url = reverse(owned.name, args=[owned.obj(w).pk])
    before = _owned_state(owned, w)
    assert before != owned.value

    response = client_for(w, role).post(url, _owned_data(owned, w))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert _owned_state(owned, w) == before

    response = client_for(w, owned.rightful).post(url, _owned_data(owned, w))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert _owned_state(owned, w) == owned.value


def test_get_never_changes_state(w):
    """State changes are POST only: opening the toggle/revoke pages as the rightful user changes nothing."""
    station = w["users"]["station"]
    toggle = reverse("jurisdictions:user_toggle_active", args=[station.pk])
    revoke = reverse("jurisdictions:delegation_revoke", args=[w["delegation"].pk])
    assert client_for(w, "county").get(toggle).status_code == 200
    assert client_for(w, "city").get(revoke).status_code == 200
    assert User.objects.get(pk=station.pk).is_active
    assert Delegation.objects.get(pk=w["delegation"].pk).revoked_at is None


DOWNLOADS = ("units:application_document", "units:application_decision", "units:equipment_certificate",
             "units:unit_licence", "personnel:unit_staff_pdf", "personnel:appointment_document",
             "findings:evidence")


@pytest.mark.parametrize("name", DOWNLOADS)
@pytest.mark.parametrize("role", ("county", "enterprise"))
def test_every_document_download_is_a_security_event_naming_reader_and_file(w, name, role):
    from jurisdictions.models import AuditEvent

    url = reverse(name, args=[MATRIX[name].obj(w).pk])
    before = AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD).count()

    response = client_for(w, role).get(url)

    assert response.status_code == 200
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD)
    assert events.count() == before + 1
    event = events.latest("pk")
    assert event.username == w["users"][role].username and event.detail["file"]
    assert event.detail["file"] in response["Content-Disposition"] or "filename*" in response["Content-Disposition"]


def test_a_refused_download_writes_no_download_event(w):
    from jurisdictions.models import AuditEvent

    url = reverse("units:equipment_certificate", args=[_registered_equipment(w).pk])
    assert client_for(w, "other_enterprise").get(url).status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD).exists()
