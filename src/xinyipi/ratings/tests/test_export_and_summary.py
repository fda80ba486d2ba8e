"""The national 好差评 export (console and ``export_ratings``) and ``ratings_summary`` for the statistics, on a
hand-counted fixture: ratings given on both sides of the period's edges (Beijing time)."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from xinyipi.applications.models import Application
from xinyipi.applications.tests.factories import standard_case
from xinyipi.audit.models import AuditEntry
from xinyipi.core import clock
from xinyipi.ratings.exporting import FIELDS
from xinyipi.ratings.models import FollowUp
from xinyipi.ratings.selectors import ratings_summary
from xinyipi.ratings.services import rating_record

pytestmark = pytest.mark.django_db

NATIONAL_FIELDS = [
    "projectNo", "taskCode", "taskName", "orgCode", "orgName", "proStatus", "acceptDate", "resultDate",
    "serviceName", "userProp", "userName", "certKey", "pf", "satisfaction", "satisfactionName",
    "writingEvaluation", "assessNumber", "assessTime", "areaCode",
]  # fmt: skip


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=clock.BEIJING)


@pytest.fixture
def period_ratings(clerk, applicant_for, standard_matter, enterprise, person, make_enterprise):
    """Four ratings: 30 Nov 23:59 (before), 1 Dec 00:00 (a person, 差评 at the window), 31 Dec 23:59, 1 Jan 00:00
    (after). The period 1–31 Dec holds exactly the middle two."""
    made = []
    for moment, subject, score, source, comment in (
        ("2026-11-30T23:59:00", make_enterprise(), 5, "online", "前一天"),
        ("2026-12-01T00:00:00", person, 1, "window", "=SUM(A1)"),
        ("2026-12-31T23:59:00", enterprise, 4, "online", "很好"),
        ("2027-01-01T00:00:00", make_enterprise(), 2, "online", "后一天"),
    ):
        with clock.acting_at(_at(moment)):
            application = standard_case(clerk, standard_matter, subject)
            agent = applicant_for(subject) if source == "online" else clerk
            made.append(
                rating_record(actor=agent, application=application, score=score, comment=comment, source=source)
            )
    return made


def test_export_columns_are_the_national_fields():
    assert FIELDS == NATIONAL_FIELDS


def test_export_csv_holds_the_period_in_the_national_fields(period_ratings, bureau_admin, person):
    client = Client()
    client.force_login(bureau_admin)
    response = client.post(reverse("ratings:export"), {"start": "2026-12-01", "end": "2026-12-31", "format": "csv"})
    assert response.status_code == 200 and response["X-Ratings"] == "2"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["projectNo"] for r in rows] == [
        period_ratings[1].application.number,
        period_ratings[2].application.number,
    ]
    first, second = rows
    assert (first["satisfaction"], first["satisfactionName"], first["pf"], first["serviceName"]) == (
        "1",
        "非常不满意",
        "5",
        "申报",
    )
    assert first["userProp"] == "1" and first["certKey"] == person.code_display and "*" in first["certKey"]
    assert first["writingEvaluation"] == "'=SUM(A1)"  # never a formula in Excel
    assert first["assessTime"] == "2026-12-01 00:00:00" and first["areaCode"] == "150783"
    assert (second["satisfaction"], second["pf"], second["userProp"], second["proStatus"]) == ("4", "1", "2", "2")
    application = Application.objects.get(pk=period_ratings[2].application_id)
    assert second["taskCode"] == application.matter.code and second["orgCode"] == application.department.code
    assert AuditEntry.objects.filter(action="ratings.export").count() == 1


def test_export_command_writes_xlsx_and_refuses_a_reversed_period(period_ratings, tmp_path):
    output = tmp_path / "ratings.xlsx"
    call_command(
        "export_ratings", "--from", "2026-12-01", "--to", "2026-12-31", "--format", "xlsx", "--output", str(output)
    )
    sheet = load_workbook(output).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == NATIONAL_FIELDS and len(values) == 3
    assert values[1][13] == "1" and values[2][13] == "4"
    with pytest.raises(CommandError, match="--from"):
        call_command(
            "export_ratings",
            "--from",
            "2026-12-31",
            "--to",
            "2026-12-01",
            "--format",
            "csv",
            "--output",
            str(tmp_path / "x.csv"),
        )
    with pytest.raises(CommandError, match="--format"):
        call_command(
            "export_ratings",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-31",
            "--format",
            "pdf",
            "--output",
            str(tmp_path / "x.pdf"),
        )
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.pdf").exists()


def test_export_form_names_the_field_at_fault(bureau_admin):
    client = Client()
    client.force_login(bureau_admin)
    response = client.post(reverse("ratings:export"), {"start": "2026-12-31", "end": "2026-12-01", "format": "csv"})
    assert response.status_code == 422 and "起始日期晚于截止日期" in response.content.decode()


def test_summary_counts_levels_and_follow_ups_of_the_period(period_ratings, standard_matter):
    december = {"date_from": dt.date(2026, 12, 1), "date_to": dt.date(2026, 12, 31)}
    summary = ratings_summary(**december, today=dt.date(2026, 12, 2))
    assert summary["ratings"] == 2 and summary["bad"] == 1
    assert summary["levels"] == {5: 0, 4: 1, 3: 0, 2: 0, 1: 1}
    assert summary["follow_ups"] == {"open": 1, "overdue": 0, "closed": 0}
    late = ratings_summary(**december, today=dt.date(2027, 1, 31))
    assert late["follow_ups"] == {"open": 0, "overdue": 1, "closed": 0}
    FollowUp.objects.filter(rating=period_ratings[1]).update(status=FollowUp.Status.ANSWERED)
    assert ratings_summary(**december)["follow_ups"] == {"open": 0, "overdue": 0, "closed": 1}
    everything = ratings_summary()
    assert everything["ratings"] == 4 and everything["bad"] == 2
    assert everything["follow_ups"]["open"] + everything["follow_ups"]["overdue"] == 1  # January's 差评


def test_summary_narrows_to_cases_or_a_department(period_ratings, standard_matter, other_department):
    assert ratings_summary(department=standard_matter.department)["ratings"] == 4
    assert ratings_summary(department=other_department)["ratings"] == 0
    one = Application.objects.filter(pk=period_ratings[2].application_id)
    assert ratings_summary(cases=one)["levels"][4] == 1 and ratings_summary(cases=one)["ratings"] == 1
