"""Working days on the real 2025 and 2026 schedules (国务院办公厅通知), 调休, and uncovered years."""

import datetime as dt

import pytest

from xinyipi.audit.models import AuditEntry
from xinyipi.workdays.calendar import add_working_days, is_working_day, working_days_between
from xinyipi.workdays.models import CalendarYear, Holiday
from xinyipi.workdays.selectors import calendar_warnings
from xinyipi.workdays.services import calendar_year_save, holiday_save, holidays_seed_from_package

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 1, 1), False),  # 元旦
        (D(2026, 1, 4), True),  # Sunday made a working day
        (D(2026, 2, 14), True),  # Saturday before 春节, working
        (D(2026, 2, 16), False),  # 春节
        (D(2026, 2, 23), False),  # last day of the 9-day 春节 break
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday made a working day
        (D(2026, 5, 5), False),  # 劳动节
        (D(2026, 5, 9), True),  # Saturday made a working day
        (D(2026, 9, 20), True),  # Sunday made a working day before 国庆
        (D(2026, 10, 7), False),
        (D(2026, 10, 10), True),  # Saturday made a working day
        (D(2026, 10, 11), False),  # an ordinary Sunday
        (D(2025, 1, 28), False),  # 除夕 2025, a holiday since the 2025 amendment
        (D(2025, 1, 26), True),  # Sunday made a working day
        (D(2025, 5, 2), False),
        (D(2025, 4, 27), True),
        (D(2025, 10, 8), False),  # 国庆 and 中秋 together, 8 days
        (D(2025, 10, 11), True),
    ],
)
def test_real_schedules(day, working):
    assert is_working_day(day) is working


def test_2026_has_248_working_days():
    assert working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


def test_start_day_is_not_counted_and_holidays_are_skipped():
    # 民法典 Art. 201: the start day is not counted; the 国庆 break is skipped, Sat 10/10 counts.
    assert add_working_days(D(2026, 9, 30), 5) == add_working_days(D(2026, 9, 30), 5)
    deadline = add_working_days(D(2026, 9, 30), 5)
    assert deadline.date == D(2026, 10, 13)
    assert deadline.provisional is False
    assert add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 14), 1).date == D(2026, 2, 24)


def test_filing_on_a_rest_day_counts_from_the_next_working_day():
    assert add_working_days(D(2026, 10, 3), 1).date == D(2026, 10, 8)


def test_zero_days_is_the_start_and_negative_is_refused():
    assert add_working_days(D(2026, 3, 2), 0).date == D(2026, 3, 2)
    with pytest.raises(ValueError):
        add_working_days(D(2026, 3, 2), -1)


def test_uncovered_year_counts_weekends_only_and_is_provisional():
    assert not CalendarYear.objects.filter(year=2027, covered=True).exists()
    deadline = add_working_days(D(2026, 12, 30), 5)
    # 12-31 (Thu), then 2027: 1-1 (Fri), 1-4, 1-5, 1-6 — weekends only, and so provisional.
    assert deadline.date == D(2027, 1, 6)
    assert deadline.provisional is True
    assert add_working_days(D(2026, 12, 1), 5).provisional is False


def test_administrator_is_warned_about_the_missing_year():
    from xinyipi.core.clock import acting_at

    with acting_at(dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)):
        warnings = calendar_warnings()
    assert any("2027" in w for w in warnings)
    with acting_at(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)):
        assert calendar_warnings() == []


def test_bureau_edits_take_effect_at_once_and_are_audited(bureau_admin):
    # The 2027 notice arrives: New Year's Day off, and the year marked covered.
    holiday_save(actor=bureau_admin, holiday=Holiday(date=D(2027, 1, 1), kind=Holiday.Kind.REST, name="元旦"))
    year = CalendarYear.objects.get(year=2027)
    assert year.covered is False
    year.covered = True
    calendar_year_save(actor=bureau_admin, calendar_year=year)
    deadline = add_working_days(D(2026, 12, 30), 5)
    assert deadline.date == D(2027, 1, 7)
    assert deadline.provisional is False
    assert AuditEntry.objects.filter(action="workdays.holiday.save").exists()
    assert AuditEntry.objects.filter(action="workdays.year.save").exists()


def test_duplicate_holiday_is_refused_naming_the_field(bureau_admin):
    from xinyipi.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        holiday_save(actor=bureau_admin, holiday=Holiday(date=D(2026, 1, 1), kind=Holiday.Kind.REST, name="元旦"))
    assert caught.value.field == "date"
    assert Holiday.objects.get(date=D(2026, 1, 1)).name == "元旦"


def test_local_holiday_can_be_added(bureau_admin):
    holiday_save(actor=bureau_admin, holiday=Holiday(date=D(2026, 3, 4), kind=Holiday.Kind.REST, name="地方节日"))
    assert is_working_day(D(2026, 3, 4)) is False


def test_seed_is_idempotent_and_keeps_manual_rows(bureau_admin):
    new_year = Holiday.objects.get(date=D(2026, 1, 1))
    new_year.name = "元旦（本地）"
    new_year.source = Holiday.Source.MANUAL
    holiday_save(actor=bureau_admin, holiday=new_year)
    result = holidays_seed_from_package()
    assert result["created"] == 0
    assert Holiday.objects.get(date=D(2026, 1, 1)).name == "元旦（本地）"
    Holiday.objects.filter(date=D(2026, 5, 1)).delete()
    assert holidays_seed_from_package()["created"] == 1


def test_api_working_days(api):
    response = api.get("/api/v1/calendar/working-days", {"from": "2026-09-30", "add": 5})
    assert response.status_code == 200
    assert response.json() == {"date": "2026-10-13", "provisional": False}
    response = api.get("/api/v1/calendar/working-days", {"from": "2026-12-30", "add": 5})
    assert response.json() == {"date": "2027-01-06", "provisional": True}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-02-30", "add": 1}, "from"),
        ({"from": "yesterday", "add": 1}, "from"),
        ({"add": 1}, "from"),
        ({"from": "2026-01-01", "add": -1}, "add"),
        ({"from": "2026-01-01", "add": "x"}, "add"),
        ({"from": "2026-01-01"}, "add"),
    ],
)
def test_api_bad_input_names_the_field(api, query, field):
    response = api.get("/api/v1/calendar/working-days", query)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["field"] == field


def test_console_calendar_page_and_deadline_calculator(client, bureau_admin):
    client.force_login(bureau_admin)
    page = client.get("/console/calendar/?year=2026").content.decode()
    assert "春节" in page and "调休" in page
    result = client.get("/console/calendar/deadline/", {"start": "2026-09-30", "days": 5}).content.decode()
    assert "2026-10-13" in result
    bad = client.get("/console/calendar/deadline/", {"start": "2026-09-30", "days": -3}).content.decode()
    assert "alert-danger" in bad


def test_console_deadline_answers_htmx_with_the_result_and_a_plain_form_with_the_whole_page(client, bureau_admin):
    client.force_login(bureau_admin)
    asked = {"start": "2026-09-30", "days": 5}
    fragment = client.get("/console/calendar/deadline/", asked, headers={"HX-Request": "true"})
    assert "2026-10-13" in fragment.content.decode() and "<html" not in fragment.content.decode()
    page = client.get("/console/calendar/deadline/", asked)  # JavaScript off: the form's own GET
    text = page.content.decode()
    assert "<html" in text and "<h1>工作日历</h1>" in text and "2026-10-13" in text
    assert 'value="2026-09-30"' in text  # the form keeps what was asked
    assert "HX-Request" in fragment["Vary"] and "HX-Request" in page["Vary"]
    bad = client.get("/console/calendar/deadline/", {"start": "2026-09-30", "days": -3}).content.decode()
    assert "<h1>工作日历</h1>" in bad and "alert-danger" in bad


def test_admin_holiday_edit_goes_through_the_service(client, bureau_admin):
    client.force_login(bureau_admin)
    response = client.post(
        "/admin/workdays/holiday/add/", {"date": "2027-02-06", "kind": "rest", "name": "春节", "source": "manual"}
    )
    assert response.status_code == 302
    assert not is_working_day(D(2027, 2, 8)) or Holiday.objects.filter(date=D(2027, 2, 6)).exists()
    assert AuditEntry.objects.filter(action="workdays.holiday.save", actor=bureau_admin).exists()


@pytest.mark.parametrize("start", ["9999-12-31", "9999-12-28"])
def test_api_deadline_beyond_the_last_date_is_422_naming_from_not_500(api, start):
    response = api.get("/api/v1/calendar/working-days", {"from": start, "add": 5})
    assert response.status_code == 422
    assert response.json()["code"] == "date_out_of_range"
    assert response.json()["field"] == "from"


def test_api_deadline_on_the_last_date_itself_is_answered(api):
    response = api.get("/api/v1/calendar/working-days", {"from": "9999-12-31", "add": 0})
    assert response.status_code == 200
    assert response.json()["date"] == "9999-12-31"


def test_console_deadline_beyond_the_last_date_is_a_form_error_not_500(client, bureau_admin):
    client.force_login(bureau_admin)
    response = client.get("/console/calendar/deadline/", {"start": "9999-12-31", "days": 5})
    assert response.status_code == 200
    page = response.content.decode()
    assert "alert-danger" in page
    assert "超出了可计算的日期范围" in page
    assert "Traceback" not in page
