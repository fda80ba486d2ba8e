"""Credit benchmark: import rate of public credit lists and single credit-check latency, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/credit_bench.py                 # full scale: 1,000,000 subjects, 5,000,000 records
    .venv/bin/python benchmarks/credit_bench.py --scale 0.1     # bench-quick
    .venv/bin/python benchmarks/credit_bench.py --db sqlite     # one database only

For each database, in a fresh database (an SQLite file under var/bench/, or PostgreSQL database
``xinyipi_bench_credit`` on 127.0.0.1:5432, dropped and recreated): migrate; load the subjects with
``subjects_ensure``; import the records file with ``credit_records_import`` (what ``import_credit``
runs: parse, validate every row, stage, merge) and import it again (every row an update); then run
single credit checks (``credit_check_run`` with the local sources: local store, city list, card
registry — everything a check does, including writing the check, its audit entry and its record event)
for random subjects and report p50/p99. Prints figures and their ratio to the goals of DESIGN.md §7,
and writes them with the machine and date into docs/performance.md (``--no-write`` to skip).
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

from databases import database_version, measure_in_worker
from doc import section_write
from runs import machine, percentiles

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

GOAL_IMPORT_ROWS_PER_S = 100_000  # on SQLite (DESIGN.md §7)
GOAL_CHECK_P99_MS = 5.0
PG_BENCH_DB = "xinyipi_bench_credit"
SQLITE_PATH = ROOT / "var" / "bench" / "credit.sqlite3"
BEGIN, END = "<!-- credit:begin -->", "<!-- credit:end -->"


# -- the measuring process (one per database) -----------------------------------------------------------


def worker(args) -> dict:
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyipi.conf.base")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from xinyipi.credit.importing import credit_records_import
    from xinyipi.credit.selectors import credit_records_in_effect
    from xinyipi.credit.services import credit_check_run
    from xinyipi.subjects.models import Subject
    from xinyipi.subjects.services import subjects_ensure

    for name in settings.CREDIT_SOURCES:
        settings.CREDIT_SOURCES[name] = {"url": ""}  # local sources only: the figure the goal is about
    data = Path(args.data)
    result = {"vendor": connection.vendor}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    result["migrate_s"] = time.perf_counter() - started

    import csv

    started = time.perf_counter()
    with (data / "subjects.csv").open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        batch = []
        for kind, code, name in reader:
            batch.append((kind, code, name))
            if len(batch) == 10_000:
                subjects_ensure(rows=batch, actor_label="benchmark")
                batch = []
        if batch:
            subjects_ensure(rows=batch, actor_label="benchmark")
    result["subjects"] = Subject.objects.count()
    result["subjects_s"] = time.perf_counter() - started

    first = credit_records_import(
        path=data / "credit_records.csv", source="bench", actor_label="benchmark", progress=False
    )
    if not first.ok:
        raise SystemExit(f"import failed: {[str(e) for e in first.errors[:5]]}")
    again = credit_records_import(
        path=data / "credit_records.csv", source="bench", actor_label="benchmark", progress=False
    )
    result["import"] = {
        "rows": first.rows,
        "seconds": first.seconds,
        "stage_s": first.stage_seconds,
        "merge_s": first.merge_seconds,
        "rate": first.rate,
        "processes": first.processes,
    }
    result["reimport"] = {"rows": again.rows, "seconds": again.seconds, "rate": again.rate}

    rng = random.Random(7)
    max_id = Subject.objects.order_by("-id").values_list("id", flat=True).first()
    ids = [rng.randint(1, max_id) for _ in range(args.checks)]
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in=ids)}
    picked = [subjects[i] for i in ids if i in subjects]
    for subject in picked[:50]:  # warm-up: connection, policy files, caches
        credit_check_run(subject=subject, purpose="application", actor=None)
    timings, levels = [], {}
    for subject in picked:
        t0 = time.perf_counter()
        check = credit_check_run(subject=subject, purpose="application", actor=None)
        timings.append((time.perf_counter() - t0) * 1000)
        levels[check.level] = levels.get(check.level, 0) + 1
    result["check"] = percentiles(timings) | {"n": len(timings), "levels": levels}
    if connection.vendor == "sqlite":
        # The same checks with SQLite's automatic WAL checkpoint off this connection, as when the worker
        # checkpoints: the commit that crosses the threshold otherwise copies the log back itself.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
        quiet = []
        for subject in picked:
            t0 = time.perf_counter()
            credit_check_run(subject=subject, purpose="application", actor=None)
            quiet.append((time.perf_counter() - t0) * 1000)
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {settings.SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
        result["check_no_autocheckpoint"] = percentiles(quiet)
    store_timings = []
    today = dt.date.today()
    for subject in picked:
        t0 = time.perf_counter()
        credit_records_in_effect(code_hash=subject.code_hash, on=today)
        store_timings.append((time.perf_counter() - t0) * 1000)
    result["store_lookup"] = percentiles(store_timings)
    result["database_version"] = database_version(connection)
    return result


# -- the driver -----------------------------------------------------------------------------------------


def report(results: dict, args, generated: dict, info: dict) -> list[str]:
    lines = []
    scale = f"{generated['subjects']:,} subjects, {generated['records']:,} credit records"
    lines.append(f"Credit benchmark ({scale}; scale {args.scale:g}) — {info['date']}")
    lines.append(f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, Python {info['python']}")
    lines.append("")
    header = f"{'':34}" + "".join(f"{db:>22}" for db in results)
    lines.append(header)

    def row(label, fn):
        lines.append(f"{label:34}" + "".join(f"{fn(r):>22}" for r in results.values()))

    row("database", lambda r: r["database_version"])
    row("subjects loaded (rows/s)", lambda r: f"{r['subjects'] / r['subjects_s']:,.0f}")
    row("import (rows/s)", lambda r: f"{r['import']['rate']:,.0f}")
    row("  checked by processes", lambda r: str(r["import"].get("processes", 1)))
    row("  of which validate+stage (s)", lambda r: f"{r['import']['stage_s']:.1f}")
    row("  of which merge (s)", lambda r: f"{r['import']['merge_s']:.1f}")
    row("re-import, all updates (rows/s)", lambda r: f"{r['reimport']['rate']:,.0f}")
    row("credit check p50 (ms)", lambda r: f"{r['check']['p50_ms']:.2f}")
    row("credit check p99 (ms)", lambda r: f"{r['check']['p99_ms']:.2f}")
    row("credit check max (ms)", lambda r: f"{r['check']['max_ms']:.2f}")
    row(
        "  p99, checkpoint off the request",
        lambda r: f"{r['check_no_autocheckpoint']['p99_ms']:.2f}" if "check_no_autocheckpoint" in r else "—",
    )
    row("local store lookup p99 (ms)", lambda r: f"{r['store_lookup']['p99_ms']:.3f}")
    lines.append("")
    lines.append("Ratios to the goals (≥ 1 meets the goal):")
    for db, r in results.items():
        lines.append(
            f"  {db}: import {r['import']['rate'] / GOAL_IMPORT_ROWS_PER_S:.2f}× of 100,000 rows/s"
            f" (goal set for SQLite); check p99 {GOAL_CHECK_P99_MS / r['check']['p99_ms']:.2f}× under 5 ms"
        )
    if {"sqlite", "postgres"} <= set(results):
        s, p = results["sqlite"], results["postgres"]
        lines.append(
            f"  PostgreSQL/SQLite: import {p['import']['rate'] / s['import']['rate']:.2f}×, "
            f"check p99 {p['check']['p99_ms'] / s['check']['p99_ms']:.2f}× (time)"
        )
    levels = next(iter(results.values()))["check"]["levels"]
    lines.append(f"Levels of the checked subjects: {json.dumps(levels, ensure_ascii=False)}")
    lines.append("Where an import's time goes (µs per row):")
    for db, r in results.items():
        rows = r["import"]["rows"]
        stage, merge = r["import"]["stage_s"] / rows * 1e6, r["import"]["merge_s"] / rows * 1e6
        lines.append(f"  {db}: read + validate + stage {stage:.1f}, merge into the store {merge:.1f}")
    return lines


def write_doc(lines: list[str], command: str) -> None:
    section_write(
        BEGIN,
        END,
        [
            "## Credit checks and credit-list import",
            "",
            f"Measured by `{command}` (`make bench` runs the full scale, `make bench-quick` 1/10).",
            "The import rate is the whole of `import_credit`: read the CSV, validate every row (check",
            "characters, dates, categories, duplicates), blind-index each code, stage, merge by upsert.",
            "A credit check is `credit_check_run` with the sources configured by default (local store, city",
            "list, card registry), writing the check, its audit entry and its credit-record event. A SQLite",
            "connection copies the write-ahead log back into the database by itself only past 10,000 pages",
            "(`SQLITE_WAL_AUTOCHECKPOINT_PAGES`); the worker does it every 5 s (`core.database_checkpoint`), so",
            'requests rarely pay for it. The line "checkpoint off the request" measures the same checks with the',
            "connection's own checkpoint off, as under a running worker.",
            "",
            "Reading the figures. On SQLite a CSV list of 32 MB or more is checked in parts, one process per",
            "core: each takes the next part, reads, checks and stages it into a scratch file of its own (keeping",
            "the codes it has already validated and blind-indexed), sorting rows into buckets by record id; the",
            "parent adds up the faults and finds record ids repeated across parts. The merge then attaches those",
            "files and upserts one bucket per transaction (about 250,000 rows) with no Python in the loop, so",
            "that a transaction extends only its slice of the store's unique index (source, record id); the",
            "code-key index is still extended at random, which is about half of the merge (without that index",
            "it took 13 s instead of 24 s). On this 2-core machine the checking keeps both cores busy and the",
            "merge one, which is why the goal is met with little to spare: full runs on machines of this kind",
            "gave 94,000 to 107,000 rows/s. New SQLite files use 8 KiB pages (`SQLITE_PAGE_SIZE`): in one quiet",
            "run 16 KiB pages imported at 97,491 rows/s and 8 KiB at 94,294, but a check's p50 fell from 1.32 ms",
            "to 1.07 ms and an instant filing's cost by about 13 %, since a commit writes every page it touched;",
            "with 4 KiB pages the merge took about 6 s longer than with 16 KiB. On PostgreSQL",
            "the list is read in one stream (COPY into a temporary table) and the merge, a WAL-logged upsert,",
            "dominates. A check's p50 is mostly its three writes (check, audit entry with the chain head, record",
            "event); on PostgreSQL its p99 is the ten round trips and the synchronous commit.",
            "The machine is shared with other work: runs differ by up to a third.",
            "",
            "```",
            *lines,
            "```",
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000,000 subjects and 5,000,000 records")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--data", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args)))
        return

    from credit_generate import data_set

    subjects, records = int(1_000_000 * args.scale), int(5_000_000 * args.scale)
    data, generated = data_set(args.data, subjects, records)
    results = {}
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        argv = [__file__, "--worker", "--data", str(data), "--checks", str(args.checks)]
        results[db] = measure_in_worker(db, SQLITE_PATH, PG_BENCH_DB, argv)
    info = machine()
    lines = report(results, args, generated, info)
    print("\n".join(lines))
    if not args.no_write:
        flags = [] if args.scale == 1 else [f"--scale {args.scale:g}"]
        write_doc(lines, " ".join(["benchmarks/credit_bench.py", *flags]))
        print("written to docs/performance.md")


if __name__ == "__main__":
    main()
