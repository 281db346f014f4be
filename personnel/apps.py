from django.apps import AppConfig


class PersonnelConfig(AppConfig):
    name = "personnel"
    verbose_name = "人员"

    def ready(self):
        from personnel import importing  # noqa: F401  (registers the people import with units.importing)
