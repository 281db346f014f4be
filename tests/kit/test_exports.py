"""List exports read like the page (issue 8 item 8): 是/否, local time to the minute, choice labels, dates in
the settings' format, a UTF-8 BOM on CSV for Excel on Chinese Windows, and a Chinese file name (RFC 6266)."""

import csv
import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from jurisdictions.duties import Role
from jurisdictions.models import User
from personnel.models import Person
from portal.kit.views import ScopedListView
from tests import factories
from tests.factories import logged_in
from units.choices import UnitStatus
from units.models import Unit

# 04:10 in Gansu is 20:10 UTC the day before; the microseconds must not reach the sheet.
LOGGED_IN_AT = dt.datetime(2026, 12, 1, 20, 10, 0, 197059, tzinfo=dt.UTC)
SHOWN_AS = "2026年12月2日 04:10"


def sheet_rows(response) -> list[dict]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def accounts(tree):
    city = factories.regulator("620100", Role.LEADER, username="lanzhou-leader")
    active = factories.regulator("620102", Role.INSPECTOR, username="chengguan-inspector")
    idle = factories.regulator("620102", Role.CLERK, username="chengguan-clerk")
    User.objects.filter(pk=active.pk).update(last_login=LOGGED_IN_AT)
    User.objects.filter(pk=idle.pk).update(is_active=False)
    return city


def test_xlsx_export_shows_yes_no_local_minutes_and_choice_labels(accounts):
    response = logged_in(accounts).get(reverse("jurisdictions:user_list") + "?_export=xlsx")
    assert response.status_code == 200
    rows = {row["用户名"]: row for row in sheet_rows(response)}
    active, idle = rows["chengguan-inspector"], rows["chengguan-clerk"]
    assert (active["启用"], idle["启用"]) == ("是", "否")
    assert active["最近登录"] == SHOWN_AS
    assert (active["角色"], idle["角色"]) == ("监察员", "业务员")
    assert active["所属辖区"] == "城关区"
    assert idle["最近登录"] is None


def test_export_is_named_in_chinese_with_an_ascii_fallback(accounts):
    response = logged_in(accounts).get(reverse("jurisdictions:user_list") + "?_export=xlsx")
    stamp = timezone.localdate().strftime("%Y%m%d")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="user_list-{stamp}.xlsx"' in disposition
    assert f"filename*=UTF-8''{quote(f'账号-{stamp}.xlsx')}" in disposition
    assert disposition.isascii()


@pytest.fixture
def signed_up(tree):
    station = factories.regulator("620102001", Role.INSPECTOR, username="jiuquanlu-inspector")
    unit = factories.unit("620102001", name="酒泉路自助注册锅炉有限公司")
    Unit.objects.filter(pk=unit.pk).update(status=UnitStatus.PENDING, created_at=LOGGED_IN_AT)
    return station


def test_csv_export_starts_with_a_bom_and_shows_local_time(signed_up):
    response = logged_in(signed_up).get(reverse("units:unit_pending_list") + "?_export=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8")[1:])))
    assert [row["单位名称"] for row in rows] == ["酒泉路自助注册锅炉有限公司"]
    assert rows[0]["注册时间"] == SHOWN_AS
    assert "操作" not in rows[0]  # the confirm / reject buttons are for the page only
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert f"filename*=UTF-8''{quote(f'待确认单位-{stamp}.csv')}" in response["Content-Disposition"]


def test_csv_export_of_a_boolean_column_says_yes_or_no(world):
    unit = world["unit"]
    failed, passed = factories.person(unit, name="考核未过"), factories.person(unit, name="考核通过")
    Person.objects.filter(pk=failed.pk).update(assessment_failed=True)
    response = logged_in(world["users"]["county"]).get(reverse("personnel:person_list") + "?_export=csv")
    rows = {row["姓名"]: row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert (rows["考核未过"]["考核不合格"], rows[passed.name]["考核不合格"]) == ("是", "否")


def list_views():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "view_class", None)
                if view is not None and issubclass(view, ScopedListView):
                    yield f"{prefix}{pattern.name}", view
    return sorted(walk(get_resolver().url_patterns))


@pytest.mark.parametrize(("url_name", "view"), list_views())
def test_every_list_declares_a_chinese_export_name_and_an_empty_hint(url_name, view):
    assert not str(view.export_name).isascii(), f"{url_name}: export_name {view.export_name!r}"
    assert str(view.empty_hint), f"{url_name} says nothing when it is empty"


def test_an_export_past_the_row_limit_asks_to_narrow_the_filter_and_writes_nothing(accounts, settings):
    from jurisdictions.models import AuditEvent

    settings.EXPORT_MAX_ROWS = 1
    client = logged_in(accounts)
    url = reverse("jurisdictions:user_list")
    response = client.get(url + "?q=chengguan&_export=csv")
    assert response.status_code == 302 and response["Location"] == url + "?q=chengguan"
    page = client.get(response["Location"]).content.decode()
    assert "筛选结果共 2 条，超过单次导出上限 1 条" in page
    assert not AuditEvent.objects.filter(kind="export").exists()
    settings.EXPORT_MAX_ROWS = 50
    assert client.get(url + "?_export=csv").status_code == 200
    assert AuditEvent.objects.filter(kind="export").count() == 1
