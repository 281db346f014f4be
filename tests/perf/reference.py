"""The throughput benchmark's yardstick: the same rows as a product list, rendered by a plain template loop.

Each reference page asks the database what the product page asks (the scoped queryset, its order, the
count and the first ``PER_PAGE`` rows) and writes the same cells inside the same base layout (navigation,
home trail) with nothing else: no filter form, no sort links, no pagination widget, no column machinery.
What a product list costs above its reference is what its table, filters and chrome cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.views.generic import TemplateView

from jurisdictions.duties import Duty
from personnel.models import Person
from portal.kit.views import PER_PAGE, ScopedMixin
from units.models import Equipment, Unit


@dataclass(frozen=True)
class Page:
    queryset: models.QuerySet
    order_by: tuple[str, ...]
    title: str


REFERENCE_PAGES = {
    "units": Page(Unit.objects.select_related("jurisdiction"), ("name",), "单位"),
    "equipment": Page(Equipment.objects.select_related("unit", "category", "equipment_type"), ("-id",), "特种设备"),
    "people": Page(Person.objects.select_related("unit"), ("-id",), "人员"),
}


class ReferenceListView(ScopedMixin, TemplateView):
    page: Page | None = None
    duty = Duty.VIEW
    template_name = "bench/reference.html"

    def base_queryset(self):
        return self.page.queryset.all()

    def get_context_data(self, **kwargs):
        rows = self.get_queryset().order_by(*self.page.order_by)
        return {**super().get_context_data(**kwargs), "title": self.page.title, "count": rows.count(),
                "rows": list(rows[:PER_PAGE]), "kind": self.request.resolver_match.url_name}
