from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """The regulators' side of the inspections (docs/domain.md §Supervision); so far the 三书一函 it receives
    (docs/domain.md §Recommendations)."""

    name = "inspections.supervision"
    label = "supervision"
    verbose_name = _("监督检查")

    def ready(self):
        from inspections.supervision import recommendation_tasks  # noqa: F401  (Celery finds only ``tasks``)
        from inspections.supervision.recommendation_todos import recommendations_to_handle
        from portal.inbox import todos

        todos.register(recommendations_to_handle)
