"""Credit-record export benchmark: ``export_records`` over 1,000,000 events to JSON lines (and CSV), rows/s.

    .venv/bin/python benchmarks/records_bench.py                # full scale: 1,000,000 events
    .venv/bin/python benchmarks/records_bench.py --scale 0.1    # bench-quick

In a throwaway SQLite file (a temporary directory, removed afterwards): migrate; register 20,000 subjects
(half persons, their numbers encrypted) with ``subjects_ensure``; bulk-create the events, spread over 2026
with every type, a third of them carrying a case number; then run ``records_export`` (what ``manage.py
export_records`` runs: the query in id order, the Beijing time of each event, the file written and moved into
place, the audit entry) for the whole year to jsonl and to csv, and for one month to jsonl. Prints the
figures and writes them with the machine and date into docs/performance.md (``--no-write`` to skip).
"""

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from doc import section_write
from runs import machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

SUBJECTS = 20_000
BATCH = 50_000
BEGIN, END = "<!-- records:begin -->", "<!-- records:end -->"


def measure(args, workdir: Path) -> dict:
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyipi.conf.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from xinyipi.core.clock import BEIJING
    from xinyipi.records.exporting import records_export, records_export_download
    from xinyipi.records.models import CreditRecordEvent
    from xinyipi.subjects.models import Subject
    from xinyipi.subjects.services import subjects_ensure
    from xinyipi.subjects.tests.factories import enterprise_code, person_code

    call_command("migrate", verbosity=0)
    rows = [("person", person_code(n), f"个人{n}") for n in range(SUBJECTS // 2)]
    rows += [("enterprise", enterprise_code(n), f"企业{n}有限公司") for n in range(SUBJECTS // 2, SUBJECTS)]
    for start in range(0, len(rows), 5_000):
        subjects_ensure(rows=rows[start : start + 5_000], actor_label="benchmark")
    subject_ids = list(Subject.objects.values_list("id", flat=True))

    count = int(1_000_000 * args.scale)
    types = CreditRecordEvent.Type.values
    year = dt.datetime(2026, 1, 1, tzinfo=BEIJING)
    step = dt.timedelta(days=365) / count
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        CreditRecordEvent.objects.bulk_create(
            [
                CreditRecordEvent(
                    subject_id=subject_ids[(n * 7919) % len(subject_ids)],
                    type=types[n % len(types)],
                    at=year + step * n,
                    summary=f"基准事件 {n}",
                    payload={"number": f"ZLT-2026-{n:07d}"} if n % 3 == 0 else {},
                    actor_label="system",
                )
                for n in range(first, min(first + BATCH, count))
            ],
            batch_size=5_000,
        )
    result = {"events": count, "load_s": time.perf_counter() - started, "vendor": connection.vendor}

    def run(label, fmt, start, end):
        t0 = time.perf_counter()
        done = records_export(start=start, end=end, format=fmt, path=workdir / f"out.{fmt}", actor_label="benchmark")
        seconds = time.perf_counter() - t0
        size = (workdir / f"out.{fmt}").stat().st_size
        result[label] = {"rows": done.events, "seconds": seconds, "rate": done.events / seconds, "bytes": size}

    run("jsonl", "jsonl", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    run("csv", "csv", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    run("jsonl_month", "jsonl", dt.date(2026, 6, 1), dt.date(2026, 6, 30))

    def download(label, fmt, start, end):
        """The console's download, consumed as the browser would: count and audit, then every chunk."""
        t0 = time.perf_counter()
        done = records_export_download(start=start, end=end, format=fmt, actor=None)
        first, size = None, 0
        for chunk in done.chunks:
            first = time.perf_counter() - t0 if first is None else first
            size += len(chunk)
        seconds = time.perf_counter() - t0
        result[label] = {
            "rows": done.events,
            "seconds": seconds,
            "rate": done.events / seconds,
            "bytes": size,
            "first_byte": first,
        }

    download("download_jsonl", "jsonl", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    download("download_xlsx", "xlsx", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    download("download_xlsx_month", "xlsx", dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()")
        result["database_version"] = "SQLite " + cursor.fetchone()[0]
    return result


def report(result: dict, args, info: dict) -> list[str]:
    lines = [
        f"Credit-record export benchmark ({result['events']:,} events; scale {args.scale:g}) — {info['date']}",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, Python {info['python']}",
        f"Database: {result['database_version']}; events bulk-created at"
        f" {result['events'] / result['load_s']:,.0f} rows/s",
        "",
    ]
    for label, title in (
        ("jsonl", "whole year, jsonl"),
        ("csv", "whole year, csv"),
        ("jsonl_month", "one month, jsonl"),
    ):
        r = result[label]
        lines.append(
            f"{title:20} {r['rows']:>10,} events in {r['seconds']:6.2f} s = {r['rate']:>9,.0f} rows/s"
            f"  ({r['bytes'] / 1024 / 1024:,.1f} MiB)"
        )
    lines += ["", "Console download (records_export_download, every chunk consumed):"]
    for label, title in (
        ("download_jsonl", "whole year, jsonl"),
        ("download_xlsx", "whole year, xlsx"),
        ("download_xlsx_month", "one month, xlsx"),
    ):
        r = result[label]
        lines.append(
            f"{title:20} {r['rows']:>10,} events in {r['seconds']:6.2f} s = {r['rate']:>9,.0f} rows/s"
            f"  ({r['bytes'] / 1024 / 1024:,.1f} MiB; first byte after {r['first_byte']:.2f} s)"
        )
    return lines


def write_doc(lines: list[str], command: str) -> None:
    section_write(
        BEGIN,
        END,
        [
            "## Credit-record export",
            "",
            f"Measured by `{command}` (`make bench` runs the full scale, `make bench-quick` 1/10).",
            "The export is `records_export`, what `manage.py export_records` runs: events of the period in id",
            "order streamed from the database with their subject's displayed code, each time converted to Beijing",
            "time, written to a scratch file that is moved into place, and the audit entry. The one-month export",
            "filters while it scans the whole table in id order (there is no index on the event time alone); the",
            "scan costs little next to shaping and writing each row, which is where the time goes. The console's",
            "download counts the period's events and writes the audit entry before its first byte; jsonl and csv",
            "then stream as they are read, while an xlsx is built whole in a temporary file first (a zip's",
            "directory comes last), so its first byte waits for the whole workbook.",
            "",
            "```",
            *lines,
            "```",
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000,000 events")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="xinyipi-bench-"))
    try:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
        result = measure(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    info = machine()
    lines = report(result, args, info)
    print("\n".join(lines))
    if not args.no_write:
        flags = [] if args.scale == 1 else [f"--scale {args.scale:g}"]
        write_doc(lines, " ".join(["benchmarks/records_bench.py", *flags]))
        print("written to docs/performance.md")


if __name__ == "__main__":
    main()
