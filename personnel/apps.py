from django.apps import AppConfig


class PersonnelConfig(AppConfig):
    name = "personnel"
    verbose_name = "人员"

    def ready(self):
        from personnel import importing  # noqa: F401  (registers the people import with units.importing)
        from personnel.services import follow_unit
        from units.signals import unit_moved

        unit_moved.connect(follow_unit, dispatch_uid="personnel.follow_unit")
