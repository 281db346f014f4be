"""The inspection record and the 安全监察指令书 as PDFs (docs/domain.md §Inspection record, §Directive):
read back with pypdf — the unit, the findings, the legal basis, the deadline, the document number, the appeal
clause, the seal area and "一式两份" — and every CJK string comes back, so no glyph was dropped."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from inspections.supervision import inspection_documents
from portal.kit.pdf import document_date
from tests.factories import logged_in
from tests.inspections.supervision_world import completed_record, issued_directive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "\ufffd" not in text
    return re.sub(r"\s+", "", text)


def test_the_inspection_record_reads_back(inspectors):
    inspection = completed_record(inspectors)
    text = pdf_text(inspection_documents.record_pdf(inspection))
    for expected in ("特种设备安全监督检查记录", "城关区市场监督管理局", inspectors["unit"].name, inspection.unit_uscc,
                     "常规监督检查", "GS-T-001", "GS-T-002", "未落实周排查，未形成每周安全排查治理报告", "不符合",
                     "在岗：张总监", "下达安全监察指令书", "李代表", "31106201022026000001"):
        assert expected in text, expected


def test_the_directive_reads_back_in_the_official_layout(inspectors):
    directive = issued_directive(inspectors)
    response = logged_in(inspectors["users"]["county"]).get(reverse("inspections:directive_pdf",
                                                                    args=[directive.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    for expected in (directive.number, "特种设备安全监察指令书", f"被检查单位：{inspectors['unit'].name}",
                     "经检查，你（单位）在特种设备安全方面存在下列问题：", "未落实周排查",
                     "上述问题违反了《特种设备使用单位落实使用安全主体责任监督管理规定》第一百四十三条的规定",
                     f"责令你（单位）于{document_date(directive.deadline)}前采取以下措施",
                     "立即建立周排查制度", "六十日内依法申请行政复议", "六个月内依法向人民法院提起行政诉讼",
                     "不停止执行", "特种设备安全监察人员（签字）", "被检查单位负责人（签字）", "特种设备安全监察专用章",
                     "本指令书一式两份", "城关区市场监督管理局"):
        assert expected in text, expected
    # The number stands above the title.
    assert text.index(directive.number) < text.index("特种设备安全监察指令书")
