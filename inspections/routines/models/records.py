"""The three records of 日管控、周排查、月调度 (Order 74 Art. 142–144; docs/domain.md §Self-check records).

Each record is filed once and locked: no UPDATE or DELETE reaches its row (database triggers refuse
both), a correction is an ``Amendment`` that keeps the original, and every locked record carries a seal,
the SHA-256 of its content chained to the unit's previous record (``UnitChain``), so a regulator's
verification recomputes the chain and names a row altered outside the amendment path (可核实, 002 §二(二)).

The server's clock dates every record: ``filed_at`` is when it arrived, ``late`` (补录) says it arrived after
the period it is for, and nothing back-dates it.

``DailyCheck`` is the big table (~65M rows a year at Gansu ×3): one row per check, whatever its number of
items — ``positions`` lists the risk-list rows checked and ``exceptions`` holds only the rows that were not
正常 — partitioned by month on ``day`` (``inspections.routines.partitions``), with the ancestor-id columns
every big table carries (docs/access.md §Scoping).
"""

import datetime
from pathlib import Path

import pgtrigger
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.routines.choices import CheckResult, ExemptionKind, ItemResult, Period
from inspections.routines.models.risk import RiskListVersion
from jurisdictions.models import Placed, tier_indexes
from personnel.models import Person
from portal.kit.models import generated_name
from units.models import Equipment, Unit


def utc(moment) -> str:
    """A timestamp as the seal reads it: the same instant gives the same text whatever zone it came in."""
    return moment.astimezone(datetime.UTC).isoformat()


def locked(prefix: str) -> list:
    """A filed record is never changed nor removed (存档备查): corrections are amendments."""
    return [pgtrigger.Protect(name=f"{prefix}_locked", operation=pgtrigger.Update | pgtrigger.Delete)]


class Sealed(Placed):
    """A locked record of one unit, sealed into the unit's chain when it is filed."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    filed_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("填报账号"))
    signer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("签字人"))
    filed_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    late = models.BooleanField(_("补录"), default=False)
    chain_seq = models.PositiveIntegerField(_("链序号"))
    seal = models.CharField(_("校验值"), max_length=64)

    unit_path = "unit"

    class Meta:
        abstract = True

    def sealed_content(self) -> dict:
        """What the seal covers: every field a reader relies on, in a form that survives a round trip."""
        return {"kind": self._meta.model_name, "id": self.pk, "unit": self.unit_id, "filed_by": self.filed_by_id,
                "signer": self.signer_id, "filed_at": utc(self.filed_at), "late": self.late}


class DailyCheck(Sealed):
    """每日安全检查记录 (Order 74 Art. 142), filed by a safety officer in post; all 正常 is 零风险报告."""

    id = models.BigAutoField(primary_key=True)
    # The big table keeps no index it does not read: scoping goes through the tier indexes, a unit's checks
    # through the one-per-period key.
    jurisdiction = models.ForeignKey("jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="+",
                                     db_index=False, verbose_name=_("所属辖区"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("单位"))
    filed_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, related_name="+", db_index=False,
                                 verbose_name=_("填报账号"))
    signer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False,
                               verbose_name=_("签字人"))
    day = models.DateField(_("检查日期"))
    period = models.CharField(_("时段"), max_length=8, choices=Period.choices, default=Period.FULL)
    risk_version = models.ForeignKey(RiskListVersion, on_delete=models.PROTECT, related_name="+", db_index=False,
                                     verbose_name=_("清单版本"))
    positions = ArrayField(models.PositiveSmallIntegerField(), verbose_name=_("检查项"))
    # {"<position>": {"r": "abnormal" | "na", "note": "…", "finding": id}}: only the rows that were not 正常.
    exceptions = models.JSONField(_("异常及无此项"), default=dict, blank=True)
    result = models.CharField(_("总体结论"), max_length=16, choices=CheckResult.choices)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("每日安全检查记录")
        verbose_name_plural = _("每日安全检查记录")
        # Declared for Django's state; the migration creates them on the partitioned table by hand.
        indexes = [
            *tier_indexes("dailycheck", "-day", "-id"),
            models.Index(fields=["filed_at"], name="dailycheck_filed_at_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["unit", "day", "period"], name="dailycheck_one_per_period")]
        triggers = locked("dailycheck")

    def __str__(self):
        return _("%(day)s 每日安全检查记录") % {"day": self.day}

    def get_absolute_url(self):
        return reverse("routines:daily_check", args=[self.pk])

    @property
    def abnormal_positions(self) -> list[int]:
        return sorted(int(p) for p, e in self.exceptions.items() if e.get("r") == ItemResult.ABNORMAL)

    def result_of(self, position: int) -> str:
        return self.exceptions.get(str(position), {}).get("r", ItemResult.NORMAL)

    def sealed_content(self) -> dict:
        return {**super().sealed_content(), "day": self.day.isoformat(), "period": self.period,
                "risk_version": self.risk_version_id, "positions": list(self.positions),
                "exceptions": self.exceptions, "result": self.result, "note": self.note}


def _photo_path(instance, filename):
    return generated_name("routines", Path(filename).suffix.lower())


class CheckPhoto(models.Model):
    """A photo of one item of a daily check, re-encoded without metadata, with the time it was received.

    The check's table is partitioned, so its key is (id, day) and no foreign key can point at it; the photo
    names both columns and the service that writes it is the one place that sets them.
    """

    check_id = models.BigIntegerField()
    check_day = models.DateField()
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("检查项"))
    file = models.FileField(_("照片"), upload_to=_photo_path)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)
    uploaded_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, related_name="+")

    unit_path = "unit"
    access_path = "unit__jurisdiction"

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")
        indexes = [models.Index(fields=["check_id", "position"], name="checkphoto_check_idx")]
        triggers = locked("checkphoto")

    def __str__(self):
        return f"{self.check_id}:{self.position}"


class WeeklyReport(Sealed):
    """每周安全排查治理报告 (Order 74 Art. 143), signed by the safety director; ``figures`` is the week as the
    portal counted it at signing (daily checks due / on time / 补录, hazards found / rectified / open / overdue)."""

    week_start = models.DateField(_("周起始日"))
    figures = models.JSONField(_("本周统计"), default=dict)
    findings_summary = models.TextField(_("排查情况"), max_length=2000, blank=True)
    assessment = models.TextField(_("总监评估意见"), max_length=2000)
    next_focus = models.TextField(_("下周工作重点"), max_length=2000)

    class Meta:
        verbose_name = _("每周安全排查治理报告")
        verbose_name_plural = _("每周安全排查治理报告")
        indexes = [*tier_indexes("weeklyreport", "-week_start")]
        constraints = [models.UniqueConstraint(fields=["unit", "week_start"], name="weeklyreport_one_per_week")]
        triggers = locked("weeklyreport")

    def __str__(self):
        return _("%(start)s 起一周排查治理报告") % {"start": self.week_start}

    def get_absolute_url(self):
        return reverse("routines:weekly_report", args=[self.pk])

    def sealed_content(self) -> dict:
        return {**super().sealed_content(), "week_start": self.week_start.isoformat(), "figures": self.figures,
                "findings_summary": self.findings_summary, "assessment": self.assessment,
                "next_focus": self.next_focus}


MINUTES_TEXTS = ("problems", "rectification", "unresolved", "dispatch", "other_matters", "measures")


class MonthlyMinutes(Sealed):
    """每月安全调度会议纪要 (Order 74 Art. 144), chaired and signed by the principal
    (docs/domain.md §Self-check records).

    ``attendees`` keeps each attendee's id and name as they were at the meeting, so the minutes read the
    same after a person leaves.
    """

    month = models.DateField(_("月份"))
    held_at = models.DateTimeField(_("会议时间"))
    location = models.CharField(_("会议地点"), max_length=200)
    recorder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    attendees = models.JSONField(_("参会人员"), default=list)
    figures = models.JSONField(_("本月统计"), default=dict)
    problems = models.TextField(_("本月巡查主要问题"), max_length=2000, blank=True)
    rectification = models.TextField(_("整改方案落实情况"), max_length=2000, blank=True)
    unresolved = models.TextField(_("未解决的问题"), max_length=2000, blank=True)
    dispatch = models.TextField(_("月调度内容"), max_length=2000, blank=True)
    other_matters = models.TextField(_("其他安全事项"), max_length=2000, blank=True)
    measures = models.TextField(_("会议研究采取的措施"), max_length=2000, blank=True)
    # [{"position", "content", "owner", "owner_name", "due_on"}]: what was decided, sealed; ``MinutesAction``
    # rows track each one until done.
    decisions = models.JSONField(_("决议事项"), default=list)

    class Meta:
        verbose_name = _("每月安全调度会议纪要")
        verbose_name_plural = _("每月安全调度会议纪要")
        indexes = [*tier_indexes("monthlyminutes", "-month")]
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="monthlyminutes_one_per_month")]
        triggers = locked("monthlyminutes")

    def __str__(self):
        return _("%(month)s 安全调度会议纪要") % {"month": self.month.strftime("%Y-%m")}

    def get_absolute_url(self):
        return reverse("routines:monthly_minutes", args=[self.pk])

    def sealed_content(self) -> dict:
        return {**super().sealed_content(), "month": self.month.isoformat(), "held_at": utc(self.held_at),
                "location": self.location, "recorder": self.recorder_id, "attendees": self.attendees,
                "figures": self.figures, **{f: getattr(self, f) for f in MINUTES_TEXTS},
                "decisions": self.decisions}


class MinutesAction(models.Model):
    """A decision of the meeting with its owner and due date, tracked until done: the part of the minutes that
    moves (what was decided is sealed with the minutes, in ``MonthlyMinutes.decisions``)."""

    class Status(models.TextChoices):
        OPEN = "open", _("未完成")
        DONE = "done", _("已完成")

    minutes = models.ForeignKey(MonthlyMinutes, on_delete=models.PROTECT, related_name="actions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("序号"))
    content = models.CharField(_("决议事项"), max_length=500)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人"))
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    done_note = models.CharField(_("完成情况"), max_length=500, blank=True)

    unit_path = "unit"
    access_path = "minutes__jurisdiction"

    class Meta:
        verbose_name = _("决议事项")
        verbose_name_plural = _("决议事项")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["minutes", "position"], name="minutesaction_position_unique")]
        indexes = [models.Index(fields=["unit", "due_on"], name="minutesaction_open_idx",
                                condition=models.Q(status="open"))]
        triggers = [pgtrigger.Protect(name="minutesaction_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return self.content


class Amendment(Placed):
    """更正: a correction of a locked record, kept beside the original, with who, when and why (sealed too).

    ``changes`` maps each corrected field to ``[original, corrected]``; a reader shows the corrected value
    and the original both.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    record_id = models.BigIntegerField()
    record = GenericForeignKey("record_type", "record_id")
    changes = models.JSONField(_("更正内容"))
    reason = models.CharField(_("更正原因"), max_length=500)
    filed_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("更正人"))
    signer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("签字人"))
    filed_at = models.DateTimeField(_("更正时间"), default=timezone.now)
    chain_seq = models.PositiveIntegerField(_("链序号"))
    seal = models.CharField(_("校验值"), max_length=64)

    unit_path = "unit"

    class Meta:
        verbose_name = _("记录更正")
        verbose_name_plural = _("记录更正")
        indexes = [models.Index(fields=["record_type", "record_id", "filed_at"], name="amendment_record_idx")]
        triggers = locked("amendment")

    def __str__(self):
        return _("更正 #%(pk)s") % {"pk": self.pk}

    def sealed_content(self) -> dict:
        return {"kind": "amendment", "id": self.pk, "unit": self.unit_id, "record_type": self.record_type_id,
                "record_id": self.record_id, "changes": self.changes, "reason": self.reason,
                "filed_by": self.filed_by_id, "signer": self.signer_id, "filed_at": utc(self.filed_at)}


class UnitChain(models.Model):
    """The head of a unit's seal chain: locked while a record is sealed, so a unit's seals form one line."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, primary_key=True, related_name="+")
    length = models.PositiveIntegerField(default=0)
    head = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("记录校验链")
        verbose_name_plural = _("记录校验链")
        triggers = [pgtrigger.Protect(name="unitchain_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.unit_id}#{self.length}"


class Exemption(Placed):
    """Why nothing (or less) is expected of a unit or one piece of its equipment for some days (002 附件 6).

    停产 (the unit's status) and 停用 (the equipment's registration status) are recorded by the roll-up as it
    sees them change; a 临时停用 is entered by the unit with its dates and reason. Each is shown to the
    regulators with its reason; none is removed — an early end is recorded as its ``ends_on``.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("设备"))
    kind = models.CharField(_("类型"), max_length=24, choices=ExemptionKind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=500)
    recorded_by = models.ForeignKey("jurisdictions.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    unit_path = "unit"

    class Meta:
        verbose_name = _("暂不执行记录")
        verbose_name_plural = _("暂不执行记录")
        indexes = [
            *tier_indexes("exemption", "-starts_on", "-id"),
            models.Index(fields=["unit", "starts_on"], name="exemption_unit_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="exemption_ends_after_start"),
            models.CheckConstraint(condition=~models.Q(kind=ExemptionKind.EQUIPMENT_SUSPENDED)
                                   | models.Q(equipment__isnull=False), name="exemption_suspension_names_equipment"),
            models.CheckConstraint(condition=~models.Q(kind=ExemptionKind.PRODUCTION_STOPPED)
                                   | models.Q(equipment__isnull=True), name="exemption_stop_is_unit_wide"),
        ]
        triggers = [pgtrigger.Protect(name="exemption_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_on}–{self.ends_on or ''}"

    def covers(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)
