"""Excel import of people and posts (seed 002 附件 10 补充填报): every row checked, all or nothing."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from personnel import importing
from personnel.models import Appointment, Person, UnitStaffing
from portal.kit.samples import make_id_number
from tests.factories import logged_in, xlsx_bytes
from units.models import ImportJob, Unit


def rows_for(unit, n_officers=3):
    posts = ["主要负责人", "安全总监"] + ["安全员"] * n_officers
    return [[unit.uscc, post, f"导入人员{i}", make_id_number("620102", date(1980, 1, 1 + i), 101 + 2 * i),
             f"1380013{i:04d}", "2025-03-01", "1 号客梯"] for i, post in enumerate(posts)]


def post_file(client, rows):
    upload = SimpleUploadedFile("人员.xlsx", xlsx_bytes(importing.COLUMNS, rows))
    return client.post(reverse("personnel:import"), {"file": upload})


def test_bad_rows_are_listed_with_reasons_and_nothing_is_saved_until_fixed(world):
    unit, user = world["unit"], world["users"]["enterprise"]
    Unit.objects.filter(pk=unit.pk).update(kinds=["usage"])
    rows = rows_for(unit)
    good = [list(r) for r in rows]
    rows[1][3] = rows[1][3][:17] + ("0" if rows[1][3][17] != "0" else "1")  # wrong check digit
    rows[2][1] = "质量安全总监"                                           # not a post of a usage unit
    rows[3][4] = "12345"                                                  # not a mobile number
    rows[4][0] = world["other_unit"].uscc                                 # another enterprise's unit
    client = logged_in(user)
    assert post_file(client, rows).status_code == 302
    job = ImportJob.objects.get(created_by=user)
    assert job.status == ImportJob.Status.INVALID
    assert [e["row"] for e in job.errors] == [3, 4, 5, 6]
    reasons = {e["row"]: "；".join(e["reasons"]) for e in job.errors}
    assert "校验位错误" in reasons[3] and "不设“质量安全总监”" in reasons[4]
    assert "手机号码" in reasons[5] and "不是您可以登记人员的单位" in reasons[6]
    assert not Person.objects.filter(unit=unit).exists()
    page = client.get(reverse("units:import_detail", args=[job.pk])).content.decode()
    assert "第 3 行" in page and f'href="{reverse("personnel:import")}"' in page

    assert post_file(client, good).status_code == 302
    job = ImportJob.objects.filter(created_by=user).latest("id")
    assert job.status == ImportJob.Status.VALIDATED, job.errors
    client.post(reverse("units:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.done == 5
    staffing = UnitStaffing.objects.get(unit=unit)
    assert (staffing.principal, staffing.safety_director, staffing.safety_officer) == (1, 1, 3)
    assert Person.objects.get(name="导入人员0").id_masked.endswith(good[0][3][-4:])


def test_an_import_never_hands_over_a_post_someone_holds(world):
    unit, user = world["unit"], world["users"]["enterprise"]
    Unit.objects.filter(pk=unit.pk).update(kinds=["usage"])
    client = logged_in(user)
    post_file(client, rows_for(unit, n_officers=1))
    client.post(reverse("units:import_confirm", args=[ImportJob.objects.get(created_by=user).pk]))
    principal = Appointment.objects.get(unit=unit, post="principal", ended_on__isnull=True)

    again = [[unit.uscc, "主要负责人", "新负责人", make_id_number("620102", date(1990, 5, 5), 11), "13900139000",
              "2026-01-01", ""]]
    post_file(client, again)
    job = ImportJob.objects.filter(created_by=user).latest("id")
    assert job.status == ImportJob.Status.INVALID
    assert "已有在任主要负责人" in job.errors[0]["reasons"][0]
    assert Appointment.objects.get(unit=unit, post="principal", ended_on__isnull=True) == principal


def test_the_same_post_twice_in_one_file_is_refused(world):
    unit, user = world["unit"], world["users"]["county"]
    Unit.objects.filter(pk=unit.pk).update(kinds=["usage"])
    rows = rows_for(unit, n_officers=0)
    rows.append([unit.uscc, "主要负责人", "另一人", make_id_number("620102", date(1975, 2, 2), 33), "13700137000",
                 "2025-01-01", ""])
    post_file(logged_in(user), rows)
    job = ImportJob.objects.get(created_by=user)
    assert [e["row"] for e in job.errors] == [4]
    assert "与第 2 行重复" in job.errors[0]["reasons"][0]



def test_a_number_on_the_books_under_another_name_is_refused_in_the_dry_run(world):
    """Issue 8 item 14: the row says whose number it is, before anything is saved."""
    unit, user = world["unit"], world["users"]["enterprise"]
    Unit.objects.filter(pk=unit.pk).update(kinds=["usage"])
    client = logged_in(user)
    first = rows_for(unit, n_officers=1)
    post_file(client, first)
    client.post(reverse("units:import_confirm", args=[ImportJob.objects.get(created_by=user).pk]))
    number = first[2][3]  # 导入人员2, the safety officer

    post_file(client, [[unit.uscc, "安全总监", "别人", number, "13900139001", "2026-01-01", ""]])
    job = ImportJob.objects.filter(created_by=user).latest("id")
    assert job.status == ImportJob.Status.INVALID
    (reason,) = [r for r in job.errors[0]["reasons"] if "已登记为本单位人员" in r]
    assert "导入人员2" in reason and f"{number[:6]}********{number[-4:]}" in reason and number not in reason
    assert not Person.objects.filter(name="别人").exists()


def test_during_a_key_rotation_the_dry_run_still_finds_a_number_sealed_under_the_old_key(world, settings):
    """A person indexed under the previous key (FIELD_ENCRYPTION_KEY = "new,old" until rotate_field_key
    has run) is still on the books: the import must not take the number for a new person."""
    from portal.kit import crypto

    old, new = crypto.generate_key(), crypto.generate_key()
    unit, user = world["unit"], world["users"]["enterprise"]
    Unit.objects.filter(pk=unit.pk).update(kinds=["usage"])
    settings.FIELD_ENCRYPTION_KEY = old
    client = logged_in(user)
    first = rows_for(unit, n_officers=1)
    post_file(client, first)
    client.post(reverse("units:import_confirm", args=[ImportJob.objects.get(created_by=user).pk]))
    number = first[2][3]

    settings.FIELD_ENCRYPTION_KEY = f"{new},{old}"
    post_file(client, [[unit.uscc, "安全总监", "别人", number, "13900139001", "2026-01-01", ""]])

    job = ImportJob.objects.filter(created_by=user).latest("id")
    assert job.status == ImportJob.Status.INVALID
    assert any("已登记为本单位人员 导入人员2" in r for r in job.errors[0]["reasons"])
