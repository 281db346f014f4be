from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """The regulators' side of the inspections (docs/domain.md §Risk grade, §Inspector pool): risk grades and the
    inspector pool; the plans, inspection records and directives of issue 12 build on these."""

    name = "inspections.supervision"
    label = "supervision"
    verbose_name = _("监督检查")
