from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """The regulators' side of the inspections: risk grades and the inspector pool (docs/domain.md §Risk grade,
    §Inspector pool), the 三书一函 they receive (§Recommendations), the city's annual plan and every tier's campaigns
    (§Annual plan, §Campaigns), and the inspection records, 安全监察指令书 and penalty referrals (§Inspection record,
    §Directive)."""

    name = "inspections.supervision"
    label = "supervision"
    verbose_name = _("监督检查")

    def ready(self):
        from inspections.supervision.directive_todos import directives_to_answer, directives_to_recheck
        from inspections.supervision.inspection_services import follow_unit
        from inspections.supervision.plan_todos import tasks_to_do
        from inspections.supervision.recommendation_todos import recommendations_to_handle
        from portal.inbox import todos
        from units.signals import unit_moved

        todos.register(recommendations_to_handle)
        todos.register(tasks_to_do)
        todos.register(directives_to_answer)
        todos.register(directives_to_recheck)
        unit_moved.connect(follow_unit, dispatch_uid="supervision.follow_unit")
