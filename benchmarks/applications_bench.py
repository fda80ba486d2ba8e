"""Applications benchmark: instant approval end to end and the deadline sweep, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/applications_bench.py                 # full: 1M subjects, 5M records, 1M cases
    .venv/bin/python benchmarks/applications_bench.py --scale 0.1     # bench-quick
    .venv/bin/python benchmarks/applications_bench.py --db sqlite     # one database only

For each database, in a fresh database (an SQLite file under var/bench/, or PostgreSQL database
``xinyipi_bench_applications`` on 127.0.0.1:5432, dropped and recreated): migrate; load the credit
benchmark's data set (``credit_generate.py``: subjects, then the public credit records through
``credit_records_import``); load 1,000,000 open cases in every waiting state, of which a few hundred are
due; then

- run ``deadlines_sweep`` as the CLI does (once with the due cases, once more with nothing left to do);
- file instant-approval cases through the HTTP API (Django's test client: URL routing, middleware, bearer
  token, JSON parsing, the credit check with every local source, the filing transaction with its case
  number, history, audit entry, credit-record events, decision document and outbox rows, the JSON
  answer), one after the other for p50/p99, then from two processes at once for the rate;
- open the staff case lists a clerk and a reviewer use all day: the API list (first page, and following
  ``next`` through the cases under review), the console's case list, the window queue, the review
  queue and the console's home with its queue counts (rendered pages).

Prints figures and their ratio to the goals of DESIGN.md §7 and writes them into docs/performance.md
(``--no-write`` to skip).
"""

import argparse
import datetime as dt
import json
import multiprocessing
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

GOAL_INSTANT_P99_MS = 50.0
GOAL_INSTANT_RATE = 250.0
GOAL_SWEEP_S = 10.0
GOAL_LIST_P50_MS = 20.0
PG_BENCH_DB = "xinyipi_bench_applications"
SQLITE_PATH = ROOT / "var" / "bench" / "applications.sqlite3"
BEGIN, END = "<!-- applications:begin -->", "<!-- applications:end -->"
READING = [
    "Reading the figures. The sweep selects through `(status, deadline)` indexes and reads only the due",
    "rows: with nothing due it takes milliseconds over a million open cases; each due case costs a few",
    "milliseconds in its own transaction (the move, its history row, audit entry, document, outbox rows and",
    "record events; for a termination also the listing proposal). An instant approval is CPU in Python: about",
    "thirty statements through the ORM, half of the time in the new credit check and the HTTP layer, half in",
    "the filing transaction (the row 'filing service alone'). On PostgreSQL each statement is a round trip",
    "to a server that shares the same two cores, hence about twice the SQLite time. The rate goal of 250",
    "cases/s is not reached on this machine, where the two client processes, the application and the",
    "database share two cores; on SQLite writers also take turns on the one write lock. A case list page is",
    "keyset-paginated (no COUNT): its rows come from one table, read through the queue's own index in queue",
    "order (on SQLite the query names it), then their matters and subjects by primary key; the home's counts",
    "stop at 1,000 and seek the overdue stretch of each queue. The rest of a page's time is Django's request,",
    "session and template work, the same at a thousand cases as at a million.",
]

# The open cases: (status, mode, share). Due ones are added on top (``DUE``).
MIX = [
    ("under_review", "standard", 0.40),
    ("awaiting_supplement", "tolerance", 0.30),
    ("reminded", "tolerance", 0.10),
    ("approved", "commitment", 0.20),
]
DUE = {"awaiting_supplement": 120, "reminded": 60, "approved": 60}


# -- the measuring process (one per database) -----------------------------------------------------------


def _setup():
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyipi.conf.base")
    import django

    django.setup()
    from django.conf import settings

    for name in settings.CREDIT_SOURCES:
        settings.CREDIT_SOURCES[name] = {"url": ""}  # the sources configured by default (DESIGN.md)


def _load_credit_data(data: Path, result: dict) -> None:
    import csv

    from xinyipi.credit.importing import credit_records_import
    from xinyipi.subjects.models import Subject
    from xinyipi.subjects.services import subjects_ensure

    started = time.perf_counter()
    with (data / "subjects.csv").open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        batch = []
        for row in reader:
            batch.append(tuple(row))
            if len(batch) == 10_000:
                subjects_ensure(rows=batch, actor_label="benchmark")
                batch = []
        if batch:
            subjects_ensure(rows=batch, actor_label="benchmark")
    result["subjects"] = Subject.objects.count()
    result["subjects_s"] = time.perf_counter() - started
    done = credit_records_import(
        path=data / "credit_records.csv", source="bench", actor_label="benchmark", progress=False
    )
    if not done.ok:
        raise SystemExit(f"import failed: {[str(e) for e in done.errors[:5]]}")
    result["records"] = done.rows
    result["records_s"] = done.seconds


def _fixtures():
    """A department, a clerk with an API token, a reviewer, and the matters the cases are filed for."""
    from django.contrib.auth.models import Group

    from xinyipi.accounts import roles
    from xinyipi.accounts.models import ApiToken, Department, User
    from xinyipi.catalog.models import Material, Matter
    from xinyipi.core import clock
    from xinyipi.core.crypto import sm3_hex

    now = clock.now()
    from xinyipi.core.testing import uscc_for

    department = Department.objects.create(code=uscc_for("11150783", "MB1234567"), name="扎兰屯市基准测试局")
    clerk = User.objects.create(username="bench-clerk", department=department)
    clerk.groups.add(Group.objects.get(name=roles.WINDOW_CLERK))
    reviewer = User.objects.create(username="bench-reviewer", department=department)
    reviewer.groups.add(Group.objects.get(name=roles.REVIEWER))
    token = "bench-token-0123456789"
    ApiToken.objects.create(user=clerk, key_hash=sm3_hex(token), created_at=now, expires_at=now + dt.timedelta(days=1))

    def matter(code, name, **traits):
        values = {
            "code": f"{department.code}4{code}",
            "catalog_code": code,
            "name": name,
            "department": department,
            "legal_basis": "《中华人民共和国行政许可法》第十二条",
            "statutory_days": 20,
            "promised_days": 10,
            "created_at": now,
            "updated_at": now,
        }
        m = Matter.objects.create(**(values | traits))
        Material.objects.create(matter=m, code="A1", name="申请表", order=0)
        return m

    instant = matter("000001000000", "个体工商户名称变更", instant=True, promised_days=0, project_type="1")
    standard = matter("000002000000", "一般许可事项")
    tolerance = matter("000003000000", "容缺受理事项", tolerance=True, supplement_days=5)
    Material.objects.create(matter=tolerance, code="B1", name="场所平面图", order=1, essential=False, tolerable=True)
    licence = matter("000004000000", "涉企经营许可事项", commitment_kind="licence_commitment")
    return {
        "department": department,
        "clerk": clerk,
        "reviewer": reviewer,
        "token": token,
        "instant": instant,
        "matters": {"standard": standard, "tolerance": tolerance, "commitment": licence},
    }


def _load_cases(count: int, fx: dict, result: dict) -> None:
    """``count`` open cases spread over the waiting states (deadlines ahead), plus the few due ones."""
    from django.db import connection, transaction

    from xinyipi.applications.models import Application, ApplicationMaterial
    from xinyipi.core import clock
    from xinyipi.credit.models import CreditCheck
    from xinyipi.subjects.models import Subject

    started = time.perf_counter()
    now = clock.now()
    today = clock.today()
    max_subject = Subject.objects.order_by("-id").values_list("id", flat=True).first()
    check = CreditCheck.objects.create(
        subject_id=1,
        purpose="application",
        actor_label="benchmark",
        checked_at=now,
        level="good",
        entitlements=["green_channel", "instant_approval", "commitment", "tolerance"],
        complete=True,
        policy_version="bench",
    )
    columns = [
        "number", "matter_id", "subject_id", "department_id", "mode", "requested_mode", "status", "channel",
        "credit_check_id", "credit_level", "green_channel", "decision_due", "decision_due_provisional",
        "supplement_due", "supplement_due_provisional", "grace_due", "grace_due_provisional", "verification_due",
        "verification_due_provisional", "due_date", "decided_at", "created_at", "updated_at",
        "rectification_due_provisional", "correction_due_provisional", "decision_paused_days",
    ]  # fmt: skip
    rng = random.Random(11)
    department_id = fx["department"].pk
    matters = {mode: m.pk for mode, m in fx["matters"].items()}
    plan = []
    for status, mode, share in MIX:
        plan += [(status, mode, False)] * int(count * share)
    plan += [(status, dict((s, m) for s, m, _ in MIX)[status], True) for status, n in DUE.items() for _ in range(n)]
    rng.shuffle(plan)

    def row(index, status, mode, due):
        ahead = today + dt.timedelta(days=rng.randint(1, 40))
        past = today - dt.timedelta(days=rng.randint(1, 5))
        supplement = grace = verification = decided = None
        decision = ahead
        if status == "awaiting_supplement":
            supplement = past if due else ahead
        elif status == "reminded":
            supplement, grace = today - dt.timedelta(days=10), (past if due else ahead)
        elif status == "approved":
            verification, decided = (past if due else ahead), now
        queue_due = {"under_review": decision, "awaiting_supplement": supplement, "reminded": grace}.get(status)
        return (
            f"BENCH{index:012d}", matters[mode], rng.randint(1, max_subject), department_id, mode, mode, status,
            "window", check.pk, "good", rng.random() < 0.7, decision, False, supplement, False, grace, False,
            verification, False, queue_due, decided, now, now, False, False, 0,
        )  # fmt: skip

    table = Application._meta.db_table
    batch = 20_000
    if connection.vendor == "postgresql":
        with transaction.atomic():
            raw = connection.connection
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for index, (status, mode, due) in enumerate(plan):
                    copy.write_row(row(index, status, mode, due))
    else:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        with connection.cursor() as cursor:
            for start in range(0, len(plan), batch):
                with transaction.atomic():
                    cursor.executemany(
                        sql, [row(start + i, *item) for i, item in enumerate(plan[start : start + batch])]
                    )
    # The due tolerance cases miss one material each (what a reminder lists).
    material = fx["matters"]["tolerance"].materials.get(code="B1")
    due_ids = Application.objects.filter(
        status__in=["awaiting_supplement", "reminded"], supplement_due__lt=today
    ).values_list("id", flat=True)
    ApplicationMaterial.objects.bulk_create(
        [
            ApplicationMaterial(application_id=i, material=material, code="B1", name=material.name, state="missing")
            for i in due_ids
        ]
    )
    result["cases"] = Application.objects.count()
    result["cases_s"] = time.perf_counter() - started


def _subject_codes(n: int, seed: int) -> list[str]:
    from xinyipi.subjects.models import Subject

    rng = random.Random(seed)
    max_id = Subject.objects.order_by("-id").values_list("id", flat=True).first()
    ids = list({rng.randint(2, max_id) for _ in range(n * 2)})[:n]
    return [s.code_plain() for s in Subject.objects.filter(pk__in=ids)]


def _file_instant(codes: list[str], token: str, matter_code: str) -> tuple[list[float], dict]:
    from django.test import Client

    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    timings, statuses = [], {}
    for code in codes:
        payload = json.dumps({"matter_code": matter_code, "subject_code": code, "mode": "instant", "materials": ["A1"]})
        t0 = time.perf_counter()
        response = client.post("/api/v1/applications", payload, content_type="application/json", **headers)
        elapsed = (time.perf_counter() - t0) * 1000
        key = (
            str(response.status_code)
            if response.status_code == 201
            else f"{response.status_code} {response.json().get('code')}"
        )
        statuses[key] = statuses.get(key, 0) + 1
        if response.status_code == 201:
            if response.json()["status"] != "approved":
                raise SystemExit(f"instant case not approved: {response.json()}")
            timings.append(elapsed)
    return timings, statuses


def _filing_only(codes: list[str], fx: dict) -> dict:
    """The filing service alone, for subjects whose fresh check is reused (no HTTP, no new credit check)."""
    from xinyipi.applications.selectors import matter_for_filing
    from xinyipi.applications.services import application_file
    from xinyipi.core.errors import DomainError
    from xinyipi.subjects.models import Subject
    from xinyipi.subjects.selectors import subject_key

    matter = matter_for_filing(fx["instant"].code)
    timings = []
    for code in codes[:500]:
        subject = Subject.objects.get(code_hash=subject_key(code))
        t0 = time.perf_counter()
        try:
            application_file(
                actor=fx["clerk"], matter=matter, subject=subject, mode="instant", materials=["A1"], channel="window"
            )
        except DomainError:
            continue
        timings.append((time.perf_counter() - t0) * 1000)
    return percentiles(timings) | {"n": len(timings)}


def _case_lists(fx: dict, pages: int = 200) -> dict:
    """The staff case lists over every loaded case: the API list (first page, then following ``next`` deep
    into the million), and the console pages a clerk and a reviewer open all day (rendered HTML)."""
    from django.test import Client

    api = Client(HTTP_AUTHORIZATION=f"Bearer {fx['token']}")
    console = Client()
    console.force_login(fx["clerk"])
    reviewer = Client()
    reviewer.force_login(fx["reviewer"])

    def timed(client, url: str, n: int) -> list[float]:
        client.get(url)  # warm
        timings = []
        for _ in range(n):
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
        return timings

    result = {
        "api_first": percentiles(timed(api, "/api/v1/applications?limit=50", pages)),
        "console_list": percentiles(timed(console, "/console/cases/", pages)),
        "window_queue": percentiles(timed(console, "/console/cases/queue/window/", pages)),
        "review_queue": percentiles(timed(reviewer, "/console/cases/queue/review/", pages)),
        "console_home": percentiles(timed(reviewer, "/console/", pages)),
    }
    # 办件查询: the searches a clerk types (not part of the list goal: a name part or "overdue" is not indexed).
    from xinyipi.subjects.models import Subject

    code = Subject.objects.filter(kind="enterprise").order_by("id").values_list("code_display", flat=True).first()
    searches = {
        "search_number": "/console/cases/?number=BENCH000000000123",
        "search_code": f"/console/cases/?applicant={code}",
        "search_dates": "/console/cases/?filed_from=2026-01-01&filed_to=2026-12-31&mode=tolerance",
        "search_overdue": "/console/cases/?overdue=1",
    }
    for key, url in searches.items():
        result[key] = percentiles(timed(console, url, max(pages // 10, 5)))
    deep, url = [], "/api/v1/applications?limit=50&status=under_review"
    for _ in range(pages):
        t0 = time.perf_counter()
        response = api.get(url)
        deep.append((time.perf_counter() - t0) * 1000)
        following = response.json()["next"]
        if not following:
            break
        url = f"/api/v1/applications?limit=50&status=under_review&cursor={following}"
    result["api_following"] = percentiles(deep) | {"pages": len(deep)}
    return result


def _child(codes, token, matter_code, queue):
    from django.db import connection

    connection.close()
    started = time.perf_counter()
    timings, statuses = _file_instant(codes, token, matter_code)
    queue.put({"timings": timings, "statuses": statuses, "seconds": time.perf_counter() - started})


def worker(args) -> dict:
    _setup()
    from django.core.management import call_command
    from django.db import connection

    from xinyipi.applications.deadlines import deadlines_sweep
    from xinyipi.applications.models import Application
    from xinyipi.core import clock

    data = Path(args.data)
    result = {"vendor": connection.vendor}
    call_command("migrate", verbosity=0)
    _load_credit_data(data, result)
    fx = _fixtures()
    _load_cases(int(args.cases), fx, result)
    if connection.vendor == "postgresql":
        # After a bulk load PostgreSQL plans from empty statistics until autovacuum has analysed the tables (in
        # service it keeps them current as cases come in); measure the steady state. SQLite is not analysed:
        # the queues name their indexes instead (applications/selectors.py).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # The sweep, as ``manage.py sweep_deadlines`` runs it, over every open case.
    moment = clock.now()
    t0 = time.perf_counter()
    first = deadlines_sweep(now=moment)
    result["sweep"] = {"seconds": time.perf_counter() - t0, "changed": first.changed, "errors": len(first.errors),
                       "reminded": len(first.reminded), "terminated": len(first.terminated),
                       "flagged": len(first.verification_flagged)}  # fmt: skip
    t0 = time.perf_counter()
    again = deadlines_sweep(now=moment)
    result["sweep_again"] = {"seconds": time.perf_counter() - t0, "changed": again.changed}
    result["lists"] = _case_lists(fx)

    # Instant approval through HTTP: sequential latency, then two processes at once for the rate.
    matter_code = fx["instant"].code
    codes = _subject_codes(args.requests * 3 + 50, seed=5)
    warm, sequential, parallel = codes[:50], codes[50 : 50 + args.requests], codes[50 + args.requests :]
    _file_instant(warm, fx["token"], matter_code)
    timings, statuses = _file_instant(sequential, fx["token"], matter_code)
    result["instant"] = percentiles(timings) | {"n": len(timings), "statuses": statuses}
    result["filing_only"] = _filing_only(sequential, fx)

    connection.close()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    halves = [parallel[0::2], parallel[1::2]]
    started = time.perf_counter()
    children = [context.Process(target=_child, args=(h, fx["token"], matter_code, queue)) for h in halves]
    for child in children:
        child.start()
    outcomes = [queue.get(timeout=3600) for _ in children]
    for child in children:
        child.join()
    wall = time.perf_counter() - started
    approved = sum(len(o["timings"]) for o in outcomes)
    all_timings = [t for o in outcomes for t in o["timings"]]
    result["instant_parallel"] = percentiles(all_timings) | {
        "processes": len(children),
        "approved": approved,
        "requests": sum(sum(o["statuses"].values()) for o in outcomes),
        "seconds": wall,
        "rate": sum(sum(o["statuses"].values()) for o in outcomes) / wall,
        "approved_rate": approved / wall,
    }
    result["cases_after"] = Application.objects.count()
    result["database_version"] = database_version(connection)
    return result


# -- the driver -----------------------------------------------------------------------------------------


def report(results: dict, args, generated: dict, info: dict) -> list[str]:
    first = next(iter(results.values()))
    scale = (
        f"{generated['subjects']:,} subjects, {generated['records']:,} credit records, "
        f"{first['cases']:,} open cases ({sum(DUE.values())} due)"
    )
    lines = [f"Applications benchmark ({scale}; scale {args.scale:g}) — {info['date']}"]
    lines.append(f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, Python {info['python']}")
    lines.append("")
    lines.append(f"{'':44}" + "".join(f"{db:>28}" for db in results))

    def row(label, fn):
        lines.append(f"{label:44}" + "".join(f"{fn(r):>28}" for r in results.values()))

    row("database", lambda r: r["database_version"].split(" (")[0])
    row("open cases loaded (rows/s)", lambda r: f"{r['cases'] / r['cases_s']:,.0f}")
    row("sweep, due cases handled (s)", lambda r: f"{r['sweep']['seconds']:.2f} ({r['sweep']['changed']} moves)")
    row("sweep again, nothing due (s)", lambda r: f"{r['sweep_again']['seconds']:.3f}")
    row("instant approval p50 (ms)", lambda r: f"{r['instant']['p50_ms']:.2f}")
    row("instant approval p99 (ms)", lambda r: f"{r['instant']['p99_ms']:.2f}")
    row("instant approval max (ms)", lambda r: f"{r['instant']['max_ms']:.2f}")
    row("  one process (cases/s)", lambda r: f"{1000 / r['instant']['mean_ms']:,.0f}")
    row("filing service alone, check reused p50 (ms)", lambda r: f"{r['filing_only']['p50_ms']:.2f}")
    row("filing service alone, check reused p99 (ms)", lambda r: f"{r['filing_only']['p99_ms']:.2f}")
    row("  two processes (requests/s)", lambda r: f"{r['instant_parallel']['rate']:,.0f}")
    row("  two processes p99 (ms)", lambda r: f"{r['instant_parallel']['p99_ms']:.2f}")
    row("case list, API first page p50 (ms)", lambda r: f"{r['lists']['api_first']['p50_ms']:.2f}")
    row("case list, API following pages p50 (ms)", lambda r: f"{r['lists']['api_following']['p50_ms']:.2f}")
    row("case list, console page p50 (ms)", lambda r: f"{r['lists']['console_list']['p50_ms']:.2f}")
    row("window queue page p50 (ms)", lambda r: f"{r['lists']['window_queue']['p50_ms']:.2f}")
    row("review queue page p50 (ms)", lambda r: f"{r['lists']['review_queue']['p50_ms']:.2f}")
    row("console home with queue counts p50 (ms)", lambda r: f"{r['lists']['console_home']['p50_ms']:.2f}")
    row("  slowest of these pages, p99 (ms)", lambda r: f"{_slowest_list(r)['p99_ms']:.2f}")
    row("case search by case number p50 (ms)", lambda r: f"{r['lists']['search_number']['p50_ms']:.2f}")
    row("case search by applicant code p50 (ms)", lambda r: f"{r['lists']['search_code']['p50_ms']:.2f}")
    row("case search by dates and mode p50 (ms)", lambda r: f"{r['lists']['search_dates']['p50_ms']:.2f}")
    row("case search, overdue only p50 (ms)", lambda r: f"{r['lists']['search_overdue']['p50_ms']:.2f}")
    lines.append("")
    lines.append("Ratios to the goals (≥ 1 meets the goal):")
    for db, r in results.items():
        lines.append(
            f"  {db}: sweep {GOAL_SWEEP_S / r['sweep']['seconds']:.1f}× under 10 s; "
            f"instant p99 {GOAL_INSTANT_P99_MS / r['instant']['p99_ms']:.2f}× under 50 ms; "
            f"rate {r['instant_parallel']['rate'] / GOAL_INSTANT_RATE:.2f}× of 250 cases/s (two processes); "
            f"case list p50 {GOAL_LIST_P50_MS / _slowest_list(r)['p50_ms']:.2f}× under 20 ms (slowest page)"
        )
    if {"sqlite", "postgres"} <= set(results):
        s, p = results["sqlite"], results["postgres"]
        lines.append(
            f"  PostgreSQL/SQLite: instant p99 {p['instant']['p99_ms'] / s['instant']['p99_ms']:.2f}× (time), "
            f"sweep {p['sweep']['seconds'] / s['sweep']['seconds']:.2f}× (time)"
        )
    lines.append(f"Answers of the sequential run: {json.dumps(first['instant']['statuses'], ensure_ascii=False)}")
    return lines


def _slowest_list(r: dict) -> dict:
    return max(
        (
            r["lists"][k]
            for k in ("api_first", "api_following", "console_list", "window_queue", "review_queue", "console_home")
        ),
        key=lambda p: p["p50_ms"],
    )


def write_doc(lines: list[str], command: str) -> None:
    section_write(
        BEGIN,
        END,
        [
            "## Instant approval and the deadline sweep",
            "",
            f"Measured by `{command}` (`make bench` runs the full scale, `make bench-quick` 1/10).",
            "Instant approval is one `POST /api/v1/applications` through Django's test client (routing, middleware,",
            "bearer token, the credit check with the default sources, the filing transaction with its case number,",
            "history, audit entry, record events, decision document and outbox rows, the JSON answer), timed for the",
            "approved answers; subjects are drawn at random, so each request runs a new credit check. Subjects whose",
            "credit does not allow instant approval get a 422 (counted, not timed). The sweep is `deadlines_sweep`",
            "over every open case: the first run handles the due ones (reminders with their notice, terminations",
            "with their listing proposal, overdue verifications), the second finds nothing to do.",
            "",
            "```",
            *lines,
            "```",
            "",
            *READING,
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1M subjects, 5M records, 1M open cases")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=2000, help="instant-approval requests per run")
    parser.add_argument("--data", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--cases", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args)))
        return

    from credit_generate import data_set

    subjects, records = int(1_000_000 * args.scale), int(5_000_000 * args.scale)
    cases = int(1_000_000 * args.scale)
    data, generated = data_set(args.data, subjects, records)
    results = {}
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        argv = [__file__, "--worker", "--data", str(data), "--requests", str(args.requests), "--cases", str(cases)]
        results[db] = measure_in_worker(db, SQLITE_PATH, PG_BENCH_DB, argv)
    info = machine()
    lines = report(results, args, generated, info)
    print("\n".join(lines))
    if not args.no_write:
        command = "benchmarks/applications_bench.py" + (f" --scale {args.scale:g}" if args.scale != 1 else "")
        write_doc(lines, command)


if __name__ == "__main__":
    main()
