from django.apps import AppConfig


class JurisdictionsConfig(AppConfig):
    name = "jurisdictions"
    verbose_name = "辖区与权限"

    def ready(self):
        from jurisdictions import signals  # noqa: F401
