from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FindingsConfig(AppConfig):
    name = "inspections.findings"
    label = "findings"
    verbose_name = _("隐患整改")

    def ready(self):
        from inspections.findings.services import follow_unit
        from inspections.findings.todos import inspection_findings, unit_findings
        from portal.inbox import todos
        from units.signals import unit_moved

        todos.register(unit_findings)
        todos.register(inspection_findings)
        unit_moved.connect(follow_unit, dispatch_uid="findings.follow_unit")
