"""The portal's language is a deployment setting (``LANGUAGE_CODE``), not the visitor's browser: a
browser asking for English would otherwise get English dates inside a Chinese page (seen on the quick
start in headless Chromium, whose default is en-US)."""

import datetime

from django.test import Client
from django.urls import reverse

from tests import factories


def test_an_english_browser_still_sees_dates_in_the_portals_language(world):
    enterprise = world["users"]["enterprise"]
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(enterprise)

    history = client.get(reverse("units:unit_history", args=[world["unit"].pk])).content.decode()

    assert "a.m." not in history and "p.m." not in history
    assert f"{datetime.date.today().year}年" in history


def test_english_is_one_setting_away(world, settings):
    settings.LANGUAGE_CODE = "en"
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(factories.regulator("620102", username="en-county"))

    page = client.get(reverse("units:unit_history", args=[world["unit"].pk])).content.decode()

    assert "年" not in page.split('data-testid="history"', 1)[1].split("</table>", 1)[0]
