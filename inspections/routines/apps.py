from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutinesConfig(AppConfig):
    name = "inspections.routines"
    label = "routines"
    verbose_name = _("日管控、周排查、月调度")

    def ready(self):
        from inspections.routines.services import follow_unit
        from inspections.routines.todos import self_check_records
        from portal.inbox import todos
        from units.signals import unit_moved

        todos.register(self_check_records)
        unit_moved.connect(follow_unit, dispatch_uid="routines.follow_unit")
