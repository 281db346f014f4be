"""The 人员配备情况表 as its reader sees it on paper (seed 002 附件 9–10; GB/T 9704-2012): one page for a full
usage unit even with long 负责设备或岗位 texts wrapped inside their cells, the columns wide enough for their
words, and a foot naming who filled it in, their phone masked, and where the unit's seal goes."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from personnel import services
from personnel.choices import Post
from portal.kit.pdf import document_date
from tests import factories, pdflayout
from tests.pdflayout import PAGE_CENTRE, TYPE_RIGHT

START = timezone.localdate() - timedelta(days=30)
COVERS = ("1号楼1至6号曳引驱动乘客电梯、2号楼1至4号自动扶梯、地下车库3台内燃平衡重式叉车、锅炉房2台燃气热水锅炉"
          "及其安全附件的日常巡查、维护保养记录和隐患排查治理")
# Equipment codes joined by ASCII commas offer no line break: only the cell's own wrapping keeps them in.
CODES = ",".join(f"3110230102025{n:05d}" for n in range(1, 5))
STAFF = (  # post, name, phone, covers
    (Post.PRINCIPAL, "张三", "13800130000", COVERS),
    (Post.SAFETY_DIRECTOR, "企业人员", "13800130001", COVERS),
    (Post.SAFETY_OFFICER, "王五", "13800130002", COVERS),
    (Post.SAFETY_OFFICER, "赵六", "13800130003", COVERS),
    (Post.SAFETY_OFFICER, "欧阳小明", "13800130004", COVERS),
    (Post.SAFETY_OFFICER, "钱七", "13800130005", CODES),
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staffed(world):
    """A usage unit with its principal, director and four officers; its account (display name 企业人员, as the
    factory names it) is also entered as the safety director."""
    for post, name, phone, covers in STAFF:
        services.appoint_new_person(by=world["users"]["enterprise"], unit=world["unit"], name=name,
                                    id_number=factories.new_id_number(), phone=phone, post=post, started_on=START,
                                    covers=covers)
    return world


def staff_pdf(world, who: str) -> bytes:
    client = Client()
    client.force_login(world["users"][who])
    response = client.get(reverse("personnel:unit_staff_pdf", args=[world["unit"].pk]))
    assert response.status_code == 200
    return response.content


def test_a_full_staff_with_long_coverage_fits_one_page_with_words_whole(staffed):
    pdf = staff_pdf(staffed, "enterprise")
    found = pdflayout.lines(pdf)
    assert pdflayout.page_count(pdf) == 1
    assert pdflayout.chars_right_edge(pdf) <= TYPE_RIGHT + 0.5, "text ran out of its cell past the type area"
    header = pdflayout.first(found, staffed["unit"].name)
    assert abs(header.centre - PAGE_CENTRE) <= 2
    columns = pdflayout.first(found, "职务")
    for label in ("职务姓名", "负责设备或岗位"):  # each column heading on one line, not a character a line
        assert label in columns.flat, columns.text
    for post in ("主要负", "安全员", "安全总"):
        assert any(line.flat.startswith(post) for line in found), post
    assert sum(line.flat.startswith("安全员") for line in found) == 4
    assert any("欧阳小明" in line.flat for line in found)


def test_the_foot_names_the_filler_with_a_masked_phone_and_the_seal_area(staffed):
    pdf = staff_pdf(staffed, "enterprise")
    found = pdflayout.lines(pdf)
    text = "".join(line.flat for line in found)
    assert "填表人：企业人员" in text
    assert "联系电话：138****0001" in text and "13800130001" not in text
    name, date = pdflayout.signature(found, staffed["unit"].name, document_date(timezone.localdate()))
    seal = pdflayout.last(found, "（单位盖章）")
    assert seal.page == name.page == date.page and seal.top < name.top


def test_a_regulator_printing_the_sheet_leaves_the_filler_to_the_unit(staffed):
    found = pdflayout.lines(staff_pdf(staffed, "county"))
    filler = pdflayout.last(found, "填表人")
    assert filler.flat == "填表人：", filler.text
    assert "联系电话：" in "".join(line.flat for line in found)
