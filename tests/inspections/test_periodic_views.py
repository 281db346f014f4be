"""The 周排查 and 月调度 pages (docs/domain.md §Self-check records) through the Django client: signing through the
form, the refusal a wrong post reads on the page, amendments that keep the original, decisions tracked to done,
lists scoped to the unit or the regulator's subtree, and bad input answered beside the field with nothing saved."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inspections.routines import expected, filing
from inspections.routines.models import Amendment, MinutesAction, MonthlyMinutes, WeeklyReport
from personnel import services as personnel
from personnel.choices import Post
from tests import factories
from tests.factories import logged_in
from tests.kit import test_english

SIGN = "签字提交（提交后不可修改）"
ascii_world = test_english.ascii_world  # the English world, as a fixture of this module too


def today():
    return timezone.localdate()


def this_monday():
    return expected.week_of(today())[0]


def weekly_data(**extra):
    return {"week_start": this_monday().isoformat(), "findings_summary": "检查了 2 台电梯和 1 台锅炉",
            "assessment": "本周运行平稳", "next_focus": "2 号梯门锁", "confirm": "on", **extra}


def file_report(staffed, week_start=None, **extra):
    return filing.file_weekly_report(by=staffed["director"], unit=staffed["unit"],
                                     week_start=week_start or this_monday(), next_focus="2 号梯门锁",
                                     assessment=extra.pop("assessment", "本周运行平稳"), **extra)


def minutes_data(staffed, decisions=(), **extra):
    people = staffed["people"]
    data = {"month": today().replace(day=1).isoformat(), "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "location": "三楼会议室", "recorder": people["officer"].pk,
            "attendees": [people["director"].pk, people["officer"].pk], "problems": "1 号梯层门间隙偏大",
            "rectification": "", "unresolved": "", "dispatch": "", "other_matters": "", "measures": "加强巡查",
            "confirm": "on", "decisions-TOTAL_FORMS": str(max(len(decisions), 1)), "decisions-INITIAL_FORMS": "0",
            "decisions-MIN_NUM_FORMS": "0", "decisions-MAX_NUM_FORMS": "30"}
    for n, row in enumerate(decisions):
        data.update({f"decisions-{n}-{k}": v for k, v in row.items()})
    data.update(extra)
    return data


def html(response) -> str:
    return response.content.decode()


# --- 周排查 --------------------------------------------------------------------------------------------

def test_the_director_files_the_weekly_report_through_the_page(staffed):
    director = logged_in(staffed["director"])
    page = director.get(reverse("routines:my_weekly_report"))
    assert page.status_code == 200
    assert page.context["week"] == this_monday() - timedelta(days=7)  # last week, not filed yet
    page = director.get(reverse("routines:my_weekly_report"), {"week": (this_monday() + timedelta(days=2)).isoformat()})
    body = html(page)
    assert page.context["week"] == this_monday()
    assert SIGN in body and 'data-testid="figure-daily_due"' in body and 'data-testid="figure-hazards_open"' in body
    assert 'data-testid="signer-warning"' not in body

    response = director.post(reverse("routines:my_weekly_report"), weekly_data())
    report = WeeklyReport.objects.get(unit=staffed["unit"])
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.signer == staffed["people"]["director"] and report.week_start == this_monday() and not report.late
    assert report.assessment == "本周运行平稳" and report.figures["daily_due"] >= 1

    body = html(director.get(report.get_absolute_url()))
    assert staffed["people"]["director"].name in body and report.seal in body and "本周运行平稳" in body
    assert 'data-testid="late-badge"' not in body and 'data-testid="amend"' in body

    again = director.get(reverse("routines:my_weekly_report"), {"week": this_monday().isoformat()})
    assert 'data-testid="already-filed"' in html(again) and SIGN not in html(again)
    # Last week's report is now the one the page opens on by default only while it is missing.
    file_report(staffed, this_monday() - timedelta(days=7))
    assert director.get(reverse("routines:my_weekly_report")).context["week"] == this_monday()


def test_a_late_weekly_report_is_marked_before_and_after_signing(staffed):
    director = logged_in(staffed["director"])
    old = this_monday() - timedelta(days=21)
    assert 'data-testid="late-notice"' in html(director.get(reverse("routines:my_weekly_report"), {"week": old}))
    director.post(reverse("routines:my_weekly_report"), weekly_data(week_start=old.isoformat()))
    report = WeeklyReport.objects.get(unit=staffed["unit"], week_start=old)
    assert report.late
    assert 'data-testid="late-badge"' in html(director.get(report.get_absolute_url()))


def test_the_officer_reads_the_chinese_refusal_on_the_page_and_nothing_is_saved(staffed):
    officer = logged_in(staffed["officer"])
    page = officer.get(reverse("routines:my_weekly_report"), {"week": this_monday().isoformat()})
    assert page.status_code == 200 and "不是本单位的安全总监" in html(page)

    response = officer.post(reverse("routines:my_weekly_report"), weekly_data())
    assert response.status_code == 200
    assert "不是本单位的安全总监" in " ".join(response.context["form"].non_field_errors())
    assert 'data-testid="form-errors"' in html(response) and "本周运行平稳" in html(response)
    assert not WeeklyReport.objects.exists()


def test_an_unlinked_account_is_told_to_have_itself_linked(staffed):
    keeper = logged_in(staffed["keeper"])
    response = keeper.post(reverse("routines:my_weekly_report"), weekly_data())
    assert response.status_code == 200 and "尚未关联本单位人员" in html(response)
    assert not WeeklyReport.objects.exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("assessment", "  ", "请填写总监评估意见。"),
    ("next_focus", "", "请填写下周工作重点。"),
    ("confirm", "", "请先勾选确认，再签字提交。"),
])
def test_a_blank_required_part_of_the_weekly_report_is_answered_beside_it(staffed, field, value, message):
    response = logged_in(staffed["director"]).post(reverse("routines:my_weekly_report"), weekly_data(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert f'data-field-error="{field}">{message}' in html(response)
    assert not WeeklyReport.objects.exists()


def test_an_amendment_through_the_page_keeps_the_original_and_shows_both(staffed):
    report = file_report(staffed, assessment="运行平稳")
    director = logged_in(staffed["director"])
    url = reverse("routines:weekly_report_amend", args=[report.pk])
    page = director.get(url)
    assert page.status_code == 200 and page.context["form"]["assessment"].value() == "运行平稳"

    blank = director.post(url, {"findings_summary": "", "assessment": "运行平稳", "next_focus": "2 号梯门锁",
                                "reason": ""})
    assert blank.context["form"].errors["reason"] == ["请写明更正原因。"] and not Amendment.objects.exists()
    same = director.post(url, {"findings_summary": "", "assessment": "运行平稳", "next_focus": "2 号梯门锁",
                               "reason": "核对"})
    assert "没有需要更正的内容。" in html(same) and not Amendment.objects.exists()

    response = director.post(url, {"findings_summary": "", "assessment": "运行平稳，2 号梯门锁需关注",
                                   "next_focus": "2 号梯门锁", "reason": "漏写了门锁问题"})
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    amendment = Amendment.objects.get()
    assert amendment.changes == {"assessment": ["运行平稳", "运行平稳，2 号梯门锁需关注"]}
    assert WeeklyReport.objects.get(pk=report.pk).assessment == "运行平稳"

    page = director.get(report.get_absolute_url())
    body = html(page)
    assert 'data-testid="amended-assessment"' in body and 'data-testid="amended-next_focus"' not in body
    assert "漏写了门锁问题" in body
    (item,) = page.context["amendments"]
    assert item["changes"][0]["old"] == "运行平稳" and item["changes"][0]["new"] == "运行平稳，2 号梯门锁需关注"
    current = {s["name"]: s["value"] for s in page.context["sections"]}
    assert current["assessment"] == "运行平稳，2 号梯门锁需关注"
    assert '<del class="d-block text-muted" data-testid="old">运行平稳</del>' in body

    officer = logged_in(staffed["officer"]).post(url, {"findings_summary": "", "assessment": "改", "next_focus": "x",
                                                       "reason": "试"})
    assert officer.status_code == 200 and "不是本单位的安全总监" in html(officer)
    assert Amendment.objects.count() == 1


# --- 月调度 --------------------------------------------------------------------------------------------

def test_the_principal_files_minutes_with_two_decisions_then_completes_one(staffed):
    principal, people = logged_in(staffed["principal"]), staffed["people"]
    page = principal.get(reverse("routines:my_monthly_minutes"), {"month": today().strftime("%Y-%m")})
    body = html(page)
    assert page.status_code == 200 and SIGN in body and 'data-testid="figure-weekly_due"' in body
    assert page.context["month"] == today().replace(day=1)
    for label in ("本月巡查主要问题", "整改方案落实情况", "未解决的问题", "月调度内容", "其他安全事项",
                  "会议研究采取的措施"):
        assert label in body
    assert people["officer"].name in body  # the recorder select and the attendee boxes list the unit's people

    due = today() + timedelta(days=10)
    decisions = [{"content": "更换 1 号梯层门", "owner": people["director"].pk, "due_on": due.isoformat()},
                 {"content": "组织应急演练", "owner": people["officer"].pk, "due_on": due.isoformat()},
                 {"content": "", "owner": "", "due_on": ""}]
    response = principal.post(reverse("routines:my_monthly_minutes"), minutes_data(staffed, decisions))
    minutes = MonthlyMinutes.objects.get(unit=staffed["unit"])
    assert response.status_code == 302 and response["Location"] == minutes.get_absolute_url()
    assert minutes.signer == people["principal"] and minutes.recorder == people["officer"]
    assert minutes.attendees[0]["name"] == people["principal"].name  # the chair is listed first
    first, second = MinutesAction.objects.filter(minutes=minutes).order_by("position")
    assert (first.content, first.owner, second.owner) == ("更换 1 号梯层门", people["director"], people["officer"])

    body = html(principal.get(minutes.get_absolute_url()))
    assert body.count('data-testid="complete-form"') == 2 and "更换 1 号梯层门" in body and "三楼会议室" in body
    url = reverse("routines:minutes_action_complete", args=[first.pk])
    blank = principal.post(url, {"note": " "})
    assert blank.status_code == 200 and blank.context["form"].errors["note"] == ["请填写完成情况。"]
    response = principal.post(url, {"note": "已更换并经检验合格"})
    assert response.status_code == 302 and response["Location"] == minutes.get_absolute_url()
    first.refresh_from_db()
    assert first.status == MinutesAction.Status.DONE and first.done_note == "已更换并经检验合格"

    body = html(principal.get(minutes.get_absolute_url()))
    assert body.count('data-testid="complete-form"') == 1 and "已更换并经检验合格" in body
    assert "这条决议事项已经完成。" in html(principal.post(url, {"note": "再次"}))


def test_one_more_decision_row_without_javascript_keeps_what_was_typed_and_saves_nothing(staffed):
    principal = logged_in(staffed["principal"])
    data = minutes_data(staffed, [{"content": "更换层门", "owner": "", "due_on": ""}], more="1", confirm="")
    response = principal.post(reverse("routines:my_monthly_minutes"), data)
    assert response.status_code == 200 and len(response.context["formset"].forms) == 2
    body = html(response)
    assert 'value="更换层门"' in body and "data-field-error" not in body and 'data-testid="form-errors"' not in body
    assert not MonthlyMinutes.objects.exists()


def test_a_decision_without_owner_is_answered_beside_it_and_nothing_is_saved(staffed):
    principal = logged_in(staffed["principal"])
    decisions = [{"content": "更换层门", "owner": "", "due_on": (today() + timedelta(days=5)).isoformat()}]
    response = principal.post(reverse("routines:my_monthly_minutes"), minutes_data(staffed, decisions))
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["owner"] == ["请选择这条决议的责任人。"]
    assert 'data-field-error="decisions-0-owner">请选择这条决议的责任人。' in html(response)
    assert not MonthlyMinutes.objects.exists() and not MinutesAction.objects.exists()

    response = principal.post(reverse("routines:my_monthly_minutes"), minutes_data(staffed, location=""))
    assert response.context["form"].errors["location"] == ["请填写会议地点。"]
    assert not MonthlyMinutes.objects.exists()


def test_only_the_principal_signs_the_minutes_on_the_page(staffed):
    director = logged_in(staffed["director"])
    assert "不是本单位的主要负责人" in html(director.get(reverse("routines:my_monthly_minutes")))
    response = director.post(reverse("routines:my_monthly_minutes"), minutes_data(staffed))
    assert response.status_code == 200 and "不是本单位的主要负责人" in html(response)
    assert not MonthlyMinutes.objects.exists()


def test_the_minutes_are_amended_through_the_page(staffed):
    principal = logged_in(staffed["principal"])
    principal.post(reverse("routines:my_monthly_minutes"), minutes_data(staffed))
    minutes = MonthlyMinutes.objects.get()
    url = reverse("routines:monthly_minutes_amend", args=[minutes.pk])
    form = principal.get(url).context["form"]
    assert form["location"].value() == "三楼会议室" and form["measures"].value() == "加强巡查"
    data = {name: form[name].value() or "" for name in form.fields if name != "reason"}
    response = principal.post(url, {**data, "location": "二楼会议室", "reason": "地点写错"})
    assert response.status_code == 302
    body = html(principal.get(minutes.get_absolute_url()))
    assert 'data-testid="amended-location"' in body and "二楼会议室" in body and "地点写错" in body
    assert MonthlyMinutes.objects.get(pk=minutes.pk).location == "三楼会议室"


# --- Lists --------------------------------------------------------------------------------------------

@pytest.fixture
def two_units(staffed):
    """``staffed`` plus a report and minutes of ``other_unit`` (七里河区), signed by its own director-principal."""
    other, keeper = staffed["other_unit"], staffed["users"]["other_enterprise"]
    person = factories.person(other, name="七里河负责人")
    for post in (Post.PRINCIPAL, Post.SAFETY_DIRECTOR):
        personnel.appoint(by=keeper, unit=other, person=person, post=post, started_on=today() - timedelta(days=20))
    personnel.link_account(by=keeper, person=person, account=keeper)
    keeper.refresh_from_db()
    theirs = filing.file_weekly_report(by=keeper, unit=other, week_start=this_monday(), assessment="他们的",
                                       next_focus="他们的")
    their_minutes = filing.file_monthly_minutes(by=keeper, unit=other, month=today(), held_at=timezone.now(),
                                                location="七里河", recorder=person, attendees=[person])
    ours = file_report(staffed)
    our_minutes = filing.file_monthly_minutes(by=staffed["principal"], unit=staffed["unit"], month=today(),
                                              held_at=timezone.now(), location="城关", attendees=[],
                                              recorder=staffed["people"]["officer"])
    return {**staffed, "ours": ours, "theirs": theirs, "our_minutes": our_minutes, "their_minutes": their_minutes}


def rows(client, name, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return [r.record.pk for r in response.context["table"].paginated_rows]


@pytest.mark.parametrize(("role", "weekly", "minutes"), [
    ("enterprise", ["ours"], ["our_minutes"]),
    ("other_enterprise", ["theirs"], ["their_minutes"]),
    ("county", ["ours"], ["our_minutes"]),
    ("other_county", ["theirs"], ["their_minutes"]),
    ("station", ["ours"], ["our_minutes"]),
    ("city", ["ours", "theirs"], ["our_minutes", "their_minutes"]),
])
def test_the_lists_show_a_unit_its_own_records_and_a_regulator_its_subtree(two_units, role, weekly, minutes):
    w = two_units
    client = logged_in(w["users"][role] if role != "enterprise" else w["director"])
    assert sorted(rows(client, "routines:weekly_report_list")) == sorted(w[k].pk for k in weekly)
    assert sorted(rows(client, "routines:monthly_minutes_list")) == sorted(w[k].pk for k in minutes)


def test_a_record_outside_the_scope_is_a_404_like_a_missing_one(two_units):
    w = two_units
    other_county = logged_in(w["users"]["other_county"])
    assert other_county.get(w["ours"].get_absolute_url()).status_code == 404
    assert other_county.get(w["our_minutes"].get_absolute_url()).status_code == 404
    assert other_county.get(w["theirs"].get_absolute_url()).status_code == 200
    assert logged_in(w["director"]).get(w["theirs"].get_absolute_url()).status_code == 404
    county = logged_in(w["users"]["county"])
    page = county.get(w["ours"].get_absolute_url())
    assert page.status_code == 200 and 'data-testid="amend"' not in html(page)
    assert county.get(reverse("routines:weekly_report_amend", args=[w["ours"].pk])).status_code == 404
    page = county.get(w["our_minutes"].get_absolute_url())
    assert page.status_code == 200 and 'data-testid="complete-form"' not in html(page)


def test_the_list_filters_by_period_late_jurisdiction_and_unit(two_units):
    w = two_units
    old = file_report(w, this_monday() - timedelta(days=28))
    city = logged_in(w["users"]["city"])
    name = "routines:weekly_report_list"
    assert rows(city, name, late="true") == [old.pk]
    assert sorted(rows(city, name, late="false")) == sorted([w["ours"].pk, w["theirs"].pk])
    # A week overlapping the range is kept: the range starting on its Sunday still finds it.
    assert rows(city, name, since=(old.week_start + timedelta(days=6)).isoformat(),
                until=(old.week_start + timedelta(days=6)).isoformat()) == [old.pk]
    assert sorted(rows(city, name, since=this_monday().isoformat())) == sorted([w["ours"].pk, w["theirs"].pk])
    assert sorted(rows(city, name, jurisdiction=factories.node("620103").pk)) == [w["theirs"].pk]
    assert sorted(rows(city, name, q="七里河")) == [w["theirs"].pk]
    assert sorted(rows(city, name, q=w["unit"].uscc)) == sorted([w["ours"].pk, old.pk])
    assert rows(city, "routines:monthly_minutes_list", q="七里河") == [w["their_minutes"].pk]
    assert rows(city, "routines:monthly_minutes_list", late="true") == []
    enterprise_filters = logged_in(w["director"]).get(reverse(name)).context["filter"].filters
    assert "q" not in enterprise_filters and "jurisdiction" not in enterprise_filters


def test_the_lists_export_what_the_page_shows(two_units):
    w = two_units
    filing.amend(by=w["director"], record=w["ours"], changes={"assessment": "改过"}, reason="补充")
    response = logged_in(w["users"]["county"]).get(reverse("routines:weekly_report_list"), {"_export": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "城关测试电梯有限公司" in text and "七里河" not in text
    header, row = text.strip().splitlines()
    assert "补录" in header and row.endswith(",否,是")


def test_list_query_counts_do_not_grow_with_rows(staffed):
    city = logged_in(staffed["users"]["city"])

    def count(name):
        city.get(reverse(name))
        with CaptureQueriesContext(connection) as ctx:
            assert city.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    file_report(staffed)
    filing.file_monthly_minutes(by=staffed["principal"], unit=staffed["unit"], month=today(), held_at=timezone.now(),
                                location="城关", recorder=staffed["people"]["officer"], attendees=[],
                                decisions=[{"content": "一", "owner": staffed["people"]["officer"],
                                            "due_on": today() + timedelta(days=3)}])
    few = count("routines:weekly_report_list"), count("routines:monthly_minutes_list")
    for weeks in range(1, 5):
        report = file_report(staffed, this_monday() - timedelta(days=7 * weeks))
        filing.amend(by=staffed["director"], record=report, changes={"assessment": f"改 {weeks}"}, reason="补充")
    last_month_end = today().replace(day=1) - timedelta(days=1)
    held = timezone.make_aware(datetime.combine(last_month_end, time(10)))
    filing.file_monthly_minutes(by=staffed["principal"], unit=staffed["unit"], month=last_month_end, held_at=held,
                                location="城关", recorder=staffed["people"]["officer"], attendees=[],
                                decisions=[{"content": "二", "owner": staffed["people"]["director"],
                                            "due_on": today() + timedelta(days=3)}])
    assert (count("routines:weekly_report_list"), count("routines:monthly_minutes_list")) == few


# --- English ------------------------------------------------------------------------------------------

@pytest.fixture
def english_records(ascii_world):
    """``ascii_world``'s safety officer, whom the enterprise account is, also its safety director and
    principal, and a report and minutes (with a decision) filed and corrected."""
    w, person = ascii_world, ascii_world["officer"]
    for post in (Post.SAFETY_DIRECTOR, Post.PRINCIPAL):
        personnel.appoint(by=w["enterprise"], unit=w["unit"], person=person, post=post,
                          started_on=today() - timedelta(days=30))
    report = filing.file_weekly_report(by=w["enterprise"], unit=w["unit"], week_start=this_monday(),
                                       assessment="All well", next_focus="Door locks")
    filing.amend(by=w["enterprise"], record=report, changes={"assessment": "All well, lift 2 door"}, reason="Missed")
    minutes = filing.file_monthly_minutes(
        by=w["enterprise"], unit=w["unit"], month=today(), held_at=timezone.now(), location="Room 3",
        recorder=person, attendees=[person], problems="Door gap",
        decisions=[{"content": "Replace the door", "owner": person, "due_on": today() + timedelta(days=9)}])
    filing.amend(by=w["enterprise"], record=minutes, changes={"location": "Room 2"}, reason="Wrong room")
    return {**w, "report": report, "minutes": minutes, "action": minutes.actions.get()}


def test_the_periodic_pages_have_no_chinese_wording_in_english(english_records):
    w = english_records
    last_week, last_month = this_monday() - timedelta(days=7), (today().replace(day=1) - timedelta(days=1))
    pages = {
        "enterprise": [reverse("routines:my_weekly_report") + f"?week={last_week}",
                       reverse("routines:my_weekly_report") + f"?week={this_monday()}",
                       reverse("routines:my_monthly_minutes") + f"?month={last_month:%Y-%m}",
                       reverse("routines:my_monthly_minutes"),
                       reverse("routines:weekly_report_amend", args=[w["report"].pk]),
                       reverse("routines:monthly_minutes_amend", args=[w["minutes"].pk]),
                       reverse("routines:minutes_action_complete", args=[w["action"].pk])],
        "regulator": [],
    }
    for who in pages:
        pages[who] += [reverse("routines:weekly_report_list"), reverse("routines:monthly_minutes_list"),
                       w["report"].get_absolute_url(), w["minutes"].get_absolute_url()]
    found = {}
    for who, urls in pages.items():
        client = logged_in(w[who])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            found[url] = test_english.untranslated(response.content.decode())
    assert {url: words for url, words in found.items() if words} == {}
    bad = logged_in(w["enterprise"]).post(reverse("routines:my_monthly_minutes") + f"?month={last_month:%Y-%m}",
                                          {"month": last_month.replace(day=1).isoformat(), "decisions-TOTAL_FORMS": "1",
                                           "decisions-INITIAL_FORMS": "0", "decisions-0-content": "Do it"})
    assert bad.status_code == 200 and test_english.untranslated(bad.content.decode()) == []
