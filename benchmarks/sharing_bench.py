"""Credit-record sharing benchmark: what queueing an event costs its transaction, and events/s shared upstream.

    .venv/bin/python benchmarks/sharing_bench.py                # full scale: 20,000 events
    .venv/bin/python benchmarks/sharing_bench.py --scale 0.1    # bench-quick

In a throwaway SQLite file (a temporary directory, removed afterwards): migrate; register 1,000 subjects;
append events one transaction each, first as ``record_append`` does (the event and its sharing row), then the
event alone (what appending cost before sharing); then share everything queued to the registry's stand-in
credit platform (``run_registry``'s server, in a thread of this process, store in memory) with batches of 100
and of 500, through ``records_share_drain`` — what the worker's periodic job runs. Prints the figures and
writes them with the machine and date into docs/performance.md (``--no-write`` to skip).
"""

import argparse
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

SUBJECTS = 1_000
BEGIN, END = "<!-- sharing:begin -->", "<!-- sharing:end -->"


def measure(args) -> dict:
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyipi.conf.base")
    os.environ.setdefault("XINYIPI_LOG_LEVEL", "WARNING")  # not a log line per request
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from xinyipi.credit.registry.server import registry_in_thread
    from xinyipi.records.models import CreditRecordEvent, RecordShare, RecordShareBatch
    from xinyipi.records.services import record_append
    from xinyipi.records.sharing import records_share_drain
    from xinyipi.records.sharing_selectors import sharing_lag
    from xinyipi.subjects.models import Subject
    from xinyipi.subjects.services import subjects_ensure
    from xinyipi.subjects.tests.factories import enterprise_code

    call_command("migrate", verbosity=0)
    subjects_ensure(
        rows=[("enterprise", enterprise_code(n), f"企业{n}有限公司") for n in range(SUBJECTS)], actor_label="benchmark"
    )
    subjects = list(Subject.objects.all())
    count = int(20_000 * args.scale)
    result = {"events": count}

    # Interleaved, one of each in turn, so that both see the same machine load and the same table sizes.
    with_row = alone = 0.0
    for n in range(count):
        started = time.perf_counter()
        with transaction.atomic():
            record_append(subject=subjects[n % SUBJECTS], type="credit_check", summary=f"基准事件 {n}")
        middle = time.perf_counter()
        with transaction.atomic():
            # The same row as record_append writes, without its sharing row.
            CreditRecordEvent.objects.create(
                subject=subjects[n % SUBJECTS],
                type="credit_check",
                at=timezone.now(),
                summary=f"对照事件 {n}",
                payload={},
                actor_label="system",
            )
        with_row += middle - started
        alone += time.perf_counter() - middle
    result["append_with_row_s"], result["append_alone_s"] = with_row, alone

    for batch in (100, 500):
        if batch == 500:  # the events appended with their rows, queued afresh
            RecordShareBatch.objects.all().delete()
            RecordShare.objects.bulk_create(
                [
                    RecordShare(event_id=pk, created_at=timezone.now())
                    for pk in CreditRecordEvent.objects.filter(summary__startswith="基准事件")
                    .order_by("id")
                    .values_list("id", flat=True)
                ],
                batch_size=5_000,
            )
        with registry_in_thread(port=0) as server:
            settings.CREDIT_PLATFORM = {
                **settings.CREDIT_PLATFORM,
                "URL": f"{server.base_url}/credit-platform",
                "BATCH": batch,
                "TIMEOUT_SECONDS": 30.0,
                "LEASE_SECONDS": 120.0,
            }
            started = time.perf_counter()
            done = records_share_drain(budget_seconds=3600.0)
            seconds = time.perf_counter() - started
            unique = server.state.platform.stats()["unique"]
        assert done.shared == unique == count, (done, unique)
        assert sharing_lag().pending == 0
        result[f"share_{batch}"] = {"seconds": seconds, "batches": done.batches}
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()")
        result["database_version"] = "SQLite " + cursor.fetchone()[0]
    return result


def report(result: dict, args, info: dict) -> list[str]:
    n = result["events"]
    with_row, alone = result["append_with_row_s"] / n * 1e6, result["append_alone_s"] / n * 1e6
    lines = [
        f"Credit-record sharing benchmark ({n:,} events; scale {args.scale:g}) — {info['date']}",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, Python {info['python']}",
        f"Database: {result['database_version']}",
        "",
        f"append, one transaction each, event + sharing row {with_row:8.0f} µs/event",
        f"append, one transaction each, event alone         {alone:8.0f} µs/event"
        f"  (the sharing row adds {with_row - alone:+.0f} µs)",
    ]
    for batch in (100, 500):
        r = result[f"share_{batch}"]
        lines.append(
            f"shared in batches of {batch:<4} {n:>8,} events in {r['seconds']:6.2f} s = {n / r['seconds']:>8,.0f}"
            f" events/s ({r['batches']} requests)"
        )
    return lines


def write_doc(lines: list[str], command: str) -> None:
    section_write(
        BEGIN,
        END,
        [
            "## Credit-record sharing",
            "",
            f"Measured by `{command}` (`make bench` runs the full scale, `make bench-quick` 1/10).",
            "Appending is `record_append` in a transaction of its own, the event with its sharing row, against the",
            "same event alone, one of each in turn: the row (one plain INSERT, its pages in the same commit) costs",
            "about a tenth of a millisecond per recorded event. Sharing is",
            "`records_share_drain` (the worker's job) sending to the registry's stand-in platform running in a",
            "thread of the same process (so both share one interpreter): claim a batch, read its events, POST them,",
            "record the acknowledgement and dequeue, one request at a time.",
            "",
            "```",
            *lines,
            "```",
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 20,000 events")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="xinyipi-bench-"))
    try:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
        result = measure(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    info = machine()
    lines = report(result, args, info)
    print("\n".join(lines))
    if not args.no_write:
        flags = [] if args.scale == 1 else [f"--scale {args.scale:g}"]
        write_doc(lines, " ".join(["benchmarks/sharing_bench.py", *flags]))
        print("written to docs/performance.md")


if __name__ == "__main__":
    main()
