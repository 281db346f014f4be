"""The duty matrix of seed 000 §一–§四, written down once.

WHAT a regulator may do is the intersection of its tier's duties (from the notice) and its role's
duties (leader / inspector / clerk); WHERE is the jurisdiction node the account is bound to, with
its whole subtree. Enterprise accounts hold the enterprise duties on their own unit only.
Changing who may do what is an edit to this file and nothing else (docs/access.md §Duties).
"""

import enum

from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    STATION = "station", _("市场监管所")


class Role(models.TextChoices):
    LEADER = "leader", _("负责人")
    INSPECTOR = "inspector", _("监察员")
    CLERK = "clerk", _("业务员")
    ENTERPRISE = "enterprise", _("企业用户")


REGULATOR_ROLES = (Role.LEADER, Role.INSPECTOR, Role.CLERK)


class Duty(models.TextChoices):
    """Object permissions declared on ``Jurisdiction`` (regulators) and ``Unit`` (enterprises).

    Labels are plain strings because they also become permission names stored by migrations,
    which must not depend on the active language; ``gettext_noop`` marks them for the catalogue and
    ``duty_label`` translates one where it is shown.
    """

    VIEW = "view_records", gettext_noop("查看辖区数据")
    MANAGE_ACCOUNTS = "manage_accounts", gettext_noop("管理账号")
    MANAGE_UNITS = "manage_units", gettext_noop("管理辖区单位")
    MANAGE_JURISDICTIONS = "manage_jurisdictions", gettext_noop("维护辖区与市场监管所")
    REGISTER_EQUIPMENT = "register_equipment", gettext_noop("办理使用登记")
    DELEGATE_REGISTRATION = "delegate_registration", gettext_noop("委托使用登记")
    ACCEPT_NOTIFICATIONS = "accept_notifications", gettext_noop("受理安装改造修理告知")
    PLAN_INSPECTIONS = "plan_inspections", gettext_noop("制定年度常规监督检查计划")
    INSPECT = "inspect", gettext_noop("实施监督检查")
    ISSUE_DIRECTIVE = "issue_directive", gettext_noop("下达安全监察指令书")
    SPECIAL_CAMPAIGNS = "special_campaigns", gettext_noop("组织专项监督检查")
    LICENSE_PRODUCTION = "license_production", gettext_noop("生产与充装单位许可")
    CERTIFY_OPERATORS = "certify_operators", gettext_noop("作业人员资格认定")
    ASSESS_PERSONNEL = "assess_personnel", gettext_noop("安全总监与安全员监督抽查考核")
    REPORT_INCIDENT = "report_incident", gettext_noop("事故报告与应急处置")
    HANDLE_RECOMMENDATIONS = "handle_recommendations", gettext_noop("三书一函办理")
    VIEW_STATISTICS = "view_statistics", gettext_noop("统计分析")
    VIEW_AUDIT = "view_audit", gettext_noop("查看审计日志")
    REVEAL_PERSONAL_INFO = "reveal_personal_info", gettext_noop("查看完整身份信息")
    # Enterprise-side duties, held on the unit (seed 002).
    EDIT_UNIT = "edit_unit", gettext_noop("维护本单位信息")
    KEEP_RECORDS = "keep_records", gettext_noop("填报本单位记录")
    MANAGE_UNIT_ACCOUNTS = "manage_unit_accounts", gettext_noop("管理本单位账号")


D = Duty

# tier → {duty: seed section that assigns it}. Common duties (view, accounts, audit) are the
# portal's own: every tier must see and administer its own area to do anything else.
TIER_DUTIES: dict[str, dict[Duty, str]] = {
    Tier.PROVINCE: {
        D.VIEW: "000 §一",
        D.MANAGE_ACCOUNTS: "000 §五(三)",
        D.MANAGE_UNITS: "000 §一(二)",
        D.MANAGE_JURISDICTIONS: "000 §一(八)",
        D.LICENSE_PRODUCTION: "000 §一(一)",
        D.INSPECT: "000 §一(一)",
        D.ISSUE_DIRECTIVE: "000 §一(一)",
        D.SPECIAL_CAMPAIGNS: "000 §一(七)",
        D.CERTIFY_OPERATORS: "000 §一(三)",
        D.REPORT_INCIDENT: "000 §一(六)",
        D.HANDLE_RECOMMENDATIONS: "000 §五(三)",
        D.VIEW_STATISTICS: "000 §一(十一)",
        D.VIEW_AUDIT: "000 §一(八)",
        D.ASSESS_PERSONNEL: "002 附件 8（县级以上市场监管部门）",
        D.REVEAL_PERSONAL_INFO: "002 附件 11（省局汇总上报总局平台）",
    },
    Tier.CITY: {
        D.VIEW: "000 §二",
        D.MANAGE_ACCOUNTS: "000 §二(七)",
        D.MANAGE_UNITS: "000 §二(二)",
        D.MANAGE_JURISDICTIONS: "000 §二(七)",
        D.REGISTER_EQUIPMENT: "000 §二(二)",
        D.DELEGATE_REGISTRATION: "000 §二(二)",
        D.ACCEPT_NOTIFICATIONS: "000 §二(二)",
        D.PLAN_INSPECTIONS: "000 §二(一), §二(二)",
        D.INSPECT: "000 §二(一)",
        D.ISSUE_DIRECTIVE: "000 §二(一)",
        D.SPECIAL_CAMPAIGNS: "000 §二(六)",
        D.CERTIFY_OPERATORS: "000 §二(三)",
        D.REPORT_INCIDENT: "000 §二(五)",
        D.HANDLE_RECOMMENDATIONS: "000 §五(三)",
        D.VIEW_STATISTICS: "000 §二(十)",
        D.VIEW_AUDIT: "000 §二(七)",
        D.ASSESS_PERSONNEL: "002 附件 8（县级以上市场监管部门）",
        D.REVEAL_PERSONAL_INFO: "002 附件 10（督促补充填报、核对身份信息）",
    },
    Tier.COUNTY: {
        D.VIEW: "000 §三",
        D.MANAGE_ACCOUNTS: "000 §三(六)",
        D.MANAGE_UNITS: "000 §三(二)",
        D.INSPECT: "000 §三(一), §三(二)",
        D.ISSUE_DIRECTIVE: "000 §三(二)",
        D.SPECIAL_CAMPAIGNS: "000 §三(五)",
        D.ASSESS_PERSONNEL: "000 §三(七); 002 附件 8",
        D.REPORT_INCIDENT: "000 §三(四)",
        D.HANDLE_RECOMMENDATIONS: "000 §五(三)",
        D.VIEW_STATISTICS: "000 §三(八)",
        D.VIEW_AUDIT: "000 §三(六)",
        D.REVEAL_PERSONAL_INFO: "002 附件 8（监督抽查考核核对身份）",
    },
    Tier.STATION: {
        D.VIEW: "000 §四",
        D.MANAGE_UNITS: "000 §四",
        D.INSPECT: "000 §四",
        D.REPORT_INCIDENT: "000 §四",
    },
}

# Duties a tier may receive from its parent by delegation (委托), never by default.
DELEGABLE: dict[Duty, tuple[str, str]] = {
    # duty: (tier that delegates, tier that receives) — 000 §二(二), §三(二)
    D.REGISTER_EQUIPMENT: (Tier.CITY, Tier.COUNTY),
}

class Write(enum.Enum):
    """A change to a unit's own data, made by one of two kinds of account with different duties.

    The unit files its own information and records (seed 002: 企业落实主体责任, 自行填报); the regulator
    that manages the unit may correct them (000 §三(二), §四 属地监管). ``access.scope``/``can`` accept a
    ``Write`` wherever they accept a duty and resolve it for the user at hand, so this rule is
    written here and nowhere else.
    """

    UNIT = (Duty.EDIT_UNIT, Duty.MANAGE_UNITS)
    RECORDS = (Duty.KEEP_RECORDS, Duty.MANAGE_UNITS)
    UNIT_ACCOUNTS = (Duty.MANAGE_UNIT_ACCOUNTS, Duty.MANAGE_UNITS)
    # 销号: a hazard the unit found itself is closed by the unit (Order 74 Art. 143, the director's weekly
    # 排查治理), and the regulator inspecting the unit may verify or send back any finding (000 §三(一), §四).
    VERIFICATION = (Duty.KEEP_RECORDS, Duty.INSPECT)

    def duty_for(self, *, enterprise: bool) -> Duty:
        enterprise_duty, regulator_duty = self.value
        return enterprise_duty if enterprise else regulator_duty


# Enterprise accounts: seed 002 — the unit fills in its own staff and records and sees its own data,
# including the full identity details it entered itself (each reveal audited).
ENTERPRISE_DUTIES: frozenset[Duty] = frozenset({D.VIEW, D.EDIT_UNIT, D.KEEP_RECORDS, D.MANAGE_UNIT_ACCOUNTS,
                                               D.REVEAL_PERSONAL_INFO})
ENTERPRISE_ONLY: frozenset[Duty] = frozenset({D.EDIT_UNIT, D.KEEP_RECORDS, D.MANAGE_UNIT_ACCOUNTS})

ROLE_DUTIES: dict[str, frozenset[Duty]] = {
    Role.LEADER: frozenset(Duty) - ENTERPRISE_ONLY,
    Role.INSPECTOR: frozenset(
        {D.VIEW, D.INSPECT, D.ISSUE_DIRECTIVE, D.SPECIAL_CAMPAIGNS, D.ASSESS_PERSONNEL, D.REPORT_INCIDENT,
         D.VIEW_STATISTICS, D.MANAGE_UNITS}
    ),
    Role.CLERK: frozenset(
        {D.VIEW, D.MANAGE_UNITS, D.REGISTER_EQUIPMENT, D.ACCEPT_NOTIFICATIONS, D.CERTIFY_OPERATORS,
         D.LICENSE_PRODUCTION, D.HANDLE_RECOMMENDATIONS, D.VIEW_STATISTICS, D.REPORT_INCIDENT}
    ),
}


def duties_for(tier: str, role: str) -> frozenset[Duty]:
    """The duties a regulator of ``role`` bound to a ``tier`` node holds there (delegations aside)."""
    return frozenset(TIER_DUTIES.get(tier, {})) & ROLE_DUTIES.get(role, frozenset())


def duty_label(duty: str) -> str:
    """A duty's label in the active language (``Duty.label`` itself stays the msgid)."""
    return gettext(Duty(duty).label)


def jurisdiction_permissions() -> list[tuple[str, str]]:
    return [(d.value, d.label) for d in Duty if d not in ENTERPRISE_ONLY]


def unit_permissions() -> list[tuple[str, str]]:
    return [(d.value, d.label) for d in sorted(ENTERPRISE_DUTIES)]
