from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("单位与设备")

    def ready(self):
        from units import importing  # noqa: F401  (registers the units and equipment importers)
