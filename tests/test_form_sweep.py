"""Every form of the portal, opened and sent back for a unit full of data (issue 8 item 1).

The access matrix's suite ran against empty units, so a form that only breaks once a unit has
equipment (the officer form's sliced choices) answered 500 to every enterprise that had entered its
equipment. Here one unit has equipment in several states, people in every post, applications at each
step, certificates, a training and a spot assessment; then every form URL the matrix knows (its
``WRITES``, which ``test_every_post_endpoint_of_the_matrix_has_a_write_entry`` keeps complete, plus
any page of the matrix that renders a POST form to itself) is opened by each user the matrix lets in,
at its plain URL and at every query-string variant the portal's own pages link to (``?post=…``), and
posted back with exactly what the page rendered. Nothing here names a form: a form URL added to the
matrix is swept without an edit. A page may withhold its form when it says why on the page (``data-form-withheld``
on the notice: today's check already filed, the day exempt, the account not in the post); its other variants
(the missed days it links to) are still swept.
"""

from __future__ import annotations

import html
import random
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jurisdictions import access
from personnel import services as personnel
from portal.kit.samples import make_uscc
from tests import factories
from tests.test_access_matrix import MATRIX, OK, ROLES, WRITES, _application, client_for, url_for
from tests.test_access_matrix import _media as _media  # the matrix's fixtures: uploads kept in tmp_path,
from tests.test_access_matrix import w as matrix_world  # noqa: F401  and its world (under this name)
from units import services as unit_services
from units.choices import EquipmentStatus
from units.models import Equipment, EquipmentType

# Pages that answer files or act on GET-less POSTs: crawled for links only where they are HTML.
NOT_CRAWLED = {"admin:*", "logout"}


# --- Reading a page's forms ---------------------------------------------------------------------------

class FormReader(HTMLParser):
    """The POST forms of a page and what a browser would send for each, untouched.

    Per form: ``action``, ``fields`` [(name, value)] of named inputs (checked boxes only, no files, no
    buttons), selects (the selected options, else the first) and textareas; and ``choices``: for each
    checkbox group, the values it offers.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: set[str] = set()
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.add(a["href"])
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": [], "choices": {}, "file": False}
            self.forms.append(self._form)
        if self._form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                self._form["choices"].setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
            elif kind == "file":
                self._form["file"] = True
            elif kind not in ("submit", "button", "image", "reset"):
                self._form["fields"].append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select = {"name": name, "options": [], "selected": []}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a:
                self._select["selected"].append(value)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            chosen = self._select["selected"] or self._select["options"][:1]
            self._form["fields"].extend((self._select["name"], v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form["fields"].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self._form = None


def read(response) -> FormReader:
    reader = FormReader()
    reader.feed(response.content.decode())
    return reader


def own_form(reader: FormReader, url: str) -> dict | None:
    """The page's form that posts to the page itself (not the header's 退出 form), its ``target``
    resolved as a browser resolves ``action`` (it may add a query, e.g. ``?kind=register``)."""
    for form in reader.forms:
        target = urljoin(url, form["action"]) if form["action"] else url
        if urlsplit(target).path == urlsplit(url).path:
            return {**form, "target": target}
    return None


def as_post(fields) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


# --- A unit with everything ---------------------------------------------------------------------------

@pytest.fixture
def full(request, world):
    """The matrix's world, with ``unit`` (城关区, usage + production) holding equipment in each state,
    someone in every post it has, applications submitted / accepted / approved, certificates (one near
    expiry), a training and a failed spot assessment; and every object a matrix URL names built now, so
    the per-form rollbacks below never undo them. (``world`` is named so the test database is set up
    before the matrix's world is asked for by name.)"""
    w = request.getfixturevalue("matrix_world")
    unit, enterprise, county = w["unit"], w["users"]["enterprise"], w["users"]["county"]
    elevator = EquipmentType.objects.get(code="3110")
    today = timezone.localdate()
    for i, status in enumerate(EquipmentStatus.values):
        equipment = unit_services.add_equipment(by=access.COMMAND_LINE, unit=unit, equipment_type=elevator,
                                                factory_number=f"SWEEP-{i}", location=f"{i + 1}号楼",
                                                next_inspection_on=today + timedelta(days=30 * i - 30))
        Equipment.objects.filter(pk=equipment.pk).update(status=status)
    people = []
    for post in ("principal", "safety_director", "safety_officer", "safety_officer", "quality_safety_director",
                 "quality_safety_officer"):
        appointment = personnel.appoint_new_person(
            by=enterprise, unit=unit, name=f"全员{len(people)}", id_number=factories.new_id_number(),
            phone=f"1370000{len(people):04d}", post=post, started_on=today - timedelta(days=400),
            equipment=unit.equipment.all()[:2])
        people.append(appointment.person)
    for i, person in enumerate(people):
        personnel.add_certificate(by=enterprise, person=person, item_code="A", number=f"SWEEP-A-{i}",
                                  issued_by="兰州市市场监督管理局", issued_on=today - timedelta(days=1400),
                                  expires_on=today + timedelta(days=20 + 200 * i))
    personnel.record_training(by=enterprise, unit=unit, held_on=today - timedelta(days=10), content="年度培训",
                              hours=4, trainer="兰州市特检院", passed=people[1:], failed=people[:1])
    personnel.record_assessment(by=county, person=people[2], assessed_on=today, score=40, result="failed")
    # The matrix draws its pending unit's USCC from the seed the factories start from; a suite
    # running this test first would draw it twice.
    w["pending_unit"] = unit_services.signup_unit(
        uscc=make_uscc("620102", random.Random(2026)), name="全量待确认单位", kinds=["usage"],
        jurisdiction=factories.node("620102001"), username="sweep-pending", display_name="待确认",
        password=factories.PASSWORD, contact_phone="13912345671", licence=factories.licence_upload())[0]
    for page in (*MATRIX.values(), *WRITES.values()):
        if page.obj is not None:
            page.obj(w)
    for stage in ("submitted", "accepted", "approved"):
        _application(stage)(w)
    return w


# --- The sweep ------------------------------------------------------------------------------------

def crawl(w, role) -> tuple[set[str], set[str]]:
    """Every link on every HTML page of the matrix that ``role`` may open, and the names of those
    pages that carry a POST form to themselves (a search, a reveal)."""
    client, links, forms = client_for(w, role), set(), set()
    for name, page in MATRIX.items():
        if name in NOT_CRAWLED or page.method != "get" or page.expected[role] != OK:
            continue
        url = url_for(name, page, w)
        response = client.get(url)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            reader = read(response)
            links |= {html.unescape(link) for link in reader.links}
            if own_form(reader, url) is not None:
                forms.add(name)
    return links, forms


def send_back(client, url: str, response, problems: list, where: str, fill: dict | None = None,
              strict: bool = True):
    """Post the page's own form back (inside a savepoint rolled back after): never a 500, and (for
    the matrix's forms, ``strict``) either a redirect or the form again with what is wrong said on it."""
    form = own_form(read(response), url)
    if form is None:
        if "data-form-withheld" not in response.content.decode():
            problems.append(f"{where}: no POST form to the page itself")
        return
    data = as_post(form["fields"])
    if fill:
        for name, values in fill.items():
            data[name] = values if isinstance(values, list) else [values]
        for name, offered in form["choices"].items():
            data.setdefault(name, offered[:1])
    with transaction.atomic():
        posted = client.post(form["target"], data)
        transaction.set_rollback(True)
    if posted.status_code == 302:
        return
    if posted.status_code != 200:
        problems.append(f"{where}: POST answered {posted.status_code}")
        return
    text = posted.content.decode()
    if strict and "data-field-error" not in text and 'data-testid="form-errors"' not in text:
        problems.append(f"{where}: POST answered 200 without saying what is wrong")


def test_every_form_opens_and_takes_back_what_it_rendered_for_a_unit_with_everything(full):
    w, problems, checked = full, [], set()
    # Links are the same for every role that sees a page, so the forms' rightful users crawl for all.
    crawled = [crawl(w, role) for role in sorted({write.rightful for write in WRITES.values()})]
    links = set().union(*(found for found, _ in crawled))
    names = set(WRITES).union(*(forms for _, forms in crawled))
    for name in sorted(names):
        page = MATRIX[name]
        url = url_for(name, page, w)
        for role in (r for r in ROLES if page.expected[r] == OK):
            variants = [url, *sorted(link for link in links if urlsplit(link).path == url and "?" in link)]
            client = client_for(w, role)
            client.raise_request_exception = False  # a crash is counted as the 500 a user sees
            for variant in variants:
                where = f"{name} as {role} at {variant}"
                with transaction.atomic():
                    response = client.get(variant)
                    transaction.set_rollback(True)
                if response.status_code != 200:
                    problems.append(f"{where}: GET answered {response.status_code}")
                    continue
                checked.add(name)
                send_back(client, variant, response, problems, where, strict=name in WRITES)
                if name in WRITES and role == WRITES[name].rightful:
                    # And once filled in as the matrix's rightful user does, with every offered choice ticked.
                    fill = {k: v for k, v in WRITES[name].data(w).items() if not hasattr(v, "read")}
                    send_back(client, variant, response, problems, f"{where} (filled)", fill=fill)
    assert not problems, "\n".join(problems)
    assert checked == names and {"personnel:person_reveal", "personnel:appointment_new"} <= names


def test_the_sweep_reaches_the_officer_form_with_equipment_to_pick(full):
    """The form that broke: the staff page's 登记 links carry ``?post=…`` and the form lists the
    unit's equipment (all of it, in the filterable picker)."""
    client = client_for(full, "enterprise")
    url = reverse("personnel:appointment_new", args=[full["unit"].pk])
    staff = client.get(reverse("personnel:unit_staff", args=[full["unit"].pk]))
    assert f"{url}?post=safety_officer" in {html.unescape(link) for link in read(staff).links}
    response = client.get(f"{url}?post=safety_officer")
    assert response.status_code == 200
    form = own_form(read(response), f"{url}?post=safety_officer")
    assert len(form["choices"]["equipment"]) == full["unit"].equipment.count() >= len(EquipmentStatus.values)
