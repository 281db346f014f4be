"""Search by full ID number without the number ever reaching a URL (docs/security.md §Personal information)."""

from datetime import date

from django.test import Client
from django.urls import reverse

from personnel import services
from portal.kit.samples import make_id_number

NUMBER = make_id_number("620102", date(1982, 8, 8), 15)


def test_the_search_form_posts_and_comes_back_with_a_keyed_hash_not_the_number(world):
    unit = world["unit"]
    services.appoint_new_person(by=world["users"]["enterprise"], unit=unit, name="被搜索人", id_number=NUMBER,
                                phone="13500135000", post="principal", started_on=date(2025, 1, 1))
    client = Client()
    client.force_login(world["users"]["county"])
    response = client.post(reverse("personnel:person_list"), {"q": NUMBER.lower()})
    assert response.status_code == 302
    assert NUMBER not in response["Location"] and NUMBER[-4:] not in response["Location"]
    page = client.get(response["Location"])
    assert [p.name for p in page.context["table"].data.data] == ["被搜索人"]
    assert NUMBER not in page.content.decode()

    other = Client()
    other.force_login(world["users"]["other_county"])
    outside = other.get(other.post(reverse("personnel:person_list"), {"q": NUMBER})["Location"])
    assert list(outside.context["table"].data.data) == []


def test_a_name_search_still_reads_like_a_name(world):
    client = Client()
    client.force_login(world["users"]["county"])
    response = client.post(reverse("personnel:person_list"), {"q": "王"})
    assert response["Location"].endswith("?q=%E7%8E%8B")
