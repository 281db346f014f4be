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


def test_the_switch_in_the_top_bar_turns_the_portal_english_and_back(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(world["users"]["enterprise"])
    home = reverse("dashboard:home")
    assert 'data-testid="language-en"' in client.get(home).content.decode()

    switched = client.post(reverse("set_language"), {"language": "en"}, HTTP_REFERER=f"http://testserver{home}")
    page = client.get(home).content.decode()

    assert switched.status_code == 302 and switched["Location"] == f"http://testserver{home}"
    assert '<html lang="en">' in page and "Log out" in page and 'data-testid="language-zh-hans"' in page

    client.post(reverse("set_language"), {"language": "zh-hans", "next": home})
    assert "退出" in client.get(home).content.decode()


def test_an_english_browser_alone_does_not_switch_the_language(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(world["users"]["enterprise"])

    page = client.get(reverse("dashboard:home")).content.decode()

    assert '<html lang="zh-hans">' in page and "退出" in page and "Log out" not in page
