import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from mptt.models import MPTTModel, TreeForeignKey

from jurisdictions.duties import REGULATOR_ROLES, Duty, Role, Tier, duty_label, jurisdiction_permissions

ANCESTOR_TIERS = (Tier.PROVINCE, Tier.CITY, Tier.COUNTY, Tier.STATION)


# Who outranks whom for a shared abbreviation (``Jurisdiction.abbreviation``).
ISSUING_RANK = {Tier.PROVINCE: 0, Tier.CITY: 1, Tier.COUNTY: 2}


@pghistory.track()
class Jurisdiction(MPTTModel):
    """A node of the supervision tree: province → city → county → station (docs/domain.md §Jurisdictions).

    The tree is not of uniform depth (嘉峪关 has no county tier, 甘肃矿区 has no children), so code
    asks a node's ``tier``, never its level. Writes go through ``jurisdictions.services`` under an
    advisory lock; concurrent mptt inserts corrupt ``lft``/``rght`` otherwise.
    """

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    tier = models.CharField(_("层级"), max_length=16, choices=Tier.choices)
    parent = TreeForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    access_path = "tree"

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("辖区")
        verbose_name_plural = _("辖区")
        permissions = jurisdiction_permissions()
        indexes = [
            models.Index(fields=["tree_id", "lft"], name="jurisdiction_tree_lft_idx"),
            models.Index(fields=["tier", "code"], name="jurisdiction_tier_code_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, tier=Tier.PROVINCE) | models.Q(parent__isnull=False),
                name="jurisdiction_only_province_is_root",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("jurisdictions:jurisdiction_detail", args=[self.pk])

    def abbreviation(self) -> str:
        """The issuer's short name in its documents' numbers, ``（城关）市监特令〔2026〕第3号``: the name's first two
        characters, as the bureaus abbreviate themselves. Where several county-or-higher nodes share those two
        (兰州市 and 兰州新区, 白银市 and 白银区, 临夏州, 临夏市 and 临夏县, 甘肃省 and 甘肃矿区), the highest tier —
        then the lowest code — keeps them and the others use their whole name (（兰州新区）, （临夏县）), so no two
        issuers' numbers can be the same."""
        prefix = self.name[:2]
        sharing = (Jurisdiction.objects.filter(name__startswith=prefix).exclude(tier=Tier.STATION)
                   .values_list("tier", "code"))
        first = min(sharing, key=lambda row: (ISSUING_RANK.get(row[0], len(ISSUING_RANK)), row[1]), default=None)
        if first is None or first[1] == self.code:
            return prefix
        return self.name

    def ancestor_ids(self) -> dict[str, int | None]:
        """``{"province_id": …, "city_id": …, "county_id": …, "station_id": …}`` for this node.

        Rows placed here copy these ids so that scoping is one indexed equality (docs/access.md §Scoping).
        """
        ids = {f"{tier}_id": None for tier in ANCESTOR_TIERS}
        for node in self.get_ancestors(include_self=True).only("id", "tier"):
            ids[f"{node.tier}_id"] = node.id
        return ids


class JurisdictionUserObjectPermission(UserObjectPermissionBase):
    """guardian grant of a duty on a node to a regulator; it covers the node's whole subtree."""

    content_object = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("辖区授权")
        verbose_name_plural = _("辖区授权")


class JurisdictionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE)


def tier_indexes(prefix: str, *fields: str, suffix: str = "") -> list[models.Index]:
    """One index per ancestor column, led by it (``{prefix}_{tier}{suffix}_idx``): a scoped list is one
    equality on its tier's column followed by ``fields``, its order (docs/access.md §Scoping)."""
    return [models.Index(fields=[tier, *fields], name=f"{prefix}_{tier}{suffix}_idx") for tier in ANCESTOR_TIERS]


class Placed(models.Model):
    """A row that lives in one jurisdiction and carries its ancestors' ids for cheap scoping.

    Set only through ``place()``, called by the service that creates or moves the row.
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属辖区")
    )
    province = models.ForeignKey(Jurisdiction, models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    city = models.ForeignKey(Jurisdiction, models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    county = models.ForeignKey(Jurisdiction, models.PROTECT, null=True, blank=True, related_name="+", db_index=False)
    station = models.ForeignKey(Jurisdiction, models.PROTECT, null=True, blank=True, related_name="+", db_index=False)

    access_path = "columns"

    class Meta:
        abstract = True

    def place(self, node: Jurisdiction, ancestor_ids: dict | None = None) -> None:
        self.jurisdiction = node
        for column, value in (ancestor_ids or node.ancestor_ids()).items():
            setattr(self, column, value)

    def place_with(self, other: "Placed") -> None:
        """Place this row where ``other`` is (equipment with its unit), without a tree query."""
        self.place(other.jurisdiction, {f"{tier}_id": getattr(other, f"{tier}_id") for tier in ANCESTOR_TIERS})


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who logs in: a regulator bound to one node, or an enterprise user bound to one unit.

    A regulator's powers are guardian grants on ``jurisdiction`` (see ``jurisdictions.services``);
    an enterprise user's are grants on its unit, and ``jurisdiction`` mirrors the unit's node so that
    regulators find the account in their subtree.
    """

    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("所属辖区")
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, blank=True)
    created_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("创建人")
    )

    access_path = "jurisdiction"

    class Meta(AbstractUser.Meta):
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="") | models.Q(jurisdiction__isnull=False),
                name="user_role_needs_jurisdiction",
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("jurisdictions:user_detail", args=[self.pk])

    @property
    def is_regulator(self) -> bool:
        return self.role in REGULATOR_ROLES

    @property
    def is_enterprise(self) -> bool:
        return self.role == Role.ENTERPRISE


class DelegationQuerySet(models.QuerySet):
    def active(self, on=None):
        today = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True, starts_on__lte=today, ends_on__gte=today)


@pghistory.track()
class Delegation(models.Model):
    """A city entrusts a county with one of its duties for a period (000 §二(二): 使用登记 may be
    delegated to the level below). The service grants and revokes the guardian permissions."""

    grantor = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="delegations_given", verbose_name=_("委托方")
    )
    grantee = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="delegations_received", verbose_name=_("受托方")
    )
    duty = models.CharField(_("委托事项"), max_length=64, choices=Duty.choices, default=Duty.REGISTER_EQUIPMENT)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("委托时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    objects = DelegationQuerySet.as_manager()
    access_path = "grantee"

    class Meta:
        verbose_name = _("委托")
        verbose_name_plural = _("委托")
        constraints = [
            models.UniqueConstraint(
                fields=["grantee", "duty"], condition=models.Q(revoked_at__isnull=True), name="delegation_one_open"
            ),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="delegation_period"),
        ]

    def __str__(self):
        return _("%(grantor)s → %(grantee)s：%(duty)s") % {
            "grantor": self.grantor, "grantee": self.grantee, "duty": self.get_duty_display()}

    def get_absolute_url(self):
        return reverse("jurisdictions:delegation_list")

    def get_duty_display(self) -> str:
        return duty_label(self.duty)

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.revoked_at is None and self.starts_on <= today <= self.ends_on


class AuditEvent(Placed):
    """Append-only security-event log (docs/security.md §Audit), written in the action's transaction.

    A database trigger refuses UPDATE and DELETE; only the retention purge may remove rows. The
    jurisdiction columns snapshot the actor's place so regulators browse their own subtree.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("账号锁定")
        LOGOUT = "logout", _("退出")
        ACCOUNT_CREATED = "account_created", _("创建账号")
        ACCOUNT_CHANGED = "account_changed", _("修改账号")
        ACCOUNT_DISABLED = "account_disabled", _("停用账号")
        ACCOUNT_ENABLED = "account_enabled", _("启用账号")
        PASSWORD_CHANGED = "password_changed", _("修改密码")
        PERMISSION_GRANTED = "permission_granted", _("授予权限")
        PERMISSION_REVOKED = "permission_revoked", _("撤销权限")
        DELEGATION_CREATED = "delegation_created", _("委托办理")
        DELEGATION_REVOKED = "delegation_revoked", _("撤销委托")
        ACCESS_DENIED = "access_denied", _("越权访问")
        EXPORT = "export", _("导出数据")
        DOWNLOAD = "download", _("下载文件")
        IMPORT = "import", _("导入数据")
        FULL_REVEAL = "full_reveal", _("查看完整个人信息")
        APPROVAL = "approval", _("审批")
        DATA_CHANGED = "data_changed", _("数据变更")
        TREE_CHANGED = "tree_changed", _("辖区调整")

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("所属辖区")
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+", verbose_name=_("操作人"),
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=16, blank=True)
    jurisdiction_name = models.CharField(_("辖区名称"), max_length=64, blank=True)
    kind = models.CharField(_("事件"), max_length=32, choices=Kind.choices)
    success = models.BooleanField(_("成功"), default=True)
    client_ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象 ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    request_id = models.CharField(_("请求 ID"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        indexes = [
            *tier_indexes("audit", "-at", suffix="_at"),
            models.Index(fields=["-at"], name="audit_at_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        at = formats.date_format(timezone.localtime(self.at), "DATETIME_FORMAT")
        return f"{at} {self.username} {self.get_kind_display()}"


class LoginSession(models.Model):
    """Which stored sessions belong to whom, so disabling an account can delete them at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")

    def __str__(self):
        return f"{self.user_id}:{self.session_key[:6]}…"
