from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("单位与设备")

    def ready(self):
        from portal.inbox import todos
        from units import importing  # noqa: F401  (registers the units and equipment importers)
        from units.todos import pending_signups, registration_queue, rejected_signup

        for provider in (registration_queue, pending_signups, rejected_signup):
            todos.register(provider)
