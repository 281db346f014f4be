from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitKind(models.TextChoices):
    """Seed 002 distinguishes production, usage and filling units; one unit may be several."""

    PRODUCTION = "production", _("生产单位")
    USAGE = "usage", _("使用单位")
    FILLING = "filling", _("充装单位")


class UnitStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    ACTIVE = "active", pgettext_lazy("unit status", "正常")
    REJECTED = "rejected", _("已驳回")
    STOPPED = "stopped", _("停产停业")


# Confirmed units, the ones under supervision: what the staffing indicator counts and its lists show
# (pending or rejected sign-ups are not yet anyone's to supervise, and cannot enter people).
SUPERVISED_STATUSES = (UnitStatus.ACTIVE, UnitStatus.STOPPED)


class RiskGrade(models.TextChoices):
    """分级分类: SAMR credit-risk classes A–D (docs/domain.md §Supervision), A lowest risk."""

    A = "A", _("A 级（低风险）")
    B = "B", _("B 级（一般风险）")
    C = "C", _("C 级（较高风险）")
    D = "D", _("D 级（高风险）")


class PlaceKind(models.TextChoices):
    """Where a piece of equipment serves the public: Order 57 Art. 9 puts units with equipment in public gathering
    places (schools, hospitals, stations, malls, scenic spots…) on the 重点单位名录 (docs/domain.md §Risk grade)."""

    NONE = "", _("非公众聚集场所")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    STATION = "station", _("车站、机场、码头")
    MALL = "mall", _("商场")
    SCENIC_SPOT = "scenic_spot", _("景区")
    OTHER_PUBLIC = "other_public", _("其他公众聚集场所")


class EquipmentStatus(models.TextChoices):
    """docs/domain.md §Use registration: unregistered → in use ⇄ suspended (停用) → scrapped (报废) / deregistered
    (注销)."""

    UNREGISTERED = "unregistered", _("未登记")
    IN_USE = "in_use", _("在用")
    SUSPENDED = "suspended", pgettext_lazy("equipment status", "停用")
    SCRAPPED = "scrapped", _("报废")
    DEREGISTERED = "deregistered", pgettext_lazy("equipment status", "注销")


class ApplicationKind(models.TextChoices):
    REGISTER = "register", _("使用登记")
    CHANGE = "change", _("变更登记")
    SUSPEND = "suspend", pgettext_lazy("application kind", "停用")
    RESUME = "resume", pgettext_lazy("application kind", "启用")
    DEREGISTER = "deregister", pgettext_lazy("application kind", "注销")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    APPROVED = "approved", _("已办结")
    REJECTED = "rejected", _("不予办理")
    WITHDRAWN = "withdrawn", _("已撤回")


class DocumentKind(models.TextChoices):
    """TSG 08 documents for use registration (docs/domain.md §Use registration)."""

    FORM = "form", _("特种设备使用登记表")
    USCC_PROOF = "uscc_proof", _("统一社会信用代码证明")
    PRODUCT_CERTIFICATE = "product_certificate", _("产品合格证")
    SUPERVISION_CERTIFICATE = "supervision_certificate", _("监督检验证明")
    OTHER = "other", _("其他材料")


class NotificationKind(models.TextChoices):
    INSTALL = "install", _("安装")
    MODIFY = "modify", _("改造")
    REPAIR = "repair", _("修理")


class NotificationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已告知")
    ACKNOWLEDGED = "acknowledged", _("已确认")
