"""No page's query count grows with its rows (no N+1): the same SQL count at few and at many rows.

Rows are bulk-created inside 城关区 (placed exactly like ``Placed.place``), so the county user and
the province user both see them. Every measured request is preceded by a warm-up request (session,
content types) and runs with an empty cache (the dashboard caches its counts).
"""

import itertools

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jurisdictions.duties import Role, duties_for
from jurisdictions.models import AuditEvent, Jurisdiction, JurisdictionUserObjectPermission, User
from portal.kit.samples import uscc_for_serial
from units.choices import UnitKind
from units.models import Unit

COUNTY = "620102"  # 城关区, the world fixture's county
_serial = itertools.count(1)


def _stations(county_code: str = COUNTY) -> list[tuple[Jurisdiction, dict]]:
    county = Jurisdiction.objects.get(code=county_code)
    return [(station, station.ancestor_ids()) for station in county.get_children().order_by("code")]


def add_units(n: int) -> None:
    stations = _stations()
    units = []
    for i in range(n):
        station, ancestors = stations[i % len(stations)]
        serial = next(_serial)
        unit = Unit(uscc=uscc_for_serial(station.code, serial, prefix="W"), name=f"城关批量测试{serial:05d}有限公司",
                    kinds=[UnitKind.USAGE, UnitKind.FILLING] if i % 7 == 0 else [UnitKind.USAGE],
                    address=f"城关区测试路{i}号", risk_grade="ABCD"[i % 4])
        unit.place(station, ancestors)
        units.append(unit)
    Unit.objects.bulk_create(units)


def add_accounts(n: int) -> None:
    """Regulator accounts at 城关区's stations with their grants, as the account service leaves them."""
    stations = _stations()
    password = make_password(None)
    wanted = [(stations[i % len(stations)][0], (Role.INSPECTOR, Role.CLERK)[i % 2]) for i in range(n)]
    users = User.objects.bulk_create([
        User(username=f"bulk{next(_serial):05d}", password=password, display_name="批量测试", jurisdiction=node,
             role=role)
        for node, role in wanted
    ])
    perms = dict(Permission.objects.filter(content_type__app_label="jurisdictions", content_type__model="jurisdiction")
                 .values_list("codename", "id"))
    JurisdictionUserObjectPermission.objects.bulk_create([
        JurisdictionUserObjectPermission(user=user, permission_id=perms[duty], content_object=node)
        for user, (node, role) in zip(users, wanted, strict=True)
        for duty in duties_for(node.tier, role)
    ])


def add_audit_events(n: int, actor: User) -> None:
    county = Jurisdiction.objects.get(code=COUNTY)
    ancestors = county.ancestor_ids()
    events = []
    for i in range(n):
        event = AuditEvent(user=actor, username=actor.username, role=actor.role, jurisdiction_name=county.name,
                           kind=(AuditEvent.Kind.LOGIN, AuditEvent.Kind.EXPORT)[i % 2], client_ip="10.62.1.2",
                           object_type="units.unit", object_id=str(i), object_repr=f"测试对象{i}")
        event.place(county, ancestors)
        events.append(event)
    AuditEvent.objects.bulk_create(events)


def count_queries(client, user, url: str):
    client.force_login(user)
    assert client.get(url).status_code == 200  # warm-up
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def listed(response) -> int:
    return response.context["table"].page.paginator.count


def queries_text(few: int, many: int) -> str:
    return f"{few} queries at few rows, {many} at many"


@pytest.mark.parametrize("who", ["county", "province"])
def test_unit_list_queries_do_not_grow_with_units(client, world, who):
    user, url = world["users"][who], reverse("units:unit_list")
    add_units(10)
    few, response = count_queries(client, user, url)
    shown = listed(response)
    add_units(990)
    many, response = count_queries(client, user, url)
    assert listed(response) == shown + 990  # 50 rows on the page now, not 11 or 12
    assert many == few, queries_text(few, many)


@pytest.mark.parametrize("who", ["county", "province"])
def test_user_list_queries_do_not_grow_with_accounts(client, world, who):
    user, url = world["users"][who], reverse("jurisdictions:user_list")
    add_accounts(5)
    few, response = count_queries(client, user, url)
    shown = listed(response)
    add_accounts(95)
    many, response = count_queries(client, user, url)
    assert listed(response) == shown + 95
    assert many == few, queries_text(few, many)


@pytest.mark.parametrize("who", ["county", "province"])
def test_audit_list_queries_do_not_grow_with_events(client, world, who):
    user, url = world["users"][who], reverse("jurisdictions:audit_list")
    add_audit_events(5, world["users"]["county"])
    few, response = count_queries(client, user, url)
    shown = listed(response)
    add_audit_events(95, world["users"]["county"])
    many, response = count_queries(client, user, url)
    assert listed(response) >= shown + 95  # the warm-up requests may log events of their own
    assert many == few, queries_text(few, many)


@pytest.mark.parametrize("who", ["county", "province"])
def test_dashboard_queries_do_not_grow_with_units(client, world, who):
    user, url = world["users"][who], reverse("dashboard:home")
    add_units(10)
    few, response = count_queries(client, user, url)
    shown = response.context["summary"]["units"]
    add_units(990)
    many, response = count_queries(client, user, url)
    assert response.context["summary"]["units"] == shown + 990
    assert many == few, queries_text(few, many)
