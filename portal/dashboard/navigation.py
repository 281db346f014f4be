"""The left navigation, by duty: a link shows only when the user holds its duty somewhere."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jurisdictions import access
from jurisdictions.access import ENTERPRISES, REGULATORS
from jurisdictions.duties import Duty


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    duty: str
    icon: str
    audience: str | None = None  # None: everyone holding the duty; else access.REGULATORS / ENTERPRISES


NAVIGATION = (
    NavItem(_("工作台"), "dashboard:home", Duty.VIEW, "speedometer2"),
    NavItem(_("辖区"), "jurisdictions:browse", Duty.VIEW, "diagram-3", audience=REGULATORS),
    NavItem(_("单位"), "units:unit_list", Duty.VIEW, "building", audience=REGULATORS),
    NavItem(_("本单位"), "dashboard:my_unit", Duty.VIEW, "building", audience=ENTERPRISES),
    NavItem(_("待确认单位"), "units:unit_pending_list", Duty.MANAGE_UNITS, "patch-check", audience=REGULATORS),
    NavItem(_("特种设备"), "units:equipment_list", Duty.VIEW, "gear"),
    NavItem(_("检验 30 天内到期"), "units:inspection_due_list", Duty.VIEW, "calendar-event"),
    NavItem(_("检验已超期"), "units:inspection_overdue_list", Duty.VIEW, "exclamation-triangle"),
    NavItem(_("使用登记申请"), "units:application_list", Duty.VIEW, "file-earmark-text"),
    NavItem(_("使用登记办理"), "units:application_queue", Duty.REGISTER_EQUIPMENT, "clipboard-check",
            audience=REGULATORS),
    NavItem(_("安装改造修理告知"), "units:notification_list", Duty.VIEW, "tools"),
    NavItem(_("本单位人员配备"), "personnel:my_staff", Duty.VIEW, "person-badge", audience=ENTERPRISES),
    NavItem(_("人员配备率"), "personnel:staffing", Duty.VIEW, "person-check", audience=REGULATORS),
    NavItem(_("人员"), "personnel:person_list", Duty.VIEW, "people"),
    NavItem(_("作业人员证"), "personnel:certificate_list", Duty.VIEW, "award"),
    NavItem(_("培训考核记录"), "personnel:training_list", Duty.VIEW, "mortarboard"),
    NavItem(_("监督抽查考核"), "personnel:assessment_list", Duty.VIEW, "clipboard-data"),
    NavItem(_("隐患整改"), "findings:finding_list", Duty.VIEW, "exclamation-octagon"),
    NavItem(_("安全风险管控清单"), "routines:my_risk_list", Duty.VIEW, "list-check", audience=ENTERPRISES),
    NavItem(_("日管控记录"), "routines:daily_check_list", Duty.VIEW, "clipboard-check"),
    NavItem(_("周排查报告"), "routines:weekly_report_list", Duty.VIEW, "calendar-week"),
    NavItem(_("月调度纪要"), "routines:monthly_minutes_list", Duty.VIEW, "calendar-month"),
    NavItem(_("履职日历"), "routines:my_calendar", Duty.VIEW, "calendar3", audience=ENTERPRISES),
    NavItem(_("日管控周排查月调度"), "routines:compliance", Duty.VIEW, "bar-chart-line", audience=REGULATORS),
    NavItem(_("暂不执行记录"), "routines:exemption_list", Duty.VIEW, "pause-circle", audience=REGULATORS),
    NavItem(_("参考模板下载"), "routines:references", Duty.VIEW, "file-earmark-arrow-down"),
    NavItem(_("监督检查记录"), "inspections:inspection_list", Duty.VIEW, "clipboard2-pulse"),
    NavItem(_("安全监察指令书"), "inspections:directive_list", Duty.VIEW, "file-earmark-ruled"),
    NavItem(_("移送处罚"), "inspections:referral_list", Duty.VIEW, "hammer", audience=REGULATORS),
    NavItem(_("三书一函"), "recommendations:recommendation_list", Duty.HANDLE_RECOMMENDATIONS, "envelope-paper",
            audience=REGULATORS),
    NavItem(_("年度检查计划"), "plans:plan_list", Duty.PLAN_INSPECTIONS, "shuffle", audience=REGULATORS),
    NavItem(_("监督检查任务"), "plans:task_list", Duty.INSPECT, "list-task", audience=REGULATORS),
    NavItem(_("专项检查"), "plans:campaign_list", Duty.SPECIAL_CAMPAIGNS, "megaphone", audience=REGULATORS),
    NavItem(_("监察员证"), "supervision:inspector_list", Duty.VIEW, "person-vcard", audience=REGULATORS),
    NavItem(_("账号管理"), "jurisdictions:user_list", Duty.MANAGE_ACCOUNTS, "people", audience=REGULATORS),
    NavItem(_("使用登记委托"), "jurisdictions:delegation_list", Duty.VIEW, "arrow-left-right", audience=REGULATORS),
    NavItem(_("审计日志"), "jurisdictions:audit_list", Duty.VIEW_AUDIT, "journal-text", audience=REGULATORS),
)


def items_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [
        item for item in NAVIGATION
        if access.can(user, item.duty) and access.in_audience(user, item.audience)
    ]
