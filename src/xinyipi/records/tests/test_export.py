"""R8: the credit record is shared as an export of a period (DESIGN §6.1 ``export_records``): Beijing dates with
both ends included, stable ids, JSON lines, CSV or xlsx that read back as the database holds them, text that
never runs as a formula, persons' numbers masked, and every export in the audit trail."""

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from xinyipi.applications.tests.factories import licence_case
from xinyipi.audit.models import AuditEntry
from xinyipi.core.clock import BEIJING
from xinyipi.core.excel import formula_unescaped
from xinyipi.records.exporting import FIELDS
from xinyipi.records.models import CreditRecordEvent
from xinyipi.subjects.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).resolve().parents[4] / "docs" / "records.schema.json").read_text("utf-8"))
FIRST, LAST = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def beijing(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


def event(subject, at, type="credit_check", summary="信用核查：良好", number=None) -> CreditRecordEvent:
    return CreditRecordEvent.objects.create(
        subject=subject,
        type=type,
        at=at,
        summary=summary,
        payload={"number": number} if number else {},
        actor_label="system",
    )


@pytest.fixture
def march():
    """Events on both edges of March 2026 (Beijing) and just outside it."""
    company, person = SubjectFactory(), SubjectFactory(person=True)
    inside = [
        event(company, beijing(2026, 3, 1, 0, 0, 0), number="ZLT-2026-000001"),
        event(person, beijing(2026, 3, 15, 9, 30), type="commitment_letter"),
        event(company, beijing(2026, 3, 31, 23, 59, 59), type="decision", number="ZLT-2026-000001"),
    ]
    event(company, beijing(2026, 2, 28, 23, 59, 59, 999_999))
    event(person, beijing(2026, 4, 1, 0, 0, 0))
    return {"company": company, "person": person, "inside": inside}


def export(tmp_path, fmt: str, start=FIRST, end=LAST, name=None) -> tuple[Path, str]:
    output = tmp_path / (name or f"records.{fmt}")
    out = io.StringIO()
    call_command(
        "export_records", "--from", str(start), "--to", str(end), "--format", fmt, "--output", str(output), stdout=out
    )
    return output, out.getvalue()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def read_csv(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    return [{k: formula_unescaped(v) for k, v in row.items()} for row in rows]


def read_xlsx(path: Path) -> tuple[list[str], list[tuple]]:
    book = load_workbook(path)
    sheet = book["events"]
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


def database(march) -> list[tuple]:
    return [(e.pk, e.type) for e in march["inside"]]


def test_r8_jsonl_export_reads_back_with_the_database_ids_and_types(tmp_path, march):
    path, said = export(tmp_path, "jsonl")
    lines = read_jsonl(path)
    assert [(line["id"], line["type"]) for line in lines] == database(march)
    first = lines[0]
    assert first["subject_code"] == march["company"].code_display and first["case_number"] == "ZLT-2026-000001"
    assert first["at"] == "2026-03-01T00:00:00+08:00" and first["type_label"] == "信用核查"
    assert lines[1]["case_number"] is None
    assert "已导出 3 条" in said


def test_r8_csv_export_reads_back_with_a_header_and_the_database_ids(tmp_path, march):
    path, _ = export(tmp_path, "csv")
    rows = read_csv(path)
    assert list(rows[0]) == FIELDS
    assert [(int(r["id"]), r["type"]) for r in rows] == database(march)
    assert rows[2]["at"] == "2026-03-31T23:59:59+08:00" and rows[1]["case_number"] == ""


def test_r8_xlsx_export_reads_back_with_a_header_and_the_database_ids(tmp_path, march):
    path, _ = export(tmp_path, "xlsx")
    header, rows = read_xlsx(path)
    assert header == FIELDS
    assert [(r[0], r[3]) for r in rows] == database(march)
    assert rows[0][1] == march["company"].code_display and rows[0][6] == "ZLT-2026-000001"


def test_r8_an_empty_period_gives_a_header_and_no_events(tmp_path, march):
    day = dt.date(2025, 1, 1)
    assert read_jsonl(export(tmp_path, "jsonl", day, day)[0]) == []
    assert read_csv(export(tmp_path, "csv", day, day)[0]) == []
    assert read_xlsx(export(tmp_path, "xlsx", day, day)[0]) == (FIELDS, [])


def test_r8_the_same_period_exported_twice_gives_the_same_ids(tmp_path, march):
    once, _ = export(tmp_path, "jsonl", name="once.jsonl")
    event(march["company"], beijing(2026, 5, 2, 8, 0))  # a later event does not change the period's ids
    twice, _ = export(tmp_path, "jsonl", name="twice.jsonl")
    assert [line["id"] for line in read_jsonl(once)] == [line["id"] for line in read_jsonl(twice)]
    assert once.read_bytes() == twice.read_bytes()


def test_r8_both_ends_of_the_period_are_included_in_beijing_time(tmp_path, march):
    lines = read_jsonl(export(tmp_path, "jsonl")[0])
    assert [line["at"] for line in lines] == [
        "2026-03-01T00:00:00+08:00",
        "2026-03-15T09:30:00+08:00",
        "2026-03-31T23:59:59+08:00",
    ]
    one_day = read_jsonl(export(tmp_path, "jsonl", LAST, LAST, name="day.jsonl")[0])
    assert [line["id"] for line in one_day] == [march["inside"][2].pk]


def test_r8_a_formula_like_summary_comes_back_as_text(tmp_path, march):
    formula = '=HYPERLINK("http://127.0.0.1/x","点击")'
    planted = event(march["company"], beijing(2026, 3, 10, 12, 0), summary=formula)
    event(march["company"], beijing(2026, 3, 11, 12, 0), summary="@SUM(1+1)")

    by_id = {line["id"]: line for line in read_jsonl(export(tmp_path, "jsonl")[0])}
    assert by_id[planted.pk]["summary"] == formula

    raw = export(tmp_path, "csv")[0].read_text("utf-8-sig")
    assert "'=HYPERLINK" in raw and "'@SUM" in raw
    assert {r["summary"] for r in read_csv(tmp_path / "records.csv")} >= {formula, "@SUM(1+1)"}

    path, _ = export(tmp_path, "xlsx")
    sheet = load_workbook(path)["events"]
    cells = [row[7] for row in sheet.iter_rows(min_row=2) if row[7].value in {formula, "@SUM(1+1)"}]
    assert len(cells) == 2 and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_r8_a_persons_number_is_exported_masked(tmp_path, march):
    person = march["person"]
    full = person.code_plain()
    for fmt in ("jsonl", "csv"):
        text = export(tmp_path, fmt)[0].read_text("utf-8-sig")
        assert full not in text and person.code_display in text
    assert re.fullmatch(r"\d{6}\*{8}[\dX]{4}", person.code_display)


def test_r8_every_jsonl_line_follows_the_published_schema(tmp_path, march):
    properties = SCHEMA["properties"]
    kinds = {"integer": int, "string": str, "null": type(None)}
    for line in read_jsonl(export(tmp_path, "jsonl")[0]):
        assert set(line) == set(SCHEMA["required"]) == set(properties)
        for key, value in line.items():
            allowed = properties[key]["type"]
            allowed = allowed if isinstance(allowed, list) else [allowed]
            assert any(type(value) is kinds[t] for t in allowed), key
            if "pattern" in properties[key]:
                assert re.search(properties[key]["pattern"], value), key
        assert line["type"] in CreditRecordEvent.Type.values


def test_r8_a_case_number_comes_from_the_case_workflow(tmp_path, clerk, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)
    recorded = CreditRecordEvent.objects.filter(subject=enterprise).order_by("id")
    days = [e.at.astimezone(BEIJING).date() for e in recorded]
    lines = read_jsonl(export(tmp_path, "jsonl", min(days), max(days))[0])
    assert [line["id"] for line in lines] == [e.pk for e in recorded]
    letter = next(line for line in lines if line["type"] == "commitment_letter")
    assert letter["case_number"] == application.number and letter["actor"] == clerk.username


def test_r8_every_export_is_audited(tmp_path, march):
    export(tmp_path, "csv")
    entry = AuditEntry.objects.filter(action="records.export").latest("id")
    assert entry.actor_label == "manage.py export_records"
    assert entry.after == {
        "from": "2026-03-01",
        "to": "2026-03-31",
        "format": "csv",
        "events": 3,
        "output": str(tmp_path / "records.csv"),
    }


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"--from": "2026/03/01"}, "--from"),
        ({"--to": "2026-02-30"}, "--to"),
        ({"--from": "2026-04-01"}, "--from"),
        ({"--format": "pdf"}, "--format"),
        ({"--to": "9999-12-31"}, "--to"),  # would overflow in UTC
    ],
)
def test_r8_bad_options_are_refused_naming_the_option_and_write_nothing(tmp_path, march, options, option):
    output = tmp_path / "out.jsonl"
    given = {"--from": "2026-03-01", "--to": "2026-03-31", "--format": "jsonl", "--output": str(output)} | options
    with pytest.raises(CommandError, match=re.escape(option)):
        call_command("export_records", *[x for pair in given.items() for x in pair])
    assert list(tmp_path.iterdir()) == []
    assert not AuditEntry.objects.filter(action="records.export").exists()


@pytest.mark.parametrize("where", ["missing/out.jsonl", "."])
def test_r8_an_unwritable_output_is_refused_and_nothing_is_written(tmp_path, march, where):
    output = tmp_path / where
    with pytest.raises(CommandError, match="--output"):
        call_command(
            "export_records", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "jsonl", "--output", str(output)
        )
    assert list(tmp_path.iterdir()) == []
    assert not AuditEntry.objects.filter(action="records.export").exists()


def test_r8_an_export_that_fails_midway_leaves_no_file(tmp_path, march, monkeypatch):
    from xinyipi.records import exporting

    def broken(handle, rows):
        Path(handle).write_text("partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(exporting._WRITERS, "jsonl", broken)
    with pytest.raises(CommandError, match="--output"):
        export(tmp_path, "jsonl")
    assert list(tmp_path.iterdir()) == []


def read_back(path: Path, fmt: str) -> list[tuple]:
    """``(id, subject_code, type)`` of every exported event, read with the format's own reader."""
    if fmt == "jsonl":
        return [(e["id"], e["subject_code"], e["type"]) for e in read_jsonl(path)]
    if fmt == "csv":
        return [(int(r["id"]), r["subject_code"], r["type"]) for r in read_csv(path)]
    header, rows = read_xlsx(path)
    assert header == FIELDS
    return [(r[0], r[1], r[3]) for r in rows]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_r8_each_format_round_trips_ids_codes_and_types_and_twice_gives_the_same(tmp_path, march, fmt):
    expected = [(e.pk, e.subject.code_display, e.type) for e in march["inside"]]
    once, _ = export(tmp_path, fmt, name=f"once.{fmt}")
    event(march["person"], beijing(2026, 4, 2, 8, 0))  # recorded in between, outside the period
    twice, _ = export(tmp_path, fmt, name=f"twice.{fmt}")
    assert read_back(once, fmt) == expected
    assert read_back(twice, fmt) == expected
