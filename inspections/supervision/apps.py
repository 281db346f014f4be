from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """The regulators' side of the inspections: risk grades and the inspector pool (docs/domain.md §Risk grade,
    §Inspector pool), the 三书一函 they receive (§Recommendations), and the city's annual plan and every tier's
    campaigns (§Annual plan, §Campaigns); inspection records and directives build on these."""

    name = "inspections.supervision"
    label = "supervision"
    verbose_name = _("监督检查")

    def ready(self):
        from inspections.supervision.plan_todos import tasks_to_do
        from inspections.supervision.recommendation_todos import recommendations_to_handle
        from portal.inbox import todos

        todos.register(recommendations_to_handle)
        todos.register(tasks_to_do)
