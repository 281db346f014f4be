"""Excel import of units and equipment: dry run, one-transaction save, scope, hostile files."""

import io
import random
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jurisdictions.models import AuditEvent
from portal.kit.models import OutboxMessage
from portal.kit.samples import make_uscc
from tests.factories import logged_in, xlsx_bytes
from units import importing
from units.models import Equipment, ImportJob, Unit

STATION = "620102001"        # 酒泉路 (城关区)
OTHER_STATION = "620103001"  # 七里河区


def usccs(n, seed=1):
    rng, out = random.Random(seed), set()
    while len(out) < n:
        out.add(make_uscc("620102", rng))
    return sorted(out)


def unit_rows(n, seed=1):
    return [[code, f"导入测试单位{i}", "使用、生产", STATION, f"城关区测试路{i}号", "张三"]
            for i, code in enumerate(usccs(n, seed))]


def upload(rows, columns=importing.UNIT_COLUMNS, name="导入.xlsx"):
    return SimpleUploadedFile(name, xlsx_bytes(columns, rows))


def test_dry_run_lists_exactly_the_bad_rows_then_the_fixed_file_saves_all(world):
    county = world["users"]["county"]
    before = Unit.objects.count()
    rows = unit_rows(1000)
    good = [list(r) for r in rows]
    rows[10][0] = "91620102ABCDEFGHI0"  # bad check digit
    rows[500][2] = "经营"               # unknown category
    rows[998][3] = OTHER_STATION       # another county's station
    client = logged_in(county)
    response = client.post(reverse("units:unit_import"), {"file": upload(rows)})
    assert response.status_code == 302
    job = ImportJob.objects.get(created_by=county)
    assert job.status == ImportJob.Status.INVALID and job.total == 1000
    assert [e["row"] for e in job.errors] == [12, 502, 1000]
    page = client.get(response["Location"]).content.decode()
    assert "第 12 行" in page and "第 502 行" in page and "第 1000 行" in page
    assert "单位类别“经营”无法识别" in page and "不在您的管辖范围内" in page
    assert "确认导入" not in page
    assert Unit.objects.count() == before
    # Confirming an invalid job is refused.
    assert client.post(reverse("units:import_confirm", args=[job.pk])).status_code == 200
    assert Unit.objects.count() == before

    response = client.post(reverse("units:unit_import"), {"file": upload(good)})
    job = ImportJob.objects.filter(created_by=county).latest("pk")
    assert job.status == ImportJob.Status.VALIDATED and job.errors == []
    assert "确认导入" in client.get(response["Location"]).content.decode()
    assert Unit.objects.count() == before
    response = client.post(reverse("units:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.done == 1000
    assert Unit.objects.count() == before + 1000
    saved = Unit.objects.get(uscc=good[0][0])
    assert saved.kinds == ["production", "usage"] and saved.jurisdiction.code == STATION
    assert saved.county_id == county.jurisdiction_id
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT, user=county)
    assert event.detail["rows"] == 1000


def test_duplicates_in_file_and_in_db_are_rejected_never_reassigned(world):
    county = world["users"]["county"]
    rows = unit_rows(3)
    rows.append(list(rows[0]))                                              # duplicate in the file
    rows.append([world["unit"].uscc, "改名", "使用", STATION, "", ""])      # already registered
    job = importing.start_import(by=county, kind="units", upload=upload(rows))
    assert [e["row"] for e in job.errors] == [5, 6]
    assert "与第 2 行重复" in job.errors[0]["reasons"][0]
    assert "不能修改或转移已有单位" in job.errors[1]["reasons"][0]
    world["unit"].refresh_from_db()
    assert world["unit"].name != "改名"


def test_county_user_naming_another_countys_station_is_refused(world):
    county = world["users"]["county"]
    rows = unit_rows(2)
    rows[1][3] = OTHER_STATION
    job = importing.start_import(by=county, kind="units", upload=upload(rows))
    assert job.status == ImportJob.Status.INVALID
    assert job.errors[0]["row"] == 3 and "不在您的管辖范围内" in job.errors[0]["reasons"][0]
    assert not Unit.objects.filter(uscc__in=[r[0] for r in rows]).exists()


def test_save_rechecks_every_row_and_saves_nothing_when_one_fails(world):
    county = world["users"]["county"]
    rows = unit_rows(5)
    job = importing.start_import(by=county, kind="units", upload=upload(rows))
    assert job.status == ImportJob.Status.VALIDATED
    # Between the dry run and the confirmation someone registers the fourth unit.
    other = Unit(uscc=rows[3][0], name="抢先登记", kinds=["usage"])
    other.place(world["unit"].jurisdiction)
    other.save()
    with pytest.raises(Exception, match="第 5 行"):
        importing.confirm_import(by=county, job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not Unit.objects.filter(uscc__in=[r[0] for i, r in enumerate(rows) if i != 3]).exists()


def equipment_rows(uscc, n=2, start=0):
    return [[uscc, "3110", f"3110230102026{start + i:05d}", f"F{i}", "兰州电梯厂", "1 号楼", "2027-05-01"]
            for i in range(n)]


def test_enterprise_imports_equipment_for_its_own_unit_only(world):
    ent = world["users"]["enterprise"]
    rows = equipment_rows(world["unit"].uscc, 2)
    rows.append([world["other_unit"].uscc, "3110", "311023010202699001", "X", "", "", "2027-01-01"])
    rows.append([world["unit"].uscc, "9999", "", "", "", "", "2027-01-01"])
    rows.append([world["unit"].uscc, "3110", "", "", "", "", "明年五月"])
    client = logged_in(ent)
    response = client.post(reverse("units:equipment_import"),
                           {"file": upload(rows, importing.EQUIPMENT_COLUMNS)})
    assert response.status_code == 302
    job = ImportJob.objects.get(created_by=ent)
    assert [e["row"] for e in job.errors] == [4, 5, 6]
    assert "不在您的管辖范围内" in job.errors[0]["reasons"][0]
    assert "不在特种设备目录中" in job.errors[1]["reasons"][0]
    assert "日期" in job.errors[2]["reasons"][0]
    assert not Equipment.objects.exists()
    # The other enterprise cannot even open the job.
    assert logged_in(world["users"]["other_enterprise"]).get(job.get_absolute_url()).status_code == 404

    job = importing.start_import(by=ent, kind="equipment",
                                 upload=upload(rows[:2], importing.EQUIPMENT_COLUMNS))
    importing.confirm_import(by=ent, job=job)
    saved = list(Equipment.objects.all())
    assert len(saved) == 2 and all(e.unit_id == world["unit"].pk for e in saved)
    assert saved[0].station_id == world["unit"].station_id and str(saved[0].next_inspection_on) == "2027-05-01"
    # Importing the same codes again would reassign them: refused.
    again = importing.start_import(by=world["users"]["county"], kind="equipment",
                                   upload=upload(rows[:1], importing.EQUIPMENT_COLUMNS))
    assert "不能修改或转移已有设备" in again.errors[0]["reasons"][0]


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (importing.MAX_UNCOMPRESSED + 1))
    return buf.getvalue()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bomb.xlsx", zip_bomb, "解压后过大"),
    ("units.csv", b"a,b\n1,2\n", "只接受 Excel（.xlsx）"),
    ("fake.xlsx", b"%PDF-1.4 not a workbook", "不是有效的 Excel"),
    ("big.xlsx", b"PK" + b"\0" * (importing.MAX_BYTES + 1), "超过 5 MB"),
])
def test_hostile_or_wrong_files_are_refused_in_chinese(world, name, content, message):
    response = logged_in(world["users"]["county"]).post(
        reverse("units:unit_import"), {"file": SimpleUploadedFile(name, content() if callable(content) else content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_large_import_runs_as_a_task_with_a_polling_progress_bar(world, settings):
    county = world["users"]["county"]
    job = importing.start_import(by=county, kind="units", upload=upload(unit_rows(1001, seed=3)))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    job = importing.confirm_import(by=county, job=job)
    assert job.status == ImportJob.Status.QUEUED
    assert OutboxMessage.objects.filter(task="units.tasks.run_import", args=[job.pk]).exists()
    page = logged_in(county).get(reverse("units:import_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "<script" not in page
    from units.tasks import run_import

    run_import(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.done == 1001
    page = logged_in(county).get(reverse("units:import_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in page and "导入完成" in page


def test_lists_offer_the_import_only_to_those_who_may_import(world):
    def page(user, url):
        client = Client()
        client.force_login(user)
        return client.get(url).content.decode()

    users = world["users"]
    assert reverse("units:unit_import") in page(users["county"], reverse("units:unit_list"))
    assert reverse("units:unit_import") not in page(users["enterprise"], reverse("units:unit_list"))
    assert reverse("units:equipment_import") in page(users["enterprise"], reverse("units:equipment_list"))


# --- Blank templates (issue 8 item 14) ------------------------------------------------------------------

def _template(user, kind):
    return logged_in(user).get(reverse("units:import_template", args=[kind]))


@pytest.mark.parametrize(("kind", "upload_url", "role"), [
    ("units", "units:unit_import", "county"), ("equipment", "units:equipment_import", "enterprise"),
    ("people", "personnel:import", "enterprise")])
def test_each_import_page_links_a_blank_template_built_from_its_importers_columns(world, kind, upload_url, role):
    from openpyxl import load_workbook

    user = world["users"][role]
    page = logged_in(user).get(reverse(upload_url)).content.decode()
    assert reverse("units:import_template", args=[kind]) in page

    response = _template(user, kind)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx" in response["Content-Disposition"]  # 导入模板.xlsx
    workbook = load_workbook(io.BytesIO(response.content))
    data, guide = workbook.worksheets
    assert [c.value for c in data[1]] == list(importing.IMPORTERS[kind].columns)
    assert data.max_row == 1
    assert guide.title == "填写说明"
    assert [row[0] for row in guide.iter_rows(min_row=2, max_row=1 + len(importing.IMPORTERS[kind].columns),
                                               values_only=True)] == list(importing.IMPORTERS[kind].columns)
    assert str(importing.IMPORTERS[kind].note) in [row[0] for row in guide.iter_rows(values_only=True)]


def test_a_filled_in_template_imports_as_it_is(world):
    from openpyxl import load_workbook

    county = world["users"]["county"]
    workbook = load_workbook(io.BytesIO(_template(county, "units").content))
    workbook.worksheets[0].append(unit_rows(1)[0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = importing.start_import(by=county, kind="units",
                                 upload=SimpleUploadedFile("模板.xlsx", buffer.getvalue()))
    assert (job.status, job.total, job.errors) == (ImportJob.Status.VALIDATED, 1, [])


def test_the_template_is_only_for_who_may_run_the_import(world):
    assert _template(world["users"]["enterprise"], "units").status_code == 404
    assert _template(world["users"]["county"], "units").status_code == 200
    assert _template(world["users"]["county"], "nonsense").status_code == 404
    assert Client().get(reverse("units:import_template", args=["units"])).status_code == 302
