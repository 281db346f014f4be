from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KitConfig(AppConfig):
    name = "portal.kit"
    label = "kit"
    verbose_name = _("通用组件")

    def ready(self):
        from portal.kit import checks  # noqa: F401  (registers the system checks)
