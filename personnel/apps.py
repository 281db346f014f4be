from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonnelConfig(AppConfig):
    name = "personnel"
    verbose_name = _("人员")

    def ready(self):
        from personnel import importing  # noqa: F401  (registers the people importer in portal.kit.imports)
        from personnel.services import follow_unit
        from personnel.todos import expiring_certificates
        from portal.inbox import todos
        from units.signals import unit_moved

        todos.register(expiring_certificates)
        unit_moved.connect(follow_unit, dispatch_uid="personnel.follow_unit")
