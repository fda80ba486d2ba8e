"""R8: credit officers and the bureau download a period's credit-record events from the console — the same rows and
bytes as ``manage.py export_records``, streamed, the period checked with the field named, every download audited."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from xinyipi.audit.models import AuditEntry
from xinyipi.core.clock import BEIJING
from xinyipi.core.excel import formula_unescaped
from xinyipi.records.exporting import FIELDS
from xinyipi.records.models import CreditRecordEvent
from xinyipi.subjects.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db

URL = "/console/records/export/"
PERIOD = {"start": "2026-03-01", "end": "2026-03-31"}


def event(subject, at, type="credit_check", summary="信用核查：良好", number=None) -> CreditRecordEvent:
    return CreditRecordEvent.objects.create(
        subject=subject, type=type, at=at, summary=summary, payload={"number": number} if number else {}
    )


@pytest.fixture
def march():
    company, person = SubjectFactory(), SubjectFactory(person=True)
    inside = [
        event(company, dt.datetime(2026, 3, 1, tzinfo=BEIJING), number="ZLT-2026-000001"),
        event(person, dt.datetime(2026, 3, 15, 9, 30, tzinfo=BEIJING), type="commitment_letter"),
        event(company, dt.datetime(2026, 3, 20, tzinfo=BEIJING), summary='=HYPERLINK("http://x","点击")'),
        event(company, dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=BEIJING), type="decision", number="ZLT-2026-000001"),
    ]
    event(company, dt.datetime(2026, 2, 28, 23, 59, 59, tzinfo=BEIJING))
    event(person, dt.datetime(2026, 4, 1, tzinfo=BEIJING))
    return {"company": company, "person": person, "inside": inside}


def download(client, user, fmt, **period):
    client.force_login(user)
    response = client.post(URL, {**PERIOD, "format": fmt, **period})
    assert response.status_code == 200 and response.streaming, response.content[:500]
    return response, b"".join(response.streaming_content)


def command_bytes(tmp_path, fmt) -> bytes:
    output = tmp_path / f"cli.{fmt}"
    call_command(
        "export_records", "--from", PERIOD["start"], "--to", PERIOD["end"], "--format", fmt, "--output", str(output),
        stdout=io.StringIO(),
    )  # fmt: skip
    return output.read_bytes()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_r8_console_download_is_the_commands_file_byte_for_byte(client, credit_officer, march, tmp_path, fmt):
    response, body = download(client, credit_officer, fmt)
    assert body == command_bytes(tmp_path, fmt)
    assert response["Content-Disposition"] == f'attachment; filename="credit-record-20260301-20260331.{fmt}"'
    assert response["X-Record-Events"] == "4"


def test_r8_console_jsonl_reads_back_with_the_database_ids_codes_and_types(client, credit_officer, march):
    _, body = download(client, credit_officer, "jsonl")
    lines = [json.loads(line) for line in body.decode("utf-8").splitlines()]
    assert [(e["id"], e["subject_code"], e["type"]) for e in lines] == [
        (e.pk, e.subject.code_display, e.type) for e in march["inside"]
    ]
    assert march["person"].code_plain() not in body.decode("utf-8")


def test_r8_console_csv_has_the_bom_and_formula_safe_text(client, bureau_admin, march):
    _, body = download(client, bureau_admin, "csv")
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [int(r["id"]) for r in rows] == [e.pk for e in march["inside"]]
    assert rows[2]["summary"].startswith("'=") and formula_unescaped(rows[2]["summary"]) == march["inside"][2].summary


def test_r8_console_xlsx_is_a_workbook_with_text_cells(client, credit_officer, march, tmp_path):
    response, body = download(client, credit_officer, "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(body))["events"]
    rows = list(sheet.iter_rows(min_row=1))
    assert [c.value for c in rows[0]] == FIELDS
    assert [(r[0].value, r[1].value, r[3].value) for r in rows[1:]] == [
        (e.pk, e.subject.code_display, e.type) for e in march["inside"]
    ]
    formula = rows[3][7]
    assert formula.value == march["inside"][2].summary and formula.data_type == "s" and formula.quotePrefix


def test_r8_every_console_download_is_audited_with_who_period_format_and_count(client, credit_officer, march):
    download(client, credit_officer, "csv")
    entry = AuditEntry.objects.filter(action="records.export").latest("id")
    assert entry.actor_label == credit_officer.username
    assert entry.after == {"from": "2026-03-01", "to": "2026-03-31", "format": "csv", "events": 4, "via": "console"}


def test_r8_a_download_sends_the_events_it_counted(client, credit_officer, march):
    """An event recorded while the file streams is not sent: the audited count is the number sent."""
    client.force_login(credit_officer)
    response = client.post(URL, {**PERIOD, "format": "jsonl"})
    event(march["company"], dt.datetime(2026, 3, 10, tzinfo=BEIJING))
    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [e.pk for e in march["inside"]]


def test_r8_an_empty_period_downloads_the_header_only(client, credit_officer, march):
    _, body = download(client, credit_officer, "csv", start="2025-01-01", end="2025-01-01")
    assert body.decode("utf-8-sig") == ",".join(FIELDS) + "\r\n"
    _, body = download(client, credit_officer, "jsonl", start="2025-01-01", end="2025-01-01")
    assert body == b""


@pytest.mark.parametrize(
    ("given", "label"),
    [
        ({"start": "2026-04-01"}, "起始日期"),  # after the end
        ({"start": "2026/03/01"}, "起始日期"),
        ({"end": ""}, "截止日期"),
        ({"start": "2025-01-01", "end": "2026-03-31"}, "截止日期"),  # longer than the limit
        ({"format": "pdf"}, "格式"),
        ({"end": "9999-12-31"}, "截止日期"),  # the far ends of the calendar overflow in UTC: refused, no error page
        ({"start": "0001-01-01"}, "起始日期"),
    ],
)
def test_r8_a_bad_period_or_format_is_refused_naming_the_field(client, credit_officer, march, given, label):
    client.force_login(credit_officer)
    response = client.post(URL, {**PERIOD, "format": "jsonl", **given})
    assert response.status_code == 422 and not response.streaming
    errors = response.content.decode().split('data-testid="export-errors"')[1].split("</div>")[0]
    assert f"{label}：" in errors
    assert not AuditEntry.objects.filter(action="records.export").exists()


def test_r8_the_period_limit_is_a_setting(client, credit_officer, march, settings):
    settings.RECORDS_EXPORT_MAX_DAYS = 31
    client.force_login(credit_officer)
    assert client.post(URL, {**PERIOD, "format": "jsonl"}).status_code == 200
    refused = client.post(URL, {"start": "2026-03-01", "end": "2026-04-01", "format": "jsonl"})
    assert refused.status_code == 422 and "31 天" in refused.content.decode()


def test_r8_export_is_for_credit_officers_and_the_bureau(client, clerk, reviewer, credit_officer, bureau_admin, march):
    for user in (clerk, reviewer):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {**PERIOD, "format": "jsonl"}).status_code == 403
        assert URL not in client.get(reverse("console:home")).content.decode()
    assert not AuditEntry.objects.filter(action="records.export").exists()
    for user in (credit_officer, bureau_admin):
        client.force_login(user)
        page = client.get(URL)
        assert page.status_code == 200 and 'data-testid="records-export"' in page.content.decode()
        assert f'href="{URL}"' in client.get(reverse("console:home")).content.decode()
    client.logout()
    assert client.get(URL).status_code == 302
