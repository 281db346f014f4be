from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutinesConfig(AppConfig):
    name = "inspections.routines"
    label = "routines"
    verbose_name = _("日管控、周排查、月调度")

    def ready(self):
        from django.db.models.signals import post_save

        from inspections.routines import compliance
        from inspections.routines.services import follow_unit
        from inspections.routines.todos import self_check_records
        from portal.inbox import todos
        from units.models import Equipment, Unit
        from units.signals import unit_moved

        todos.register(self_check_records)
        unit_moved.connect(follow_unit, dispatch_uid="routines.follow_unit")
        unit_moved.connect(compliance.follow_unit, dispatch_uid="routines.compliance.follow_unit")
        # 停产停业 and 设备停用 exemptions open and end with the statuses (002 附件 6); the roll-up's
        # sync_exemptions catches what changes without a save.
        post_save.connect(compliance.unit_saved, sender=Unit, dispatch_uid="routines.unit_saved")
        post_save.connect(compliance.equipment_saved, sender=Equipment, dispatch_uid="routines.equipment_saved")
