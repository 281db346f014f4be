from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from mptt.admin import MPTTModelAdmin

from jurisdictions.models import AuditEvent, Delegation, Jurisdiction, User


@admin.register(Jurisdiction)
class JurisdictionAdmin(MPTTModelAdmin):
    """Read-mostly: tree writes belong to jurisdictions.services (advisory lock, audit)."""

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
    list_display = ("username", "display_name", "role", "jurisdiction", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "display_name")
    raw_id_fields = ("jurisdiction", "created_by")
    fieldsets = (*UserAdmin.fieldsets, ("监管属性", {"fields": ("display_name", "role", "jurisdiction")}))


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("grantor", "grantee", "duty", "starts_on", "ends_on", "revoked_at")
    raw_id_fields = ("grantor", "grantee", "created_by", "revoked_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "kind", "success", "client_ip", "object_repr")
    list_filter = ("kind", "success")
    search_fields = ("username", "object_repr")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
