"""Export the credit-record events of a period (R8, DESIGN §6.1 ``export_records``) as JSON lines, CSV or xlsx.

The period is a pair of Beijing dates, both included: from 00:00 of the first day to the end of the last,
converted to UTC for the query. Events stream from the database in id order (``iterator``), so memory does
not grow with the period and the same period always gives the same rows in the same order. Every row is
written to a scratch file next to the output and moved into place only when complete: a failed export
leaves no partial file behind.

A subject is named by its displayed code: the full 统一社会信用代码 of an enterprise, the masked
居民身份证号码 of a person (the number itself is kept only encrypted and never leaves the system in an export).
"""

import csv
import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from openpyxl import Workbook

from xinyipi.core import clock
from xinyipi.core.excel import formula_safe, xlsx_stream_row
from xinyipi.records.models import CreditRecordEvent

FIELDS = ["id", "subject_code", "subject_name", "type", "type_label", "at", "case_number", "summary", "actor"]
FORMATS = ("jsonl", "csv", "xlsx")
CHUNK_SIZE = 5_000
# An xlsx sheet holds 1,048,576 rows; a longer export continues on sheets events_2, events_3, …
XLSX_SHEET_ROWS = 1_000_000


@dataclass(frozen=True)
class ExportResult:
    events: int
    path: Path


def period_bounds(*, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants ``[from, to)`` covering the Beijing dates ``start`` to ``end``, both days included."""
    lower = dt.datetime.combine(start, dt.time.min, tzinfo=clock.BEIJING)
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.BEIJING)
    return lower.astimezone(dt.UTC), upper.astimezone(dt.UTC)


def record_events_in_period(*, start: dt.date, end: dt.date, chunk_size: int = CHUNK_SIZE) -> Iterator[dict]:
    """The events of the period in id order, each shaped as one exported row (the keys of ``FIELDS``)."""
    lower, upper = period_bounds(start=start, end=end)
    labels = {value: str(label) for value, label in CreditRecordEvent.Type.choices}
    # values_list rather than model instances, and only the case number out of the payload: at a million
    # rows building models and decoding whole payloads would be most of the export's time.
    rows = (
        CreditRecordEvent.objects.filter(at__gte=lower, at__lt=upper)
        .order_by("id")
        .values_list(
            "id", "subject__code_display", "subject__name", "type", "at", "payload__number", "summary", "actor_label"
        )
        .iterator(chunk_size=chunk_size)
    )
    for pk, code, name, kind, at, number, summary, actor in rows:
        yield {
            "id": pk,
            "subject_code": code,
            "subject_name": name,
            "type": kind,
            "type_label": labels.get(kind, kind),
            "at": clock.to_beijing(at).isoformat(),
            "case_number": str(number) if number else None,
            "summary": summary,
            "actor": actor,
        }


def _write_jsonl(handle, rows: Iterator[dict]) -> int:
    n = 0
    with open(handle, "w", encoding="utf-8", newline="\n") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False))
            out.write("\n")
            n += 1
    return n


def _write_csv(handle, rows: Iterator[dict]) -> int:
    n = 0
    # UTF-8 with a byte-order mark: Excel on Chinese Windows otherwise reads the file as GB18030.
    with open(handle, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(FIELDS)
        for row in rows:
            writer.writerow(["" if row[f] is None else formula_safe(row[f]) for f in FIELDS])
            n += 1
    return n


def _write_xlsx(handle, rows: Iterator[dict]) -> int:
    book = Workbook(write_only=True)
    sheet, n = None, 0
    for row in rows:
        if n % XLSX_SHEET_ROWS == 0:
            sheet = book.create_sheet(title="events" if n == 0 else f"events_{n // XLSX_SHEET_ROWS + 1}")
            sheet.append(FIELDS)
        sheet.append(xlsx_stream_row(sheet, [row[f] for f in FIELDS]))
        n += 1
    if sheet is None:
        book.create_sheet(title="events").append(FIELDS)
    book.save(handle)
    return n


_WRITERS = {"jsonl": _write_jsonl, "csv": _write_csv, "xlsx": _write_xlsx}


def records_export(
    *, start: dt.date, end: dt.date, format: str, path, actor=None, actor_label: str | None = None
) -> ExportResult:
    """Write the period's events to ``path`` in ``format``; the export is in the audit trail (``records.export``).

    Raises ``ValueError`` for a period or format out of contract and ``OSError`` when ``path`` cannot be
    written; in either case nothing is written at ``path``.
    """
    from xinyipi.audit.services import audit_record

    if format not in _WRITERS:
        raise ValueError(f"unknown format {format!r}")
    if start > end:
        raise ValueError("the period ends before it starts")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "is a directory", str(path))
    fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        count = _WRITERS[format](scratch, record_events_in_period(start=start, end=end))
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    with transaction.atomic():
        audit_record(
            actor=actor,
            actor_label=actor_label,
            action="records.export",
            object_type=CreditRecordEvent._meta.label_lower,
            after={"from": start, "to": end, "format": format, "events": count, "output": str(path)},
        )
    return ExportResult(events=count, path=path)
