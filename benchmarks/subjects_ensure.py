"""Throughput of ``subjects_ensure``, the bulk get-or-create that credit-list imports run per batch.

    .venv/bin/python benchmarks/subjects_ensure.py [--rows 50000] [--persons 0.5] [--batch 5000]

Uses a throwaway SQLite file unless DATABASE_URL is set (then that database: give it an empty one).
Prints rows/s for new subjects and for the same rows again (all known).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--persons", type=float, default=0.5, help="share of rows that are persons (encrypted)")
    parser.add_argument("--batch", type=int, default=5_000)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="xinyipi-bench-")
    try:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
        measure(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(args) -> None:
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyipi.conf.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from xinyipi.subjects.services import subjects_ensure
    from xinyipi.subjects.tests.factories import enterprise_code, person_code

    call_command("migrate", verbosity=0)
    persons = int(args.rows * args.persons)
    rows = [("person", person_code(n), f"个人{n}") for n in range(persons)]
    rows += [("enterprise", enterprise_code(n), f"企业{n}有限公司") for n in range(persons, args.rows)]

    def run() -> float:
        started = time.perf_counter()
        for start in range(0, len(rows), args.batch):
            subjects_ensure(rows=rows[start : start + args.batch], actor_label="benchmark")
        return time.perf_counter() - started

    for label in ("new", "known"):
        elapsed = run()
        print(
            f"subjects_ensure {connection.vendor} {label:5}: {args.rows:,} rows ({args.persons:.0%} persons, "
            f"batches of {args.batch:,}) in {elapsed:.2f} s = {args.rows / elapsed:,.0f} rows/s"
        )


if __name__ == "__main__":
    main()
