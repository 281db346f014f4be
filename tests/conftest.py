import pytest
from django.core.cache import cache

from jurisdictions.models import Jurisdiction
from jurisdictions.services import load_jurisdictions
from portal.kit import cache as breaker
from portal.kit.tables import Table
from tests import factories
from tests.tables_reference import first_difference, reference_body_html
from units.models import EquipmentType
from units.services import load_equipment_catalogue


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_jurisdictions()
        load_equipment_catalogue()


@pytest.fixture
def tree(db):
    """The real Gansu tree (and the equipment catalogue). Reloaded if a transactional test flushed them."""
    if not Jurisdiction.objects.exists():
        load_jurisdictions()
    if not EquipmentType.objects.exists():
        load_equipment_catalogue()
    return Jurisdiction.objects.get(code="620000")


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """Tests talk plain HTTP to the test server; production settings keep these on."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs ~0.3 s per account; the `world` fixture makes nine. Tests of login still
    exercise the real authentication path, only with a cheaper hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    breaker.reset()
    cache.clear()
    yield
    breaker.reset()


@pytest.fixture
def world(tree):
    """One account per role of the access matrix, and one unit per enterprise.

    ``unit`` sits in 城关区's 酒泉路 station (inside county, city, province and station scope);
    ``other_unit`` sits in 七里河区 (inside city and province only).
    """
    users = {name: factories.regulator(code, role, username=name) for name, (code, role) in
             factories.ROLE_NODES.items()}
    unit = factories.unit("620102001", name="城关测试电梯有限公司")
    other_unit = factories.unit("620103001", name="七里河测试热力有限公司")
    users["enterprise"] = factories.enterprise_user(unit, username="enterprise")
    users["other_enterprise"] = factories.enterprise_user(other_unit, username="other_enterprise")
    return {"users": users, "unit": unit, "other_unit": other_unit}


@pytest.fixture(autouse=True)
def _tables_render_as_django_tables2(monkeypatch):
    """Every table body any test renders is also rendered by django-tables2's own cell path and must come
    out the same (portal.kit.tables: the compiled cells are a faster route to the same HTML)."""
    compiled = Table.body_html

    def checked(table):
        ours, theirs = compiled(table), reference_body_html(table)
        assert ours == theirs, f"{type(table).__name__}: {first_difference(ours, theirs)}"
        return ours

    monkeypatch.setattr(Table, "body_html", checked)
