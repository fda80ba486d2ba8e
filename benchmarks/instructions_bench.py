"""Instructions per instant approval: the filing's CPU cost as a count that does not depend on the machine's load.

    .venv/bin/python benchmarks/instructions_bench.py                   # 100,000 subjects, 100 filings
    .venv/bin/python benchmarks/instructions_bench.py --scale 0.1       # 10,000 subjects
    .venv/bin/python benchmarks/instructions_bench.py --filings 200 --no-write

Rates and latencies on a shared two-core machine differ by up to a third between runs of the same code
(docs/performance.md, "Instant approval over HTTP"), so a change of a few per cent cannot be read from them.
valgrind's callgrind counts the instructions a process executes, the same for the same code and data
whatever else the machine does. This benchmark:

1. prepares a fresh SQLite database as the HTTP benchmark does (``http_bench.py --prepare``: the credit data
   set, the clerk with an API token, the instant matter, subjects whose check allows instant approval);
2. runs one process under ``valgrind --tool=callgrind`` that files ``--warm`` instant approvals through the
   whole Django handler (middleware, bearer token, API, service, one transaction), has callgrind zero its
   counters (``callgrind_control -z``), files ``--filings`` more for other subjects, every answer a 201
   ``approved``, and has callgrind write what it counted since (``callgrind_control -d``);
3. prints the instructions per filing, and writes them into docs/performance.md (``--no-write`` to skip).

No HTTP server: what gunicorn does per request is not counted. valgrind must be installed (Debian: valgrind).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from databases import drop_database, fresh_database  # noqa: E402
from doc import section_write  # noqa: E402
from runs import machine  # noqa: E402

SQLITE_PATH = ROOT / "var" / "bench" / "instructions.sqlite3"
BEGIN, END = "<!-- instructions:begin -->", "<!-- instructions:end -->"


def child(args) -> None:
    """Inside valgrind: file the warm-up cases, zero the counters, file the counted ones, dump the counts."""
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyipi.conf.base")
    import django

    django.setup()
    from django.test import Client

    prepared = json.loads(Path(args.child).read_text())
    client = Client(HTTP_AUTHORIZATION=f"Bearer {prepared['token']}")

    def file(code: str) -> bool:
        body = {"matter_code": prepared["matter_code"], "subject_code": code, "mode": "instant", "materials": ["A1"]}
        answer = client.post("/api/v1/applications", body, content_type="application/json")
        return answer.status_code == 201 and answer.json()["status"] == "approved"

    codes = prepared["codes"]
    warm, counted = codes[: args.warm], codes[args.warm : args.warm + args.filings]
    if not all(file(code) for code in warm):
        raise SystemExit("a warm-up filing was not an instant approval")
    subprocess.run(["callgrind_control", "-z", str(os.getpid())], check=True, capture_output=True)
    approved = sum(file(code) for code in counted)
    subprocess.run(["callgrind_control", "-d", str(os.getpid())], check=True, capture_output=True)
    if approved != len(counted):
        raise SystemExit(f"only {approved} of {len(counted)} filings were instant approvals")


def measure(args) -> dict:
    from credit_generate import data_set

    url = fresh_database("sqlite", SQLITE_PATH, "")
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    data, _ = data_set(args.data, args.subjects, args.subjects * 5)
    try:
        print(f"preparing {args.subjects:,} subjects …", flush=True)
        command = [sys.executable, str(ROOT / "benchmarks" / "http_bench.py"), "--prepare", "--data", str(data)]
        command += ["--warm", "0", "--requests", str(args.warm + args.filings), "--floor", "0"]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"preparation failed:\n{done.stderr[-3000:]}")
        prepared = json.loads(done.stdout.strip().splitlines()[-1])
        with tempfile.TemporaryDirectory(prefix="xinyipi-instructions-") as work:
            (Path(work) / "prepared.json").write_text(json.dumps(prepared))
            out = Path(work) / "callgrind.out"
            print(f"{args.filings} instant approvals under callgrind (a few minutes) …", flush=True)
            command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__]
            command += ["--child", str(Path(work) / "prepared.json"), "--warm", str(args.warm)]
            command += ["--filings", str(args.filings)]
            run = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
            if run.returncode != 0:
                raise SystemExit(f"the counted run failed:\n{run.stderr[-3000:]}")
            dumps = sorted(Path(work).glob("callgrind.out.*"))
            if not dumps:
                raise SystemExit("callgrind wrote no dump of the counted filings")
            counted = int(re.search(r"^summary: (\d+)$", dumps[0].read_text(), re.M).group(1))
    finally:
        drop_database("sqlite", SQLITE_PATH, "")
    return {"subjects": prepared["subjects"], "database_version": prepared["database_version"],
            "instructions": counted, "per_filing": counted / args.filings}  # fmt: skip


def report(result: dict, args) -> list[str]:
    info = machine()
    return [
        f"Instructions per instant approval ({result['subjects']:,} subjects, {result['database_version']}) "
        f"— {info['date']}",
        f"Python {info['python']}; valgrind's callgrind, {args.filings} filings counted after {args.warm} "
        "warm-up filings",
        "",
        f"  instructions for {args.filings} filings        {result['instructions']:>16,}",
        f"  instructions per filing                {result['per_filing']:>16,.0f}",
    ]


def write_doc(lines: list[str]) -> None:
    section_write(
        BEGIN,
        END,
        [
            "## Instructions per instant approval",
            "",
            "Measured by `benchmarks/instructions_bench.py`: one process files instant approvals through the",
            "Django handler (no HTTP server) under valgrind's callgrind, which counts the instructions it",
            "executes: the same count for the same code and data however busy the machine is, so a change of",
            "a few per cent shows here when rates over HTTP cannot show it.",
            "",
            "```",
            *lines,
            "```",
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 100,000 subjects (bench-quick: 0.1)")
    parser.add_argument("--filings", type=int, default=100, help="counted instant approvals")
    parser.add_argument("--warm", type=int, default=20, help="filings before counting (first-use work)")
    parser.add_argument("--data", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.filings < 1 or args.warm < 1:
        parser.error("--filings and --warm must be at least 1")
    if args.child:
        child(args)
        return
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (Debian: apt-get install valgrind)")
    args.subjects = max(1_000, round(100_000 * args.scale))
    lines = report(measure(args), args)
    print("\n".join(lines))
    if not args.no_write:
        write_doc(lines)


if __name__ == "__main__":
    main()
