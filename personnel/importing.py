"""Excel import of people and their posts (seed 002 附件 10: units that registered before the
campaign fill in their principal, directors and officers in bulk), on the units import machinery:
every row is checked in a dry run, and nothing is saved while any row has an error.

The columns are those of the national platform layout (``documents.NATIONAL_COLUMNS``) that a
unit fills in. An import never hands over a post: a row naming a post someone already holds at
the unit is refused, since replacing a principal or director is a decision made on the page.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jurisdictions import access
from jurisdictions.duties import Write
from jurisdictions.models import User
from personnel import rules, services
from personnel.choices import Post
from personnel.models import ID_PURPOSE, Appointment, Person
from portal.kit import crypto, imports
from portal.kit.identifiers import normalize_uscc, validate_id_number, validate_mobile
from portal.kit.wording import listing
from units import importing
from units.choices import UnitStatus
from units.models import ImportJob, Unit

COLUMNS = ("统一社会信用代码", "人员类别", "姓名", "居民身份证号码", "手机号码", "任职日期", "负责设备或岗位")
POST_WORDS = {str(label): value for value, label in Post.choices}


def plan(user: User, rows) -> tuple[list[dict], list[dict]]:
    errors, plans = [], []
    duty = Write.RECORDS
    usccs = {normalize_uscc(r["统一社会信用代码"]) for _n, r in rows}
    units = {u.uscc: u for u in access.scope(Unit.objects.all(), user, duty).filter(uscc__in=usccs)}
    held = {}  # (unit id, post) → in-office holder ids, for single-holder posts and concurrency
    for unit_id, post, person_id in Appointment.objects.filter(
            unit__in=units.values(), ended_on__isnull=True).values_list("unit_id", "post", "person_id"):
        held.setdefault((unit_id, post), set()).add(person_id)
    people = {(p.unit_id, p.id_digest): p for p in Person.objects.filter(unit__in=units.values())
              .only("pk", "unit_id", "id_digest", "name", "id_masked")}
    seen_posts: dict[tuple, int] = {}
    for number, r in rows:
        reasons = []
        uscc = normalize_uscc(r["统一社会信用代码"])
        unit = units.get(uscc)
        if unit is None:
            reasons.append(_("统一社会信用代码 %(c)s 不是您可以登记人员的单位（未登记或不在您的管辖范围内）。") % {
                "c": uscc or _("（空）")})
        elif unit.status in (UnitStatus.PENDING, UnitStatus.REJECTED):
            reasons.append(_("单位 %(name)s 尚未经属地市场监管所确认，暂不能登记人员。") % {"name": unit.name})
        post = POST_WORDS.get(r["人员类别"])
        if post is None:
            reasons.append(_("人员类别“%(v)s”无法识别，应为 %(all)s 之一。") % {
                "v": r["人员类别"], "all": listing(POST_WORDS)})
        elif unit is not None and post not in rules.posts_for(unit.kinds):
            reasons.append(_("%(kinds)s不设“%(post)s”。") % {"kinds": unit.get_kinds_display(), "post": r["人员类别"]})
        if not r["姓名"]:
            reasons.append(_("姓名不能为空。"))
        id_number = phone = None
        try:
            id_number = validate_id_number(str(r["居民身份证号码"])).number
        except ValidationError as exc:
            reasons.append(importing.messages_of(exc))
        try:
            phone = validate_mobile(str(r["手机号码"]))
        except ValidationError as exc:
            reasons.append(importing.messages_of(exc))
        try:
            started_on = importing.parse_date(r["任职日期"], _("任职日期"))
            if started_on is None:
                reasons.append(_("任职日期不能为空。"))
        except ValidationError as exc:
            reasons.append(importing.messages_of(exc))
        if not reasons:
            # Under every configured key: in the middle of a key rotation a person already on the books
            # may still be indexed under the older one.
            existing = next((people[(unit.pk, d)] for d in crypto.digests(id_number, ID_PURPOSE)
                             if (unit.pk, d) in people), None)
            if post in rules.SINGLE_HOLDER_POSTS and held.get((unit.pk, post)):
                reasons.append(_("%(name)s 已有在任%(post)s，更换请在人员配备页面办理。") % {
                    "name": unit.name, "post": r["人员类别"]})
            mismatch = existing and services.number_held_by_another_name(existing, str(r["姓名"]).strip()[:64])
            if mismatch:
                reasons.append(mismatch)
            if existing and existing.pk in held.get((unit.pk, post), ()):
                reasons.append(_("该人员已担任%(post)s。") % {"post": r["人员类别"]})
            key = (unit.pk, post if post in rules.SINGLE_HOLDER_POSTS else (post, id_number))
            if key in seen_posts:
                reasons.append(_("与第 %(n)d 行重复。") % {"n": seen_posts[key]})
            seen_posts.setdefault(key, number)
        if reasons:
            errors.append({"row": number, "reasons": reasons})
            continue
        plans.append({"unit": unit.pk, "post": post, "name": r["姓名"][:64], "id_number": id_number, "phone": phone,
                      "started_on": started_on, "covers": r["负责设备或岗位"][:200], "row": number})
    return errors, plans


def save(job: ImportJob, chunk: list[dict]) -> None:
    """Each row goes through the same service as the page (scope, concurrency rule, staffing recount,
    audit); a row the service refuses now refuses the whole import."""
    units = {u.pk: u for u in Unit.objects.filter(pk__in={p["unit"] for p in chunk})}
    for p in chunk:
        try:
            services.appoint_new_person(by=job.created_by, unit=units[p["unit"]], name=p["name"],
                                        id_number=p["id_number"], phone=p["phone"], post=p["post"],
                                        started_on=p["started_on"], covers=p["covers"])
        except ValidationError as exc:
            raise imports.RowsRefused([{"row": p["row"], "reasons": exc.messages}]) from exc


imports.register(imports.Importer(
    kind="people", label=gettext_lazy("人员任职"), title=gettext_lazy("导入人员任职"), columns=COLUMNS,
    duty=Write.RECORDS, plan=plan, save=save, upload_url_name="personnel:import",
    note=gettext_lazy("人员类别填写 主要负责人、安全总监、安全员、质量安全总监 或 质量安全员；"
                      "已有在任主要负责人或总监的单位，更换请在人员配备页面办理。")))
