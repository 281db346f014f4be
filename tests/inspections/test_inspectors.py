"""The inspector pool (docs/domain.md §Inspector pool): 监察员证 entered by the holder's own leader or one above,
audited; the list scoped to the viewer's subtree; ``valid_inspectors`` returns only holders of a certificate in force
on the day, in the node's subtree, who may inspect."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from inspections.supervision import services
from inspections.supervision.models import InspectorCertificate
from inspections.supervision.querysets import valid_inspectors
from jurisdictions.duties import Role
from jurisdictions.models import AuditEvent
from tests import factories
from tests.factories import logged_in, node

TODAY = timezone.localdate()


def certify(by, holder, number, *, issued=TODAY - timedelta(days=365), expires=TODAY + timedelta(days=365),
            certificate_class="B"):
    return services.add_certificate(by=by, holder=holder, number=number, certificate_class=certificate_class,
                                    issued_by="甘肃省市场监督管理局", issued_on=issued, expires_on=expires)


@pytest.fixture
def pool(world):
    """Certificates in 城关区 (its station inspector; a second 城关 inspector whose certificate expired; a clerk), in
    七里河区, and one not yet in force."""
    users, city = world["users"], world["users"]["city"]
    extra = {
        "expired": factories.regulator("620102", Role.INSPECTOR, username="expired_jcy"),
        "clerk": factories.regulator("620102", Role.CLERK, username="clerk_ywy"),
        "future": factories.regulator("620102001", Role.INSPECTOR, username="future_jcy"),
    }
    certify(users["county"], users["station"], "GS-B-001")
    certify(city, users["county"], "GS-A-002", certificate_class="A")
    certify(city, extra["expired"], "GS-B-003", issued=TODAY - timedelta(days=800), expires=TODAY - timedelta(days=1))
    certify(city, extra["clerk"], "GS-B-004")
    certify(city, extra["future"], "GS-B-005", issued=TODAY + timedelta(days=1))
    certify(city, users["other_county"], "GS-B-006")
    return {**world, **extra}


def test_only_holders_of_a_certificate_in_force_who_may_inspect_are_in_the_pool(pool):
    users = pool["users"]
    assert list(valid_inspectors(node("620102"), TODAY)) == [users["county"], users["station"]]
    assert list(valid_inspectors(node("620102"), TODAY, subtree=False)) == [users["county"]]
    assert list(valid_inspectors(node("620102001"), TODAY)) == [users["station"]]
    # The day decides: the expired one was valid last month, the future one from tomorrow.
    earlier = valid_inspectors(node("620102"), TODAY - timedelta(days=30))
    assert pool["expired"] in earlier and pool["future"] not in earlier
    assert pool["future"] in valid_inspectors(node("620102"), TODAY + timedelta(days=1))
    # The city's pool spans both counties; a clerk never inspects.
    city_pool = set(valid_inspectors(node("620100"), TODAY))
    assert city_pool == {users["county"], users["station"], users["other_county"]}


def test_a_disabled_account_leaves_the_pool(pool):
    station = pool["users"]["station"]
    type(station).objects.filter(pk=station.pk).update(is_active=False)
    assert station not in valid_inspectors(node("620102"), TODAY)


def test_the_holders_leader_or_one_above_enters_a_certificate_and_it_is_audited(world):
    users = world["users"]
    certificate = certify(users["county"], users["station"], "GS-B-100")
    event = AuditEvent.objects.filter(object_type="supervision.InspectorCertificate",
                                      object_id=str(certificate.pk)).get()
    assert (event.user, event.detail) == (users["county"], {"action": "add_inspector_certificate",
                                                            "holder": "station"})
    services.update_certificate(by=users["city"], certificate=certificate, expires_on=TODAY + timedelta(days=900))
    event = AuditEvent.objects.filter(object_id=str(certificate.pk)).latest("id")
    assert event.user == users["city"] and event.detail["action"] == "update_inspector_certificate"
    assert list(event.detail["changed"]) == ["expires_on"]


@pytest.mark.parametrize("role", ["station", "other_county", "other_city", "enterprise"])
def test_no_one_else_enters_a_certificate(world, role):
    with pytest.raises(Http404):
        certify(world["users"][role], world["users"]["station"], "GS-B-200")
    assert not InspectorCertificate.objects.exists()


def test_refusals_say_what_is_wrong(world):
    users = world["users"]
    with pytest.raises(ValidationError) as refused:
        certify(users["county"], users["county"], "GS-B-300")
    assert list(refused.value.message_dict) == ["holder"]
    with pytest.raises(ValidationError) as refused:
        certify(users["county"], users["enterprise"], "GS-B-301")
    assert list(refused.value.message_dict) == ["holder"]
    with pytest.raises(ValidationError) as refused:
        certify(users["county"], users["station"], "GS-B-302", expires=TODAY - timedelta(days=400))
    assert list(refused.value.message_dict) == ["expires_on"]
    certify(users["county"], users["station"], "GS-B-303")
    with pytest.raises(ValidationError) as refused:
        certify(users["city"], users["county"], "GS-B-303")
    assert list(refused.value.message_dict) == ["number"]


def numbers(response) -> list[str]:
    return [row.record.number for row in response.context["table"].paginated_rows]


def test_the_list_shows_the_viewers_subtree_with_filters(pool):
    county = logged_in(pool["users"]["county"])
    url = reverse("supervision:inspector_list")
    assert sorted(numbers(county.get(url))) == ["GS-A-002", "GS-B-001", "GS-B-003", "GS-B-004", "GS-B-005"]
    assert sorted(numbers(logged_in(pool["users"]["other_county"]).get(url))) == ["GS-B-006"]
    assert sorted(numbers(logged_in(pool["users"]["station"]).get(url))) == ["GS-B-001", "GS-B-005"]
    assert numbers(county.get(url, {"certificate_class": "A"})) == ["GS-A-002"]
    assert numbers(county.get(url, {"validity": "expired"})) == ["GS-B-003"]
    assert numbers(county.get(url, {"validity": "not_yet"})) == ["GS-B-005"]
    assert set(numbers(county.get(url, {"validity": "valid"}))) == {"GS-A-002", "GS-B-001", "GS-B-004"}
    assert numbers(county.get(url, {"q": "GS-B-004"})) == ["GS-B-004"]
    assert numbers(county.get(url, {"q": "clerk_ywy"})) == ["GS-B-004"]
    assert sorted(numbers(county.get(url, {"jurisdiction": node("620102001").pk}))) == ["GS-B-001", "GS-B-005"]
    assert numbers(county.get(url, {"jurisdiction": node("620103").pk})) == []


def test_the_list_pages_fifty_rows_at_a_time(world):
    holder = world["users"]["station"]
    InspectorCertificate.objects.bulk_create(
        InspectorCertificate(holder=holder, number=f"PAGE-{n:03d}", certificate_class="B", issued_by="省局",
                             issued_on=TODAY, expires_on=TODAY + timedelta(days=n + 1)) for n in range(55))
    county = logged_in(world["users"]["county"])
    url = reverse("supervision:inspector_list")
    assert len(numbers(county.get(url))) == 50
    assert numbers(county.get(url, {"page": 2})) == [f"PAGE-{n:03d}" for n in range(50, 55)]


def test_the_edit_column_is_for_those_who_manage_the_accounts(pool):
    url = reverse("supervision:inspector_list")
    edit = reverse("supervision:inspector_edit", args=[InspectorCertificate.objects.get(number="GS-B-001").pk])
    assert edit in logged_in(pool["users"]["county"]).get(url).content.decode()
    assert edit not in logged_in(pool["users"]["station"]).get(url).content.decode()


def test_the_forms_enter_and_correct_a_certificate(world):
    county, station = world["users"]["county"], world["users"]["station"]
    client = logged_in(county)
    form = client.get(reverse("supervision:inspector_create")).context["form"]
    holders = set(form.fields["holder"].queryset)
    assert station in holders and world["users"]["other_county"] not in holders
    assert world["users"]["enterprise"] not in holders
    response = client.post(reverse("supervision:inspector_create"), {
        "holder": station.pk, "number": "GS-B-900", "certificate_class": "B", "issued_by": "甘肃省市场监督管理局",
        "issued_on": "2026-01-05", "expires_on": "2030-01-04"})
    assert response.status_code == 302
    certificate = InspectorCertificate.objects.get(number="GS-B-900")
    assert certificate.holder == station and certificate.created_by == county
    response = client.post(reverse("supervision:inspector_edit", args=[certificate.pk]), {
        "holder": world["users"]["other_county"].pk, "number": "GS-B-900", "certificate_class": "A",
        "issued_by": "国家市场监督管理总局", "issued_on": "2026-01-05", "expires_on": "2031-01-04"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.holder, certificate.certificate_class, certificate.expires_on) == (
        station, "A", date(2031, 1, 4))


def _list_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("supervision:inspector_list")).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_few_certificates_or_many(world):
    county = logged_in(world["users"]["county"])
    certify(world["users"]["county"], world["users"]["station"], "FEW-1")
    few = _list_queries(county)
    for n in range(12):
        holder = factories.regulator("620102001", Role.INSPECTOR, username=f"many_jcy{n}")
        certify(world["users"]["county"], holder, f"MANY-{n}")
    assert _list_queries(county) == few
