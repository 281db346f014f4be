"""The security-event log and data-change history (docs/security.md §Audit)."""

from datetime import timedelta

import pghistory.models
import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jurisdictions.audit import record
from jurisdictions.duties import Role
from jurisdictions.models import AuditEvent, User
from jurisdictions.tasks import purge_expired_audit
from tests import factories

OFFICE_IP = "10.62.1.17"




@pytest.fixture
def event(db):
    return record(AuditEvent.Kind.LOGIN_FAILED, success=False, username="someone")


# --- Append-only ---------------------------------------------------------------------------------------

def refused(action) -> str:
    """Run ``action`` in a savepoint; return the database's error message (the trigger's refusal)."""
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic():
        action()
    return str(excinfo.value)


def test_audit_rows_cannot_be_updated(event):
    event.success = True
    assert "audit_append_only" in refused(event.save)
    assert "audit_append_only" in refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(username="x"))

    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET username = 'x' WHERE id = %s", [event.pk])  # noqa: S608

    assert "audit_append_only" in refused(raw_update)
    event.refresh_from_db()
    assert (event.username, event.success) == ("someone", False)


def test_audit_rows_cannot_be_deleted(event):
    assert "audit_append_only" in refused(event.delete)
    assert "audit_append_only" in refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())

    def raw_delete():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [event.pk])  # noqa: S608

    assert "audit_append_only" in refused(raw_delete)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_inserting_is_allowed(db):
    before = AuditEvent.objects.count()
    record(AuditEvent.Kind.LOGIN_FAILED, success=False, username="a")
    assert AuditEvent.objects.count() == before + 1


# --- Retention ---------------------------------------------------------------------------------------

def aged(days: float, name: str) -> AuditEvent:
    return AuditEvent.objects.create(kind=AuditEvent.Kind.LOGIN_FAILED, success=False, username=name,
                                     at=timezone.now() - timedelta(days=days))


def test_purge_deletes_only_rows_past_the_retention_period(db, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    purge_expired_audit.run()  # start from a log holding nothing past the retention period
    old = [aged(800, "ancient"), aged(366, "just-expired")]
    kept = [aged(364, "just-kept"), aged(0, "today")]

    assert purge_expired_audit.run() == 2
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in kept]).count() == 2

    # The retention is a setting: six months (the legal floor) purges the 364-day row too.
    settings.AUDIT_RETENTION_DAYS = 183
    assert purge_expired_audit.run() == 1
    assert list(AuditEvent.objects.filter(pk__in=[e.pk for e in kept]).values_list("username", flat=True)) == [
        "today"]

    # The purge lifts the trigger only for itself: afterwards the log is append-only again.
    assert "audit_append_only" in refused(lambda: AuditEvent.objects.filter(username="today").delete())


def test_purge_runs_as_a_celery_task(db, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    purge_expired_audit.run()  # start from a log holding nothing past the retention period
    victim = aged(400, "via-task")
    result = purge_expired_audit.apply()
    assert result.successful() and result.result == 1
    assert not AuditEvent.objects.filter(pk=victim.pk).exists()


# --- What a row records ----------------------------------------------------------------------------------

def test_account_creation_records_actor_role_place_ip_and_request_id(world):
    admin = world["users"]["county"]
    client = Client()
    client.force_login(admin)
    station = factories.node("620102001")
    response = client.post(
        reverse("jurisdictions:user_create"),
        {"username": "new-inspector", "display_name": "新检查员", "jurisdiction": station.pk,
         "role": Role.INSPECTOR, "password": "Huanghe#Bridge1909"},
        REMOTE_ADDR=OFFICE_IP,
    )
    assert response.status_code == 302
    created = User.objects.get(username="new-inspector")

    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCOUNT_CREATED, object_id=str(created.pk))
    assert event.success is True
    assert (event.user_id, event.username, event.role) == (admin.pk, "county", Role.LEADER)
    assert event.jurisdiction_name == "城关区"
    county = factories.node("620102")
    assert (event.jurisdiction_id, event.county_id, event.city_id, event.province_id) == (
        county.pk, county.pk, county.parent_id, county.parent.parent_id)
    assert event.client_ip == OFFICE_IP
    assert event.request_id == response["X-Request-ID"] and len(event.request_id) == 32
    assert event.object_type == "jurisdictions.User"
    assert event.detail["role"] == Role.INSPECTOR and event.detail["jurisdiction"] == "620102001"

    # The snapshot survives a later rename of the actor (history names the author as they were).
    User.objects.filter(pk=admin.pk).update(username="county-renamed")
    event.refresh_from_db()
    assert event.username == "county"


def test_failed_audit_write_fails_the_action(world, monkeypatch):
    """If the audit row cannot be written, the account is not created either."""
    from jurisdictions import services

    def broken(*args, **kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(DatabaseError):
        services.create_regulator(by=world["users"]["county"], username="unaudited", password="Huanghe#Bridge1909",
                                  display_name="x", jurisdiction=factories.node("620102001"), role=Role.INSPECTOR)
    assert not User.objects.filter(username="unaudited").exists()


# --- Who sees which rows ----------------------------------------------------------------------------------

def audit_ids(user) -> tuple[set[int], str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("jurisdictions:audit_list"), {"kind": AuditEvent.Kind.EXPORT})
    assert response.status_code == 200
    return {row.pk for row in response.context["table"].data}, response.content.decode()


def test_audit_list_shows_the_county_subtree_only(world):
    users = world["users"]
    mine = record(AuditEvent.Kind.EXPORT, user=users["county"], detail={"marker": "county"})
    my_station = record(AuditEvent.Kind.EXPORT, user=users["station"], detail={"marker": "station"})
    neighbour = record(AuditEvent.Kind.EXPORT, user=users["other_county"], detail={"marker": "other"})
    above = record(AuditEvent.Kind.EXPORT, user=users["city"], detail={"marker": "city"})
    elsewhere = record(AuditEvent.Kind.EXPORT, user=users["other_city"], detail={"marker": "tianshui"})
    anonymous = record(AuditEvent.Kind.EXPORT, success=False, username="nobody")

    ids, html = audit_ids(users["county"])
    assert {mine.pk, my_station.pk} <= ids
    assert ids.isdisjoint({neighbour.pk, above.pk, elsewhere.pk, anonymous.pk})
    assert "酒泉路街道市场监督管理所" in html and "七里河区" not in html and "天水市" not in html

    # Paired: the rightful readers do see the rows the county may not.
    assert neighbour.pk in audit_ids(users["other_county"])[0]
    city_ids = audit_ids(users["city"])[0]
    assert {mine.pk, my_station.pk, neighbour.pk, above.pk} <= city_ids and elsewhere.pk not in city_ids
    assert {mine.pk, neighbour.pk, elsewhere.pk} <= audit_ids(users["province"])[0]


def test_audit_list_is_refused_to_a_station_and_an_enterprise(world):
    for name in ("station", "enterprise"):
        client = Client()
        client.force_login(world["users"][name])
        assert client.get(reverse("jurisdictions:audit_list")).status_code in (403, 404)


# --- Data-change history (pghistory) -----------------------------------------------------------------------

def test_bulk_queryset_update_is_in_the_unit_history(world):
    unit = world["unit"]
    UnitEvent = apps.get_model("units", "UnitEvent")
    before = UnitEvent.objects.filter(pgh_obj=unit).count()

    assert factories.Unit.objects.filter(pk=unit.pk).update(name="批量改名电梯有限公司") == 1

    events = UnitEvent.objects.filter(pgh_obj=unit).order_by("pgh_id")
    assert events.count() == before + 1
    last = events.last()
    assert last.name == "批量改名电梯有限公司" and last.pgh_label == "update"
    # The generic history reader the unit history page uses sees it too.
    history = pghistory.models.Events.objects.tracks(unit)
    renamed = [e for e in history if e.pgh_data["name"] == "批量改名电梯有限公司"]
    assert len(renamed) == 1
    assert renamed[0].pgh_diff["name"] == ["城关测试电梯有限公司", "批量改名电梯有限公司"]


def test_a_change_made_in_a_request_names_its_author(world):
    """The history row of a write made during a request carries the username and request id."""
    inspector = world["users"]["station"]
    client = Client()
    client.force_login(world["users"]["county"])
    response = client.post(reverse("jurisdictions:user_edit", args=[inspector.pk]), {
        "display_name": "改名后的检查员", "email": "", "jurisdiction": inspector.jurisdiction_id,
        "role": inspector.role,
    })
    assert response.status_code == 302, response.content.decode()[:500]
    UserEvent = apps.get_model("jurisdictions", "UserEvent")
    event = UserEvent.objects.get(pgh_obj=inspector, display_name="改名后的检查员")
    metadata = event.pgh_context.metadata
    assert metadata["username"] == "county" and metadata["user"] == world["users"]["county"].pk
    assert metadata["request_id"] == response["X-Request-ID"]
