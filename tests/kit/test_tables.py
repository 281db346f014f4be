"""The kit's table renderer writes what django-tables2 would, for what the portal's tables do (portal/kit/tables.py).

tests/conftest.py already compares the two on every table any test renders; these tests pin the cases
that data in a small world might not reach: markup in user text, empty values, choice labels, links to
the value or to the record, booleans, aware datetimes, render methods, template columns, the header's sort
links and the page links.
"""

import datetime as dt

import django_tables2 as tables
import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django_tables2 import RequestConfig

from jurisdictions import access
from jurisdictions.models import AuditEvent
from jurisdictions.tables import AuditEventTable
from portal.kit.tables import CappedPaginator, Table, compile_cell
from tests import factories
from tests.factories import logged_in
from tests.tables_reference import reference_body_html
from units import services
from units.models import Equipment, EquipmentType, Unit
from units.tables import EquipmentTable, PendingUnitTable, UnitTable


class EdgeTable(Table):
    """Columns of every kind the portal uses, over units."""

    name = tables.Column(linkify=True)
    jurisdiction = tables.Column(linkify=True)  # the value (a Jurisdiction) has no URL: the record's
    status = tables.Column()  # a choice: its label
    risk_grade = tables.Column()  # blank choice: the default
    contact_person = tables.Column()
    kinds = tables.Column(accessor="get_kinds_display", orderable=False)
    created_at = tables.DateTimeColumn()
    created_on = tables.DateColumn(accessor="created_at")
    has_licence = tables.BooleanColumn(accessor="licence", yesno=("有", "无"))
    shout = tables.Column(accessor="name", orderable=False)
    template = tables.TemplateColumn(template_code="<b>{{ record.name }}</b>", orderable=False)

    class Meta:
        model = Unit
        fields = ("name", "jurisdiction", "status", "risk_grade", "contact_person", "kinds", "created_at")
        order_by = ("name",)

    def render_shout(self, value, record):
        return f"{value}!{record.pk}"


def render(table_class, queryset, path="/", **kwargs):
    request = RequestFactory().get(path)
    table = table_class(queryset, **kwargs)
    RequestConfig(request, paginate={"per_page": 2}).configure(table)
    return table


@pytest.fixture
def units(tree):
    marked = factories.unit("620102001", name='<script>alert("x")</script> & 公司')
    marked.contact_person = ""
    marked.save()
    plain = factories.unit("620103001", name="七里河测试热力有限公司")
    plain.risk_grade = "A"
    plain.save()
    factories.unit("620102001", name="城关测试三号")
    return Unit.objects.select_related("jurisdiction").order_by("name")


def test_every_kind_of_cell_renders_as_django_tables2_renders_it(units):
    table = render(EdgeTable, units)
    assert Table.body_html(table) == reference_body_html(table)


def test_markup_in_user_text_is_escaped_in_every_column(units):
    html = Table.body_html(render(EdgeTable, units.filter(name__startswith="<")))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 公司" in html


def test_which_columns_compile_and_which_keep_django_tables2s_path(units):
    table = render(EdgeTable, units)
    compiled = {bc.name for bc in table.columns if compile_cell(table, bc, Unit) is not None}
    assert compiled == {"name", "jurisdiction", "status", "risk_grade", "contact_person", "kinds", "created_at",
                        "created_on", "has_licence", "shout"}


def test_dates_and_times_are_local_and_in_the_settings_format(units):
    unit = units.first()
    Unit.objects.filter(pk=unit.pk).update(created_at=dt.datetime(2026, 12, 1, 20, 30, tzinfo=dt.UTC))
    table = render(EdgeTable, Unit.objects.select_related("jurisdiction").filter(pk=unit.pk))
    html = Table.body_html(table)
    assert "2026年12月2日 04:30" in html and "2026年12月2日<" in html  # Asia/Shanghai, SHORT_DATE(TIME)_FORMAT
    assert html == reference_body_html(table)


def test_choice_labels_follow_the_language(units):
    table = render(EdgeTable, units)
    with translation.override("en"):
        english = Table.body_html(table)
        assert english == reference_body_html(table)
    assert "User unit" in english and "使用单位" not in english
    assert "正常" not in english


@pytest.mark.parametrize("table_class", [UnitTable, PendingUnitTable])
def test_the_portals_unit_tables_render_as_django_tables2_would(units, table_class):
    table = render(table_class, units)
    assert Table.body_html(table) == reference_body_html(table)


def test_equipment_without_a_code_and_audit_events_render_as_django_tables2_would(world):
    unit = world["unit"]
    services.add_equipment(by=access.COMMAND_LINE, unit=unit, equipment_type=EquipmentType.objects.get(code="3110"))
    Equipment.objects.update(code="")
    table = render(EquipmentTable, Equipment.objects.select_related("unit", "category", "equipment_type"))
    assert "出厂编号" in Table.body_html(table)
    assert Table.body_html(table) == reference_body_html(table)
    audit = render(AuditEventTable, AuditEvent.objects.all())
    assert AuditEvent.objects.exists() and Table.body_html(audit) == reference_body_html(audit)


def test_a_sort_link_keeps_the_filter_and_starts_at_the_first_page(units):
    table = render(EdgeTable, units, path="/units/?q=测试&page=2&sort=name")
    links = {cell["name"]: cell["url"] for cell in table.header_cells()}
    assert links["name"] == "?q=%E6%B5%8B%E8%AF%95&sort=-name"
    assert links["kinds"] is None


def test_page_links_keep_the_query_and_mark_the_current_page(units):
    table = render(EdgeTable, units, path="/units/?q=x&page=2")
    links = table.page_links()
    assert links["previous"] == "?q=x&page=1" and links["next"] is None
    assert [(n["number"], n["active"]) for n in links["numbers"]] == [(1, False), (2, True)]
    assert render(EdgeTable, units.filter(name__startswith="七")).page_links() is None


def test_the_list_page_shows_the_header_rows_and_page_links(world):
    for i in range(55):
        factories.unit("620102001", name=f"分页测试单位{i:02d}")
    response = logged_in(world["users"]["county"]).get(reverse("units:unit_list") + "?page=2")
    html = response.content.decode()
    assert '<a href="?sort=-name">单位名称</a>' in html
    assert html.count('<tr class="') >= 1 and "分页测试单位" in html
    assert 'class="page-item active"><a class="page-link" href="?page=2">2</a>' in html
    assert "上一页" in html


def test_a_capped_pager_counts_to_its_cap_and_says_there_are_more(units, monkeypatch):
    """The big lists count at most ``cap`` rows: the pager says 超过 and still reaches the rows after the cap."""
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    request = RequestFactory().get("/units/?page=3")
    table = EdgeTable(units)
    RequestConfig(request, paginate={"per_page": 1, "paginator_class": CappedPaginator}).configure(table)
    assert table.paginator.capped and table.paginator.num_pages == 3
    assert [row.record.name for row in table.page.object_list] == [units[2].name]
    html = table.as_html(request)
    assert "超过 2 条，第 3 页" in html and "共 3 条" not in html

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    table = EdgeTable(units)
    RequestConfig(RequestFactory().get("/units/"), paginate={"per_page": 1, "paginator_class": CappedPaginator}
                  ).configure(table)
    assert not table.paginator.capped
    assert "共 3 条，第 1/3 页" in table.as_html(request)


def test_a_naive_datetime_is_written_as_it_is(units):
    table = render(EdgeTable, units)
    cell = compile_cell(table, table.columns["created_at"], Unit)
    unit = units.first()
    unit.created_at = dt.datetime(2026, 1, 2, 3, 4)
    assert cell(unit) == "2026年1月2日 03:04"
    assert timezone.is_naive(unit.created_at)
