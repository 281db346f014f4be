"""The Django admin is the system administrator's console: technical models only (docs/accounts.md).

三员分立 (GB/T 22239-2019 level 3): the system administrator configures and reads no personal or
business records. So units, equipment, people, delegations and the security-event log are not
registered here — they are read in the portal, through the access spine, by the roles that hold them
(the audit log at ``/audit/`` by holders of 查看审计日志). What stays: accounts (without their roles,
which regulators assign in the portal so grants and audit stay true), the jurisdiction tree read-only,
lockouts (to lift one early), and the outbox.
"""

from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from mptt.admin import MPTTModelAdmin

from jurisdictions import audit
from jurisdictions.models import AuditEvent, Jurisdiction, User
from jurisdictions.services import end_sessions

# Role groups are labels the services keep in step with the guardian grants; editing them grants nothing.
# Login history is the audit administrator's record (the portal's /audit/ has it too), not the console's.
for model in (Group, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Jurisdiction)
class JurisdictionAdmin(MPTTModelAdmin):
    """Read-only: tree writes belong to jurisdictions.services (advisory lock, audit)."""

    list_display = ("name", "code", "tier")
    search_fields = ("name", "code")
    list_filter = ("tier",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Accounts as a technical object: sign-in name, password, active, staff. Role and jurisdiction are
    shown, not edited: assigning them is the security administrator's act at ``/accounts/users/``,
    where the grants follow and the change is audited."""

    list_display = ("username", "display_name", "role", "jurisdiction", "is_active", "is_superuser")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "display_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("账号信息"), {"fields": ("display_name", "email")}),
        (_("状态"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("监管属性（在门户“账号管理”中分配）"), {"fields": ("role", "jurisdiction", "created_by")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("role", "jurisdiction", "created_by", "last_login", "date_joined")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            end_sessions(obj)

    def log_addition(self, request, obj, message):
        audit.record(AuditEvent.Kind.ACCOUNT_CREATED, user=request.user, obj=obj, detail={"via": "admin"})
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        """Every console edit of an account, its password included, lands in the security-event log."""
        audit.record(AuditEvent.Kind.ACCOUNT_CHANGED, user=request.user, obj=obj,
                     detail={"via": "admin", "change": message})
        return super().log_change(request, obj, message)
