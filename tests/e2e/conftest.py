import os

import pytest
from django.test import override_settings
from pytest_django.live_server_helper import LiveServer


@pytest.fixture(scope="module")
def live_server(request):
    """pytest-django's live server, built with SECURE_SSL_REDIRECT off.

    SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the server thread builds its handler,
    which happens before the per-test ``_plain_http`` override; the stock session-scoped
    ``live_server`` would therefore redirect the browser to https:// for the whole session.
    """
    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with override_settings(SECURE_SSL_REDIRECT=False):
        server = LiveServer(addr)
    yield server
    server.stop()
