"""A unit set up for its self-check records: elevators and a boiler on the books for a month, a risk list in
force since then, and one login account per post — officer, director, principal — linked to its person."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from inspections.routines import services as routines
from inspections.routines.models import RiskListVersion
from personnel import services as personnel
from personnel.choices import Post
from tests import factories
from tests.inspections.supervision_world import inspectors  # noqa: F401  (a fixture)
from units.models import Equipment, EquipmentType, Unit
from units.services import add_equipment

SINCE_DAYS = 40


def backdate(model, pk, **fields):
    """Set columns a trigger keeps fixed, as the seed of an older unit would have them (tests only)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        model.objects.filter(pk=pk).update(**fields)
        cursor.execute("SET LOCAL session_replication_role = origin")


def tamper(sql, params=()):
    """What someone with database access could do behind the portal's back: triggers off, a row changed."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = origin")


def post_account(unit, keeper, post, username, started_days_ago=SINCE_DAYS):
    person = factories.person(unit)
    personnel.appoint(by=keeper, unit=unit, person=person, post=post,
                      started_on=timezone.localdate() - timedelta(days=started_days_ago))
    account = factories.enterprise_user(unit, username=username)
    personnel.link_account(by=keeper, person=person, account=account)
    account.refresh_from_db()
    return account, person


@pytest.fixture
def staffed(world):
    unit, keeper = world["unit"], world["users"]["enterprise"]
    since = timezone.now() - timedelta(days=SINCE_DAYS)
    Unit.objects.filter(pk=unit.pk).update(created_at=since)
    Unit.objects.filter(pk=unit.pk, reviewed_at__isnull=False).update(reviewed_at=since)
    unit.refresh_from_db()
    system = factories.system_user()
    lifts = [add_equipment(by=system, unit=unit, equipment_type=EquipmentType.objects.get(code="3110"),
                           code=f"31106201022026{n:06d}") for n in (1, 2)]
    boiler = add_equipment(by=system, unit=unit, equipment_type=EquipmentType.objects.get(code="1100"))
    Equipment.objects.filter(unit=unit).update(created_at=since, status="in_use")
    version = routines.generate_from_templates(by=keeper, unit=unit)
    backdate(RiskListVersion, version.pk, saved_at=since)
    officer, officer_person = post_account(unit, keeper, Post.SAFETY_OFFICER, "anquanyuan")
    director, director_person = post_account(unit, keeper, Post.SAFETY_DIRECTOR, "zongjian")
    principal, principal_person = post_account(unit, keeper, Post.PRINCIPAL, "fuzeren")
    return {**world, "unit": unit, "lifts": lifts, "boiler": boiler, "version": version, "keeper": keeper,
            "officer": officer, "director": director, "principal": principal,
            "people": {"officer": officer_person, "director": director_person, "principal": principal_person}}
