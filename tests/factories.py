"""Builders for tests: real Gansu nodes, accounts made through the real services."""

import itertools
import random
from datetime import date, timedelta

from django.test import Client

from jurisdictions import access
from jurisdictions.duties import Role
from jurisdictions.models import Jurisdiction, User
from jurisdictions.services import create_regulator
from personnel import services as personnel
from personnel.models import Person
from portal.kit.samples import make_id_number, make_png, make_uscc
from units.choices import UnitKind
from units.models import Unit
from units.services import create_enterprise_user

PASSWORD = "Gansu@2026test"
_seq = itertools.count(1)
_rng = random.Random(7)

# role name → (jurisdiction code, role). The access matrix uses exactly these.
ROLE_NODES = {
    "province": ("620000", Role.LEADER),
    "city": ("620100", Role.LEADER),            # 兰州市
    "other_city": ("620500", Role.LEADER),      # 天水市
    "county": ("620102", Role.LEADER),          # 城关区 (兰州)
    "other_county": ("620103", Role.LEADER),    # 七里河区 (兰州)
    "station": ("620102001", Role.INSPECTOR),   # 酒泉路街道所 (城关区)
}


def node(code: str) -> Jurisdiction:
    return Jurisdiction.objects.get(code=code)


def system_user() -> User:
    """The actor behind test data: a province leader made from the command line (as the first account
    of a deployment is), not a superuser — a superuser holds no scope in the portal."""
    user = User.objects.filter(username="system-test").first()
    return user or create_regulator(by=access.COMMAND_LINE,
                                    username="system-test", password=PASSWORD, display_name="测试省局",
                                    jurisdiction=node("620000"), role=Role.LEADER)


def superuser(username: str = "sysadmin", **fields) -> User:
    """The system administrator of docs/accounts.md: ``createsuperuser``, no role, no jurisdiction."""
    return User.objects.create_superuser(username, "", PASSWORD, **fields)


def regulator(code: str, role: str = Role.LEADER, username: str | None = None) -> User:
    return create_regulator(by=system_user(), username=username or f"reg{next(_seq)}", password=PASSWORD,
                            display_name="测试人员", jurisdiction=node(code), role=role)


def unit(code: str, name: str | None = None, kinds=(UnitKind.USAGE,)) -> Unit:
    """A unit placed at node ``code`` (ancestor ids copied as the service does)."""
    n = node(code)
    u = Unit(uscc=make_uscc(n.code, _rng), name=name or f"测试单位{next(_seq)}", kinds=list(kinds))
    u.place(n)
    u.save()
    return u


def enterprise_user(u: Unit, username: str | None = None, email: str = "") -> User:
    return create_enterprise_user(by=access.COMMAND_LINE,
                                  unit=u, username=username or f"ent{next(_seq)}", password=PASSWORD,
                                  display_name="企业人员", email=email)


def new_id_number(area: str = "620102") -> str:
    """A fresh check-valid ID number (GB 11643): each call a different birth date and sequence."""
    n = next(_seq)
    return make_id_number(area, date(1970, 1, 1) + timedelta(days=n), n % 1000)


def person(u: Unit, name: str | None = None, id_number: str | None = None, phone: str | None = None) -> Person:
    """A person entered at ``u`` through the real service (sealed numbers, blind index, audit row)."""
    n = next(_seq)
    return personnel.add_person(by=system_user(), unit=u, name=name or f"测试人员{n}",
                                id_number=id_number or new_id_number(), phone=phone or f"139{n:08d}")


def xlsx_bytes(columns, rows) -> bytes:
    """A one-sheet workbook: the header row, then ``rows``."""
    import io

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(list(columns))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def png_bytes(width: int = 40, height: int = 24) -> bytes:
    """A real, viewable PNG: what a browser shows for a scanned 营业执照."""
    return make_png(width, height)


def licence_upload(name: str = "营业执照.png"):
    """A 营业执照 image upload for sign-up."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def logged_in(user) -> Client:
    """A test client with ``user``'s session, skipping the login form (tests of login use it directly)."""
    client = Client()
    client.force_login(user)
    return client
