"""An empty list says what would appear there and how it gets there (issue 8 item 13)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from jurisdictions import access
from portal.kit.views import PER_PAGE, ScopedListView
from tests import factories
from tests.factories import logged_in
from units import services
from units.models import EquipmentType


def empty_state(response) -> str:
    html = response.content.decode()
    start = html.find('data-testid="empty-hint"')
    assert start != -1, "the empty list shows no hint"
    return html[start:html.find("</main>", start)]


def test_an_empty_equipment_list_says_what_belongs_there_and_links_the_enterprise_to_add_it(world):
    response = logged_in(world["users"]["enterprise"]).get(reverse("units:equipment_list"))
    state = empty_state(response)
    assert "使用单位登记的特种设备（锅炉、压力容器、电梯、起重机械等）会列在这里" in state
    assert f'href="{reverse("units:equipment_create", args=[world["unit"].pk])}"' in state
    assert "暂无数据" not in response.content.decode()


def test_an_empty_list_offers_no_link_the_user_may_not_use(world):
    response = logged_in(world["users"]["county"]).get(reverse("personnel:certificate_list"))
    state = empty_state(response)
    assert "特种设备作业人员证会列在这里" in state
    assert "href=" not in state


def test_an_empty_unit_list_links_create_and_import_for_the_station(tree):
    station = factories.regulator("620102001", username="jiuquanlu-station")
    response = logged_in(station).get(reverse("units:unit_list"))
    state = empty_state(response)
    assert "辖区内受监管的使用单位、施工单位会列在这里" in state
    assert f'href="{reverse("units:unit_create")}"' in state and f'href="{reverse("units:unit_import")}"' in state


def test_a_filter_that_matches_nothing_says_so_and_offers_to_clear_it(world):
    response = logged_in(world["users"]["county"]).get(reverse("units:unit_list") + "?q=没有这个单位")
    state = empty_state(response)
    assert "没有符合筛选条件的记录。" in state
    assert f'href="{reverse("units:unit_list")}">清除筛选' in state
    assert "辖区内受监管的使用单位" not in state


@pytest.mark.parametrize("url_name", ["units:equipment_list", "personnel:person_list"])
def test_a_list_with_rows_shows_the_table_not_the_hint(world, url_name):
    unit = world["unit"]
    factories.person(unit)
    services.add_equipment(by=access.COMMAND_LINE, unit=unit, equipment_type=EquipmentType.objects.get(code="3110"))
    response = logged_in(world["users"]["enterprise"]).get(reverse(url_name))
    assert 'data-testid="empty-hint"' not in response.content.decode()
    assert "<tbody" in response.content.decode()


def test_a_unit_page_without_equipment_says_how_to_enter_it(world):
    response = logged_in(world["users"]["enterprise"]).get(world["unit"].get_absolute_url())
    assert "本单位尚未登记特种设备" in response.content.decode()
    assert "暂无数据" not in response.content.decode()


def _list_urls():
    """Every URL without arguments whose view is a ScopedListView."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, prefix + (f"{p.namespace}:" if p.namespace else ""))
            elif (view := getattr(p.callback, "view_class", None)) and issubclass(view, ScopedListView) \
                    and p.name and not p.pattern.regex.groupindex:
                found.append(prefix + p.name)
    walk(get_resolver().url_patterns)
    return sorted(set(found))


@pytest.mark.parametrize("url_name", _list_urls())
def test_every_list_pages_in_a_stable_order(world, url_name):
    """A page of rows is a LIMIT; without ORDER BY, PostgreSQL may return rows on two pages or on none."""
    factories.person(world["unit"])
    services.add_equipment(by=access.COMMAND_LINE, unit=world["unit"],
                           equipment_type=EquipmentType.objects.get(code="3110"))
    for name in ("province", "enterprise"):
        client = logged_in(world["users"][name])
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(reverse(url_name)).status_code
        if status == 404:
            continue  # not a page for this account
        assert status == 200
        pages = [q["sql"] for q in ctx.captured_queries if q["sql"].endswith(f" LIMIT {PER_PAGE}")]
        unordered = [sql for sql in pages if " ORDER BY " not in sql]
        assert not unordered, f"{url_name} as {name}: {unordered[0][:300]}"
