from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """The regulators' side of the inspections: risk grades and the inspector pool (docs/domain.md §Risk grade,
    §Inspector pool) and the 三书一函 they receive (docs/domain.md §Recommendations); the plans, inspection records
    and directives build on these."""

    name = "inspections.supervision"
    label = "supervision"
    verbose_name = _("监督检查")

    def ready(self):
        from inspections.supervision.recommendation_todos import recommendations_to_handle
        from portal.inbox import todos

        todos.register(recommendations_to_handle)
