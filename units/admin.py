from django.contrib import admin

from units.models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "jurisdiction", "status")
    search_fields = ("name", "uscc")
    raw_id_fields = ("jurisdiction", "province", "city", "county", "station")
    readonly_fields = ("jurisdiction", "province", "city", "county", "station")

    def has_add_permission(self, request):
        return False  # units are placed by units.services, which copies the ancestor ids
