"""Authentication and sessions (docs/security.md §Authentication and sessions, §CSRF).

Every denial is paired with the rightful request succeeding, so a denial cannot pass for the wrong
reason (a broken login page would refuse everybody).
"""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import global_settings
from django.conf import settings as django_settings
from django.contrib.auth.hashers import get_hasher
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jurisdictions.duties import Role
from jurisdictions.models import AuditEvent, LoginSession, User
from portal import settings as portal_settings
from tests import factories

OFFICE_IP = "10.20.30.40"
HOME_IP = "10.20.30.99"
LOCKED_TEXT = "登录已被暂时锁定"
LOGIN = reverse("login")
LOGOUT = reverse("logout")
HOME = reverse("dashboard:home")




def login(client, username, password=factories.PASSWORD, ip=OFFICE_IP, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def assert_logged_in(response, client):
    assert response.status_code == 302, response.content.decode()[:300]
    assert response["Location"] == HOME
    assert client.get(HOME, REMOTE_ADDR=OFFICE_IP).status_code == 200


def assert_locked(response, client):
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session


def fail_five_times(username, ip=OFFICE_IP, **extra):
    client = Client()
    responses = [login(client, username, "Wrong-password-1", ip=ip, **extra) for _ in range(5)]
    return responses


# --- Lockout ----------------------------------------------------------------------------------------

def test_five_failures_lock_the_username_ip_pair_even_with_the_right_password(world):
    responses = fail_five_times("county")
    assert [r.status_code for r in responses[:4]] == [200] * 4  # the form again, with an error
    assert 'data-testid="login-error"' in responses[0].content.decode()
    assert_locked(responses[4], Client())  # the 5th failure locks

    events = AuditEvent.objects.filter(username="county")
    assert events.filter(kind=AuditEvent.Kind.LOGIN_FAILED, success=False).count() == 5
    locked = events.get(kind=AuditEvent.Kind.LOCKED_OUT)
    assert locked.success is False and locked.client_ip == OFFICE_IP and locked.detail == {"ip": OFFICE_IP}

    client = Client()
    assert_locked(login(client, "county"), client)  # 6th attempt, right password: refused
    # The refused attempt is itself audited; nobody logged in.
    assert events.filter(kind=AuditEvent.Kind.LOCKED_OUT).count() == 2
    assert not events.filter(kind=AuditEvent.Kind.LOGIN).exists()


def test_lockout_does_not_affect_another_user_behind_the_same_nat(world):
    fail_five_times("county")
    client = Client()
    assert_logged_in(login(client, "city"), client)


def test_lockout_does_not_affect_the_same_user_from_another_address(world):
    fail_five_times("county")
    client = Client()
    assert_locked(login(client, "county"), client)
    client = Client()
    assert_logged_in(login(client, "county", ip=HOME_IP), client)


def test_spoofed_forwarded_for_neither_changes_the_ip_nor_lifts_the_lock(world):
    # Rotating the header on every failure does not spread the attempts over many "addresses" ...
    client = Client()
    for n in range(5):
        login(client, "county", "Wrong-password-1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    attempts = AccessAttempt.objects.filter(username="county")
    assert set(attempts.values_list("ip_address", flat=True)) == {OFFICE_IP}
    assert set(AuditEvent.objects.filter(username="county").values_list("client_ip", flat=True)) == {OFFICE_IP}

    # ... and claiming to come from elsewhere does not lift the lock.
    for header in ({"HTTP_X_FORWARDED_FOR": HOME_IP}, {"HTTP_X_REAL_IP": HOME_IP},
                   {"HTTP_X_FORWARDED_FOR": f"{HOME_IP}, {OFFICE_IP}"}):
        client = Client()
        assert_locked(login(client, "county", **header), client)

    # The rightful user at the other address really gets in (the lock is not global).
    client = Client()
    assert_logged_in(login(client, "county", ip=HOME_IP), client)


def test_login_failure_is_audited_with_username_and_ip(world):
    client = Client()
    response = login(client, "county", "Wrong-password-1")
    assert response.status_code == 200
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_FAILED, username="county")
    assert event.success is False and event.client_ip == OFFICE_IP and len(event.request_id) == 32
    assert_logged_in(login(client, "county"), client)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN, username="county").exists()


# --- Lockout behind the shipped stack's reverse proxy (docker-compose.yml) -------------------------

ROOT = Path(__file__).resolve().parents[2]
PROXY_IP = "172.18.0.1"  # the TLS proxy as the web container sees it: every request's REMOTE_ADDR
CLIENT_1, CLIENT_2, CLIENT_3 = "198.51.100.7", "198.51.100.8", "198.51.100.9"
# Settings that decide the client address; whichever of them the settings module defines is applied.
CLIENT_IP_SETTINGS = ("TRUSTED_PROXY_COUNT", "CLIENT_IP_HEADER", "AXES_CLIENT_IP_CALLABLE",
                      "AXES_IPWARE_PROXY_COUNT", "AXES_IPWARE_META_PRECEDENCE_ORDER", "AXES_LOCKOUT_PARAMETERS")


def compose_environment() -> dict[str, str]:
    """The web container's environment as ``docker compose`` builds it from a .env copied from
    .env.example (its defaults, with the required secrets filled in)."""
    dotenv = {"SECRET_KEY": "x" * 60, "FIELD_ENCRYPTION_KEY": "k", "POSTGRES_PASSWORD": "pw",
              "ALLOWED_HOSTS": "tezhong.example.gov.cn"}
    for line in (ROOT / ".env.example").read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#") and value.strip():
            dotenv[key.strip()] = value.strip()

    def substitute(match):
        name, op, default = match[1], match[2], match[3]
        return dotenv.get(name) or (default if op == ":-" else "")

    block = (ROOT / "docker-compose.yml").read_text().split("\n  environment:\n", 1)[1]
    env = {}
    for line in block.splitlines():
        if not line.startswith("    "):
            break
        key, _, value = line.strip().partition(":")
        if key and not key.startswith("#"):
            env[key] = re.sub(r"\$\{(\w+)(:-|:\?)?([^}]*)\}", substitute, value.strip().strip('"'))
    return env


@pytest.fixture
def compose_settings(settings, tmp_path):
    """This process's settings, with the client-address settings the compose stack would have."""
    env = {k: v for k, v in os.environ.items() if k not in compose_environment()}
    env.update(compose_environment(), PORTAL_VAR_DIR=str(tmp_path), PYTHONWARNINGS="ignore")
    code = ("import json, portal.settings as s; "
            f"print(json.dumps({{k: getattr(s, k) for k in {CLIENT_IP_SETTINGS!r} if hasattr(s, k)}}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=True)
    values = json.loads(result.stdout.strip().splitlines()[-1])
    settings.AXES_CLIENT_IP_CALLABLE = None
    for key, value in values.items():
        setattr(settings, key, value)
    return values


def via_proxy(client, username, client_ip, password=factories.PASSWORD, forwarded_for=None):
    """A login through the proxy: it appends the address it saw to whatever X-Forwarded-For came in."""
    header = f"{forwarded_for}, {client_ip}" if forwarded_for else client_ip
    return login(client, username, password, ip=PROXY_IP, HTTP_X_FORWARDED_FOR=header)


def test_compose_stack_locks_the_user_and_client_behind_the_proxy_not_everyone(world, compose_settings):
    client = Client()
    for _ in range(5):
        via_proxy(client, "county", CLIENT_1, "Wrong-password-1")
    client = Client()
    assert_locked(via_proxy(client, "county", CLIENT_1), client)
    assert set(AccessAttempt.objects.filter(username="county").values_list("ip_address", flat=True)) == {CLIENT_1}
    locked = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKED_OUT, username="county").first()
    assert locked.client_ip == CLIENT_1

    # The same user from another client, and another user from the same client, still get in.
    client = Client()
    assert_logged_in(via_proxy(client, "county", CLIENT_2), client)
    client = Client()
    assert_logged_in(via_proxy(client, "city", CLIENT_1), client)


def test_a_forged_leading_forwarded_entry_neither_lifts_nor_moves_the_lock(world, compose_settings):
    client = Client()
    for n in range(5):
        via_proxy(client, "county", CLIENT_1, "Wrong-password-1", forwarded_for=f"203.0.113.{n}")
    assert set(AccessAttempt.objects.filter(username="county").values_list("ip_address", flat=True)) == {CLIENT_1}
    for forged in (CLIENT_2, f"{CLIENT_2}, {CLIENT_3}", "not-an-address"):
        client = Client()
        assert_locked(via_proxy(client, "county", CLIENT_1, forwarded_for=forged), client)

    # An attacker at client 3 claiming to be client 2 locks (city, client 3), not the real client 2.
    for _ in range(5):
        via_proxy(Client(), "city", CLIENT_3, "Wrong-password-1", forwarded_for=CLIENT_2)
    client = Client()
    assert_locked(via_proxy(client, "city", CLIENT_3), client)
    client = Client()
    assert_logged_in(via_proxy(client, "city", CLIENT_2), client)


def test_the_proxys_own_health_check_is_taken_at_its_address(world, compose_settings):
    """No X-Forwarded-For (the container's own healthcheck, a direct connection): REMOTE_ADDR."""
    response = login(Client(), "county", "Wrong-password-1", ip="127.0.0.1")
    assert response.status_code == 200
    assert AccessAttempt.objects.get(username="county").ip_address == "127.0.0.1"


# --- Password rules -----------------------------------------------------------------------------------

def codes(password, username="zhangwei2026"):
    user = User(username=username, display_name="张伟", email="zhangwei@example.gov.cn")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {error.code for error in exc.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1!xyz", "password_too_short"),              # 7 characters, 4 classes
        ("gansuportaltest", "password_too_few_classes"),  # 1 class
        ("gansuportal2026", "password_too_few_classes"),  # 2 classes: lower + digit
        ("GANSU-PORTAL-X", "password_too_few_classes"),   # 2 classes: upper + symbol
        ("Password1", "password_too_common"),           # 3 classes, but on the common list
        ("Zhangwei2026!", "password_too_similar"),      # 4 classes, but the username
    ],
)
def test_weak_passwords_are_refused(db, password, code):
    assert code in codes(password)


@pytest.mark.parametrize("password", [factories.PASSWORD, "Lz#7mQ2v", "天水 Maijishan 麦积山 2026"])
def test_good_passwords_are_accepted(db, password):
    assert codes(password) == set()


def test_long_passphrase_is_accepted_and_not_truncated(world, settings):
    settings.PASSWORD_HASHERS = getattr(portal_settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert get_hasher().algorithm == "pbkdf2_sha256"
    passphrase = ("兰州牛肉面 correct horse battery staple 黄河铁桥 " * 4)[:99] + "9"
    assert len(passphrase) == 100
    assert codes(passphrase) == set()
    user = factories.regulator("620102", Role.INSPECTOR, username="passphrase-user")
    user.set_password(passphrase)
    user.save()
    assert user.check_password(passphrase)
    assert not user.check_password(passphrase[:99])  # no silent truncation
    assert not user.check_password(passphrase[:72])  # (bcrypt would cut here)
    client = Client()
    assert_logged_in(login(client, "passphrase-user", passphrase), client)
    assert "password_too_long" in codes("Aa1!" * 33)  # 132 characters: refused, not truncated


def test_weak_password_is_refused_by_the_account_form(world):
    client = Client()
    client.force_login(world["users"]["county"])
    data = {"username": "weakling", "display_name": "弱密码", "jurisdiction": factories.node("620102001").pk,
            "role": Role.INSPECTOR, "password": "weakling2026"}
    response = client.post(reverse("jurisdictions:user_create"), data)
    assert response.status_code == 200
    assert not User.objects.filter(username="weakling").exists()
    data["password"] = "Weakling#2026x"
    response = client.post(reverse("jurisdictions:user_create"), {**data, "username": "strongling"})
    assert response.status_code == 302
    assert User.objects.filter(username="strongling").exists()


# --- Sessions -----------------------------------------------------------------------------------------

def stored(client) -> Session:
    return Session.objects.get(session_key=client.cookies[django_settings.SESSION_COOKIE_NAME].value)


def test_session_is_in_the_database_and_rotated_at_login(world):
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    client = Client()
    pre = client.session
    pre["before_login"] = True
    pre.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = pre.session_key
    old_key = pre.session_key
    assert Session.objects.filter(session_key=old_key).exists()

    assert_logged_in(login(client, "county"), client)
    row = stored(client)
    assert row.session_key != old_key  # rotated: a fixated key is worthless
    assert not Session.objects.filter(session_key=old_key).exists()
    assert row.get_decoded()["_auth_user_id"] == str(world["users"]["county"].pk)
    assert LoginSession.objects.filter(session_key=row.session_key, user=world["users"]["county"]).exists()
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def idle_for(client, minutes: int) -> None:
    """The session as it stands after ``minutes`` without a request: its idle clock and its row's expiry."""
    session = client.session
    session["seen_at"] = (timezone.now() - timedelta(minutes=minutes)).timestamp()
    session.save()
    Session.objects.filter(pk=session.session_key).update(
        expire_date=timezone.now() + timedelta(seconds=django_settings.SESSION_COOKIE_AGE) - timedelta(minutes=minutes))


def test_idle_session_expires_after_thirty_minutes(world):
    client = Client()
    assert_logged_in(login(client, "county"), client)

    # 29 minutes idle: still in, and the request pushes the expiry 30 minutes ahead again.
    idle_for(client, 29)
    assert client.get(HOME).status_code == 200
    assert stored(client).expire_date > timezone.now() + timedelta(minutes=29)

    # 31 minutes idle: the stored session expired one minute ago.
    idle_for(client, 31)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.get(reverse("units:unit_list")).status_code == 302


def test_idle_limit_holds_even_while_the_row_has_not_expired(world):
    """The idle clock in the session decides, not only the row's expiry: 31 minutes since ``seen_at`` is out."""
    client = Client()
    assert_logged_in(login(client, "county"), client)
    session = client.session
    session["seen_at"] = (timezone.now() - timedelta(minutes=31)).timestamp()
    session.save()

    response = client.get(HOME)

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def session_writes(client, path) -> int:
    table = Session._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(1 for q in queries if table in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT")))


def test_a_page_view_within_the_minute_writes_no_session_row(world):
    client = Client()
    assert_logged_in(login(client, "county"), client)
    expiry = stored(client).expire_date

    assert session_writes(client, HOME) == 0
    assert session_writes(client, reverse("units:unit_list")) == 0
    assert stored(client).expire_date == expiry

    # A minute on, the next view moves the idle clock once: one write, expiry pushed ahead.
    idle_for(client, 1)
    assert session_writes(client, HOME) == 1
    assert stored(client).expire_date > timezone.now() + timedelta(minutes=29)
    assert session_writes(client, HOME) == 0


def test_absolute_limit_of_twelve_hours_logs_out(world):
    client = Client()
    assert_logged_in(login(client, "county"), client)
    key = stored(client).session_key

    session = client.session
    session["login_at"] = (timezone.now() - timedelta(hours=11, minutes=59)).timestamp()
    session.save()
    assert client.get(HOME).status_code == 200  # just inside the limit

    session = client.session
    session["login_at"] = (timezone.now() - timedelta(hours=13)).timestamp()
    session.save()
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not Session.objects.filter(session_key=key).exists()  # deleted server-side, not just forgotten
    assert client.get(HOME).status_code == 302
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGOUT, username="county").exists()


def test_logout_deletes_the_server_side_session(world):
    client = Client()
    assert_logged_in(login(client, "county"), client)
    key = stored(client).session_key
    stolen = Client()
    stolen.cookies[django_settings.SESSION_COOKIE_NAME] = key
    assert stolen.get(HOME).status_code == 200  # a copy of the cookie works while the session lives

    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert not LoginSession.objects.filter(session_key=key).exists()
    assert stolen.get(HOME).status_code == 302  # ... and is worthless after logout
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGOUT, username="county").exists()


def test_logout_by_get_is_refused(world):
    client = Client()
    assert_logged_in(login(client, "county"), client)
    assert client.get(LOGOUT).status_code == 405
    assert client.get(HOME).status_code == 200


# --- CSRF -----------------------------------------------------------------------------------------------

def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def token_from(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["csrf_token"]


def test_account_creation_without_csrf_token_is_refused(world):
    client = csrf_client(world["users"]["county"])
    data = {"username": "csrf-victim", "display_name": "跨站", "jurisdiction": factories.node("620102001").pk,
            "role": Role.INSPECTOR, "password": "Lanzhou#Bridge88"}
    url = reverse("jurisdictions:user_create")
    assert client.post(url, data).status_code == 403
    assert not User.objects.filter(username="csrf-victim").exists()

    response = client.post(url, {**data, "csrfmiddlewaretoken": token_from(client, url)})
    assert response.status_code == 302
    assert User.objects.filter(username="csrf-victim").exists()


def test_logout_without_csrf_token_is_refused(world):
    client = csrf_client(world["users"]["county"])
    assert client.post(LOGOUT).status_code == 403
    assert client.get(HOME).status_code == 200  # still signed in

    token = token_from(client, HOME)
    assert client.post(LOGOUT, {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get(HOME).status_code == 302


def test_login_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    assert login(client, "county").status_code == 403
    token = token_from(client, LOGIN)
    response = client.post(LOGIN, {"username": "county", "password": factories.PASSWORD,
                                   "csrfmiddlewaretoken": token}, REMOTE_ADDR=OFFICE_IP)
    assert response.status_code == 302
