from django.apps import AppConfig


class KitConfig(AppConfig):
    name = "portal.kit"
    label = "kit"
    verbose_name = "通用组件"

    def ready(self):
        from portal.kit import checks  # noqa: F401  (registers the system checks)
