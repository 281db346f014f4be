"""The compliance roll-up's tables (docs/domain.md §Compliance; ``inspections.routines.compliance``).

Expected against filed, per unit per month and per jurisdiction per day and per month, written by the nightly
roll-up so that no page scans the raw records: the regulators' page reads a node's rows and its children's, the
chase list one page of unit rows on a tier index. Nothing here is anyone's record: every row is rebuilt whole
for its month by each refresh, and kept out of the history.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from jurisdictions.models import Jurisdiction, Placed, tier_indexes
from units.models import Unit


def derived(to, **kwargs) -> models.ForeignKey:
    """A reference from a row the roll-up rebuilds whole every night: no index of its own and no database
    constraint, whose deferred checks cost more than the rest of the month's insert (every row names six rows)."""
    return models.ForeignKey(to, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False,
                             **kwargs)


class Figures(models.Model):
    """Days, weeks and months due and how they were filed: on time, 补录 (late) or not at all."""

    days_due = models.PositiveIntegerField(_("应检天数"), default=0)
    days_on_time = models.PositiveIntegerField(_("按时检查天数"), default=0)
    days_late = models.PositiveIntegerField(_("补录天数"), default=0)
    days_missing = models.PositiveIntegerField(_("缺报天数"), default=0)
    days_exempt = models.PositiveIntegerField(_("暂不执行天数"), default=0)
    weeks_due = models.PositiveIntegerField(_("应报周数"), default=0)
    weeks_on_time = models.PositiveIntegerField(_("按时报告周数"), default=0)
    weeks_late = models.PositiveIntegerField(_("补录周数"), default=0)
    computed_at = models.DateTimeField(_("统计时间"))

    class Meta:
        abstract = True

    @property
    def weeks_missing(self) -> int:
        return self.weeks_due - self.weeks_on_time - self.weeks_late


class UnitMonthCompliance(Figures, Placed):
    """One supervised unit's month: what was due (expected.py) and how it was filed.

    Placed where the unit was when counted, so the chase list is one equality on a tier column. ``shortfall``
    counts the records of the month not filed on time (missing or 补录): the unit is non-compliant when it is
    positive, and the list shows the worst first.
    """

    jurisdiction = derived(Jurisdiction, verbose_name=_("所属辖区"))
    province = derived(Jurisdiction, null=True, blank=True)
    city = derived(Jurisdiction, null=True, blank=True)
    county = derived(Jurisdiction, null=True, blank=True)
    station = derived(Jurisdiction, null=True, blank=True)
    unit = derived(Unit, verbose_name=_("单位"))
    month = models.DateField(_("月份"))
    month_due = models.BooleanField(_("应开调度会"), default=False)
    month_on_time = models.BooleanField(_("纪要按时"), default=False)
    month_late = models.BooleanField(_("纪要补录"), default=False)
    shortfall = models.PositiveIntegerField(_("未按时记录数"), default=0)

    unit_path = "unit"

    class Meta:
        verbose_name = _("单位月度履职统计")
        verbose_name_plural = _("单位月度履职统计")
        indexes = tier_indexes("unitmonth", "month", "-shortfall", "unit")
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="unitmonth_one_per_month")]

    def __str__(self):
        return f"{self.unit_id} {self.month:%Y-%m}"

    @property
    def month_missing(self) -> bool:
        return self.month_due and not (self.month_on_time or self.month_late)


class JurisdictionMonthCompliance(Figures):
    """A node's month for its whole subtree: the sums of its units' months, and how many units owed anything and
    how many fell short. ``months_*`` count units whose minutes were due, filed on time, filed late."""

    node = derived(Jurisdiction)
    month = models.DateField(_("月份"))
    units = models.PositiveIntegerField(_("单位数"), default=0)
    units_due = models.PositiveIntegerField(_("应履职单位数"), default=0)
    units_noncompliant = models.PositiveIntegerField(_("未按时履职单位数"), default=0)
    months_due = models.PositiveIntegerField(_("应开调度会单位数"), default=0)
    months_on_time = models.PositiveIntegerField(_("纪要按时单位数"), default=0)
    months_late = models.PositiveIntegerField(_("纪要补录单位数"), default=0)

    access_path = "node"

    class Meta:
        verbose_name = _("辖区月度履职统计")
        verbose_name_plural = _("辖区月度履职统计")
        constraints = [models.UniqueConstraint(fields=["node", "month"], name="jurisdictionmonth_one_per_month")]

    def __str__(self):
        return f"{self.node_id} {self.month:%Y-%m}"


class JurisdictionDayCompliance(models.Model):
    """A node's day for its whole subtree: how many units owed that day's check, and filed it on time, filed it
    late (补录), did not file it, or were exempt."""

    node = derived(Jurisdiction)
    day = models.DateField(_("日期"))
    units_due = models.PositiveIntegerField(default=0)
    units_on_time = models.PositiveIntegerField(default=0)
    units_late = models.PositiveIntegerField(default=0)
    units_missing = models.PositiveIntegerField(default=0)
    units_exempt = models.PositiveIntegerField(default=0)

    access_path = "node"

    class Meta:
        verbose_name = _("辖区每日检查统计")
        verbose_name_plural = _("辖区每日检查统计")
        constraints = [models.UniqueConstraint(fields=["node", "day"], name="jurisdictionday_one_per_day")]

    def __str__(self):
        return f"{self.node_id} {self.day}"


class ComplianceRefresh(models.Model):
    """One run of the roll-up: when, which months, how long. The next run counts the records filed since this
    one started; the pages say when their figures were counted."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"))
    months = ArrayField(models.DateField(), verbose_name=_("统计月份"))
    seconds = models.FloatField(_("用时（秒）"))
    units = models.PositiveIntegerField(_("单位月数"), default=0)

    class Meta:
        verbose_name = _("履职统计运行记录")
        verbose_name_plural = _("履职统计运行记录")
        indexes = [models.Index(fields=["-started_at"], name="compliancerefresh_started_idx")]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M}"
