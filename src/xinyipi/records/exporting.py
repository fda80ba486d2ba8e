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
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from openpyxl import Workbook

from xinyipi.core import clock
from xinyipi.core.errors import DomainError
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


def record_events_in_period(
    *, start: dt.date, end: dt.date, chunk_size: int = CHUNK_SIZE, through_id: int | None = None
) -> Iterator[dict]:
    """The events of the period in id order, each shaped as one exported row (the keys of ``FIELDS``);
    with ``through_id``, only those up to that id (the events counted when a download began)."""
    lower, upper = period_bounds(start=start, end=end)
    labels = {value: str(label) for value, label in CreditRecordEvent.Type.choices}
    events = CreditRecordEvent.objects.filter(at__gte=lower, at__lt=upper)
    if through_id is not None:
        events = events.filter(id__lte=through_id)
    # values_list rather than model instances, and only the case number out of the payload: at a million
    # rows building models and decoding whole payloads would be most of the export's time.
    rows = (
        events.order_by("id")
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


def jsonl_lines(rows: Iterator[dict]) -> Iterator[str]:
    """One JSON object per row, each line ending in ``\\n``."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def csv_lines(rows: Iterator[dict]) -> Iterator[str]:
    """The header line, then one line per row (CRLF), formula-like text quote-prefixed (CWE-1236)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for row in rows:
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(["" if row[f] is None else formula_safe(row[f]) for f in FIELDS])
    yield buffer.getvalue()


def _write_jsonl(handle, rows: Iterator[dict]) -> int:
    n = 0
    with open(handle, "w", encoding="utf-8", newline="\n") as out:
        for line in jsonl_lines(rows):
            out.write(line)
            n += 1
    return n


def _write_csv(handle, rows: Iterator[dict]) -> int:
    n = -1  # the header line
    # UTF-8 with a byte-order mark: Excel on Chinese Windows otherwise reads the file as GB18030.
    with open(handle, "w", encoding="utf-8-sig", newline="") as out:
        for line in csv_lines(rows):
            out.write(line)
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


# ---------------------------------------------------------------------------------------------------
# The console's download: the same rows and writers, streamed to the browser


CONTENT_TYPES = {
    "jsonl": "application/x-ndjson; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
STREAM_CHUNK = 64 * 1024
# Dates a period may name: no event is older, and the extremes of ``datetime.date`` overflow in UTC.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


@dataclass(frozen=True)
class Download:
    events: int
    filename: str
    content_type: str
    chunks: Iterator[bytes]


def _encoded(lines: Iterable[str]) -> Iterator[bytes]:
    """UTF-8 bytes in pieces of about ``STREAM_CHUNK``: one write per line would be one socket write per event."""
    pending, size = [], 0
    for line in lines:
        data = line.encode("utf-8")
        pending.append(data)
        size += len(data)
        if size >= STREAM_CHUNK:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def _xlsx_chunks(rows: Iterator[dict]) -> Iterator[bytes]:
    # A zip's directory comes last, so a workbook cannot be sent while it is written: openpyxl's write-only
    # mode builds it in a temporary file (memory stays flat), which is then sent in pieces and removed.
    with tempfile.TemporaryFile(prefix="records-", suffix=".xlsx") as scratch:
        _write_xlsx(scratch, rows)
        scratch.seek(0)
        while chunk := scratch.read(STREAM_CHUNK):
            yield chunk


def _stream(format: str, rows: Iterator[dict]) -> Iterator[bytes]:
    if format == "jsonl":
        return _encoded(jsonl_lines(rows))
    if format == "csv":
        # The byte-order mark, as in the file the command writes: Excel then reads the text as UTF-8.
        return _encoded(_with_bom(csv_lines(rows)))
    return _xlsx_chunks(rows)


def _with_bom(lines: Iterator[str]) -> Iterator[str]:
    yield "\ufeff"
    yield from lines


def records_export_check(*, start: dt.date | None, end: dt.date | None, format: str, bounded: bool = True) -> None:
    """Refuse a period or format out of contract, naming the field: a date outside ``EARLIEST``–``LATEST``,
    ``start`` after ``end``, an unknown format and, when ``bounded`` (the console's download, built while the
    browser waits), a period longer than ``RECORDS_EXPORT_MAX_DAYS`` days."""
    if format not in _WRITERS:
        raise DomainError("invalid_format", _("格式须为 jsonl、csv 或 xlsx 之一。"), "format")
    if start is None or end is None:
        return
    for field, day in (("start", start), ("end", end)):
        if not EARLIEST <= day <= LATEST:
            raise DomainError(
                "date_out_of_range",
                _("日期须在 %(a)s 至 %(b)s 之间。") % {"a": EARLIEST.isoformat(), "b": LATEST.isoformat()},
                field,
            )
    if start > end:
        raise DomainError("period_reversed", _("起始日期晚于截止日期。"), "start")
    limit = settings.RECORDS_EXPORT_MAX_DAYS
    if bounded and (end - start).days + 1 > limit:
        raise DomainError(
            "period_too_long",
            _("一次最多导出 %(n)d 天的记录；请把截止日期提前，或分段导出。") % {"n": limit},
            "end",
        )


def records_export_download(*, start: dt.date, end: dt.date, format: str, actor) -> Download:
    """The period's events in ``format``, streamed (DESIGN §6.1 ``export_records``, the same rows and bytes as
    the command writes), for a credit officer or the bureau (the caller checked ``access_records_export``).

    The export is in the audit trail (``records.export``: who, period, format, number of events) before the
    first byte leaves, so a download cut short is audited too. The events are counted when the download
    begins and only those are sent (ids up to the last one counted), so the audited number is the number sent
    even while new events are recorded.
    """
    from xinyipi.audit.services import audit_record

    records_export_check(start=start, end=end, format=format)
    lower, upper = period_bounds(start=start, end=end)
    counted = CreditRecordEvent.objects.filter(at__gte=lower, at__lt=upper).aggregate(n=Count("id"), last=Max("id"))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="records.export",
            object_type=CreditRecordEvent._meta.label_lower,
            after={"from": start, "to": end, "format": format, "events": counted["n"], "via": "console"},
        )
    rows = record_events_in_period(start=start, end=end, through_id=counted["last"] or 0)
    return Download(
        events=counted["n"],
        filename=f"credit-record-{start:%Y%m%d}-{end:%Y%m%d}.{format}",
        content_type=CONTENT_TYPES[format],
        chunks=_stream(format, rows),
    )
