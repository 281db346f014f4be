from django.contrib import admin

from portal.kit.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("task", "created_at", "sent_at", "attempts")
    list_filter = ("sent_at",)
    readonly_fields = ("task", "args", "kwargs", "dedup_key", "created_at", "sent_at", "attempts", "last_error")
