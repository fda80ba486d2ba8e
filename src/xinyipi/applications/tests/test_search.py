"""The console's case search (办件查询): each filter, filters combined, refusals naming the field, the
searcher's scope, and pages."""

import datetime as dt

import pytest
from django.urls import reverse

from xinyipi.applications.models import Application
from xinyipi.applications.selectors_search import CaseSearch, application_search, case_search_from
from xinyipi.applications.services import application_file
from xinyipi.catalog.tests.factories import MaterialFactory, MatterFactory
from xinyipi.core import clock
from xinyipi.core.errors import DomainError

pytestmark = pytest.mark.django_db


def file(clerk, matter, subject, **extra) -> Application:
    materials = [m.code for m in matter.materials.all()]
    return application_file(
        actor=clerk, matter=matter, subject=subject, mode="standard", materials=materials, channel="window", **extra
    )


def numbers(page) -> set[str]:
    return {a.number for a in page.items}


def search(actor, **filters):
    return numbers(application_search(actor=actor, search=CaseSearch(**filters)))


def filed_on(application: Application, day: dt.date, hour: int = 10) -> None:
    """Moves the case's filing time to ``hour`` o'clock Beijing time on ``day``."""
    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=clock.BEIJING)
    Application.objects.filter(pk=application.pk).update(created_at=moment)


@pytest.fixture
def other_matter(other_department):
    matter = MatterFactory(department=other_department, name="烟草专卖零售许可")
    MaterialFactory(matter=matter, code="A1", name="申请书")
    return matter


@pytest.fixture
def cases(clerk, standard_matter, other_matter, enterprise, make_enterprise, person):
    other = make_enterprise("扎兰屯市远方物流有限公司")
    return {
        "ours": file(clerk, standard_matter, enterprise),
        "person": file(clerk, standard_matter, person),
        "far": file(clerk, other_matter, other),
    }


def test_search_by_case_number(clerk, cases):
    assert search(clerk, number=cases["person"].number) == {cases["person"].number}
    assert search(clerk, number=cases["person"].number[:-1]) == set()


def test_search_by_applicant_name_part_and_whole_code(clerk, cases, enterprise):
    assert search(clerk, applicant="诚信商贸") == {cases["ours"].number}
    assert search(clerk, applicant=enterprise.code_display.lower()) == {cases["ours"].number}


def test_search_finds_a_person_by_the_whole_id_number_only(clerk, cases, person):
    whole = person.code_plain()
    assert search(clerk, applicant=whole) == {cases["person"].number}
    # The ID number is kept encrypted: a fragment of it finds nothing.
    assert search(clerk, applicant=whole[:10]) == set()


def test_search_by_matter_code_or_name(clerk, cases, other_matter):
    assert search(clerk, matter=other_matter.code) == {cases["far"].number}
    assert search(clerk, matter="烟草") == {cases["far"].number}


def test_search_by_department(clerk, cases, other_department):
    assert search(clerk, department=other_department.pk) == {cases["far"].number}


def test_search_by_beijing_filing_dates_both_ends_included(clerk, cases):
    day = dt.date(2026, 3, 2)
    filed_on(cases["ours"], day, hour=0)  # 00:00 Beijing is still 1 March in UTC
    filed_on(cases["person"], day + dt.timedelta(days=1), hour=23)
    filed_on(cases["far"], day + dt.timedelta(days=2), hour=0)
    assert search(clerk, filed_from=day, filed_to=day) == {cases["ours"].number}
    assert search(clerk, filed_from=day + dt.timedelta(days=1)) == {cases["person"].number, cases["far"].number}
    assert search(clerk, filed_to=day + dt.timedelta(days=1)) == {cases["ours"].number, cases["person"].number}


def test_search_overdue_means_the_current_deadline_has_ended(clerk, cases):
    today = clock.today()
    Application.objects.filter(pk=cases["ours"].pk).update(due_date=today - dt.timedelta(days=1))
    Application.objects.filter(pk=cases["person"].pk).update(due_date=today)  # due today: not yet overdue
    assert search(clerk, overdue=True) == {cases["ours"].number}


def test_search_combines_filters(clerk, cases, standard_matter, enterprise):
    assert search(clerk, matter=standard_matter.code, applicant=enterprise.name) == {cases["ours"].number}
    assert search(clerk, matter=standard_matter.code, applicant="远方物流") == set()
    assert search(clerk, applicant="远方物流", status="under_review", mode="standard") == {cases["far"].number}
    assert search(clerk, applicant="远方物流", mode="instant") == set()


def test_r10_reviewer_search_stays_in_the_own_department(reviewer, cases, other_department, other_matter):
    assert search(reviewer) == {cases["ours"].number, cases["person"].number}
    assert search(reviewer, department=other_department.pk) == set()
    assert search(reviewer, matter=other_matter.code) == set()
    assert search(reviewer, number=cases["far"].number) == set()


def test_search_pages_newest_first_without_repeats(clerk, standard_matter, make_enterprise):
    filed = [file(clerk, standard_matter, make_enterprise()) for _ in range(5)]
    first = application_search(actor=clerk, search=CaseSearch(matter=standard_matter.code), limit=2)
    assert [a.pk for a in first.items] == [filed[4].pk, filed[3].pk]
    second = application_search(actor=clerk, search=CaseSearch(matter=standard_matter.code), cursor=first.next, limit=2)
    third = application_search(actor=clerk, search=CaseSearch(matter=standard_matter.code), cursor=second.next, limit=2)
    assert [a.pk for a in second.items + third.items] == [filed[2].pk, filed[1].pk, filed[0].pk]
    assert third.next is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"filed_from": "2026-02-30"}, "filed_from"),
        ({"filed_to": "yesterday"}, "filed_to"),
        ({"filed_from": "2026-03-05", "filed_to": "2026-03-01"}, "filed_from"),
        ({"department": "x1"}, "department"),
        ({"status": "lost"}, "status"),
        ({"mode": "fast"}, "mode"),
        ({"applicant": "名" * 101}, "applicant"),
    ],
)
def test_search_refuses_bad_input_naming_the_field(params, field):
    with pytest.raises(DomainError) as caught:
        case_search_from(params)
    assert caught.value.field == field


def test_search_page_filters_and_names_a_bad_date(client, clerk, cases, person):
    client.force_login(clerk)
    url = reverse("applications:list")
    page = client.get(url, {"applicant": person.code_plain()}).content.decode()
    assert cases["person"].number in page and cases["ours"].number not in page
    # The page never shows the full ID number it was asked about, only the masked one.
    assert person.code_plain() not in page.split('data-testid="case-table"', 1)[1]
    refused = client.get(url, {"filed_from": "2026-13-01"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "申请日期（起）" in body and "2026-13-01" in body and cases["ours"].number not in body


def test_search_page_next_link_keeps_the_filters(client, clerk, standard_matter, make_enterprise):
    for _ in range(51):
        file(clerk, standard_matter, make_enterprise())
    client.force_login(clerk)
    page = client.get(reverse("applications:list"), {"matter": standard_matter.code, "overdue": ""}).content.decode()
    assert f"matter={standard_matter.code}" in page and "cursor=" in page
