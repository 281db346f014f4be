"""Liveness, readiness and the database-down maintenance page (docs/security.md §Reliability).

The outage is real: the default connection is closed and pointed at a port where nothing listens,
so every query fails to connect. Restoring the address brings the same process back without a
restart. These tests close the connection, so they cannot run inside a rolled-back test transaction.
"""

import socket
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from tests import factories

MAINTENANCE_TEXT = "系统暂时无法访问"
TRACEBACK_MARKERS = ("Traceback", "OperationalError", "psycopg", "File \"", "connection to server")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def database_down():
    saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@pytest.fixture
def plain_client():
    """A client that behaves like a browser: server errors come back as responses, never re-raised."""
    return Client(raise_request_exception=False)


@pytest.fixture
def signed_in_client(transactional_db, plain_client):
    user = get_user_model().objects.create_user("health-probe", password=factories.PASSWORD)
    plain_client.force_login(user)
    return plain_client


def assert_friendly_maintenance(response):
    assert response.status_code == 503
    body = response.content.decode()
    assert MAINTENANCE_TEXT in body
    assert response["X-Request-ID"] in body  # the id to quote to support
    for marker in TRACEBACK_MARKERS:
        assert marker not in body


def test_healthz_is_200_and_touches_nothing(plain_client, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = plain_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_200_when_the_database_answers(plain_client, db):
    response = plain_client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "up"


def test_database_down_probes_maintenance_page_and_recovery(signed_in_client):
    client = signed_in_client
    assert client.get("/").status_code == 200  # the session works before the outage

    with database_down():
        probe = Client(raise_request_exception=False)  # a load balancer: no session cookie
        assert probe.get("/healthz").status_code == 200  # liveness: the process is not restarted
        ready = probe.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["database"] == "down"

        # A signed-in page: the session lookup is the first query and it fails.
        assert_friendly_maintenance(client.get("/"))
        assert_friendly_maintenance(client.get("/units/"))
        # A login attempt (axes and the auth backend query the database).
        assert_friendly_maintenance(
            Client(raise_request_exception=False).post(
                "/accounts/login/", {"username": "health-probe", "password": factories.PASSWORD}
            )
        )

    # Recovery without restart: the same process, the same connection object, next request OK.
    assert client.get("/readyz").status_code == 200
    response = client.get("/")
    assert response.status_code == 200
    assert MAINTENANCE_TEXT not in response.content.decode()


def test_liveness_ignores_a_session_cookie_while_the_database_is_down(signed_in_client):
    with database_down():
        live = signed_in_client.get("/healthz")
        ready = signed_in_client.get("/readyz")
    assert live.status_code == 200
    assert ready.status_code == 503
