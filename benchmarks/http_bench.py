"""HTTP benchmark: instant approvals through the real server and API, against a raw-SQL floor, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/http_bench.py                         # full: 1M subjects, 5M records
    .venv/bin/python benchmarks/http_bench.py --scale 0.1             # bench-quick: 100,000 subjects
    .venv/bin/python benchmarks/http_bench.py --subjects 100000       # the same (records: 5 per subject)
    .venv/bin/python benchmarks/http_bench.py --db sqlite --requests 2000

For each database, in a fresh database (an SQLite file under var/bench/, or PostgreSQL database
``xinyipi_bench_http`` on 127.0.0.1:5432, dropped and recreated):

1. prepare: migrate; load the credit benchmark's data set (``credit_generate.py``: subjects, then the public
   credit records through ``credit_records_import``); the department, clerk with an API token and instant
   matter of ``applications_bench.py``; pick distinct subjects whose records allow instant approval;
2. serve: start gunicorn as ``make serve`` does (``xinyipi.conf.gunicorn``: one sync worker per core) on a
   port of its own, and wait for ``/healthz``; start ``manage.py run_worker`` beside it, as deployed;
3. drive: ``POST /api/v1/applications`` (bearer token, ``mode: instant``) once per subject from a bounded
   asyncio HTTP/1.1 client (plain streams) on the same machine (8 requests in flight); every answer must be
   201 ``approved``; the first ``--warm`` requests warm the workers and are not counted;
4. floor: the same reads and writes as raw SQL through the database driver (no Django, no HTTP), one
   process per server worker, for other subjects: token, subject, credit records, the blacklist's and manual
   entries' probes (one statement), reusable check; the open-case read; then in one transaction the check
   with its chained audit entry, record event and sharing row, and the case with its number, three history
   rows, material, decision document with its number, record event, sharing row, the applicant's accounts
   (whom the outbox would tell: the benchmark's subjects have no contact phone nor account, so neither the
   server nor the floor writes a message), chained audit entry and the statistics' two upserts (the day's
   figures, days to decision), in as many statements as the server (``_Floor``). Rows are copies of the
   ones the server wrote.

Prints throughput, p50 and p99 of each, and the ratio of HTTP to floor, and writes them into
docs/performance.md (``--no-write`` to skip).
"""

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from databases import database_version, drop_database, fresh_database  # noqa: E402
from doc import section_write  # noqa: E402
from runs import machine, percentiles  # noqa: E402

GOAL_RATE = 250.0
GOAL_P99_MS = 50.0
PG_BENCH_DB = "xinyipi_bench_http"
SQLITE_PATH = ROOT / "var" / "bench" / "http.sqlite3"
BEGIN, END = "<!-- http:begin -->", "<!-- http:end -->"


def _setup() -> None:
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyipi.conf.base")
    import django

    django.setup()


# -- 1. prepare (a process of its own) ------------------------------------------------------------------


def _instant_subjects(n: int) -> list[str]:
    """``n`` distinct subjects with no adverse record (only tax grades A, B or M): their check allows instant
    approval, so every request is an approval. Their records are still read by each check."""
    from xinyipi.credit.models import CreditRecord
    from xinyipi.subjects.models import Subject

    rng = random.Random(7)
    max_id = Subject.objects.order_by("-id").values_list("id", flat=True).first()
    chosen: list[str] = []
    seen: set[int] = set()
    while len(chosen) < n:
        if len(seen) >= max_id:
            raise SystemExit(f"only {len(chosen):,} subjects allow instant approval, {n:,} are needed: load more")
        ids = [i for i in {rng.randint(1, max_id) for _ in range(n * 2)} if i not in seen]
        seen.update(ids)
        subjects = list(Subject.objects.filter(pk__in=ids))
        adverse = set(
            CreditRecord.objects.filter(code_hash__in=[s.code_hash for s in subjects])
            .exclude(category="tax_credit_grade", grade__in=["A", "B", "M"])
            .values_list("code_hash", flat=True)
        )
        chosen += [s.code_plain() for s in subjects if s.code_hash not in adverse]
    return chosen[:n]


def prepare(args) -> dict:
    _setup()
    from applications_bench import _fixtures, _load_credit_data
    from django.core.management import call_command
    from django.db import connection

    result: dict = {"vendor": connection.vendor}
    call_command("migrate", verbosity=0)
    _load_credit_data(Path(args.data), result)
    fx = _fixtures()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the steady state, as autovacuum keeps it in service
    result["codes"] = _instant_subjects(args.warm + args.requests + args.floor)
    result["token"] = fx["token"]
    result["matter_code"] = fx["instant"].code
    result["database_version"] = database_version(connection)
    return result


# -- 2. serve ---------------------------------------------------------------------------------------------


def _serve(url: str, port: int, workers: int, metrics_dir: str) -> subprocess.Popen:
    """gunicorn exactly as ``make serve`` starts it (the database is already migrated)."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT / "src"),
        "XINYIPI_WEB_WORKERS": str(workers),
        "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "python:xinyipi.conf.gunicorn"]
    command += ["--bind", f"127.0.0.1:{port}", "xinyipi.wsgi"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def _worker(url: str) -> subprocess.Popen:
    """``manage.py run_worker`` beside the server, as every deployment runs it (docs/deployment.md): on SQLite
    it copies the write-ahead log back every few seconds, so that no request pays for a checkpoint."""
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    command = [sys.executable, str(ROOT / "manage.py"), "run_worker"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# -- 3. drive ---------------------------------------------------------------------------------------------


async def _post(port: int, head: bytes, body: bytes) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a connection of its own (a sync worker closes each one), read to the end."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
    status = int(answer[9:12])
    return status, answer[answer.index(b"\r\n\r\n") + 4 :]


async def _drive(port: int, token: str, matter_code: str, codes: list[str], clients: int) -> dict:
    """One request per subject, ``clients`` in flight at once; latency from send to the whole answer read.

    The client writes HTTP/1.1 on asyncio streams itself: it shares the two cores with the server, and httpx
    spent about 1.9 ms of CPU per request there, a sixth of the machine; this one spends a fraction of that."""
    queue: asyncio.Queue = asyncio.Queue()
    for code in codes:
        queue.put_nowait(code)
    timings: list[float] = []
    statuses: dict[str, int] = {}
    head = (
        f"POST /api/v1/applications HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\nConnection: close\r\n"
    ).encode()

    async def one_client():
        while not queue.empty():
            code = queue.get_nowait()
            body = {"matter_code": matter_code, "subject_code": code, "mode": "instant", "materials": ["A1"]}
            t0 = time.perf_counter()
            status, raw = await asyncio.wait_for(_post(port, head, json.dumps(body).encode()), timeout=60)
            elapsed = (time.perf_counter() - t0) * 1000
            answer = json.loads(raw)
            key = (
                "201 approved"
                if status == 201 and answer["status"] == "approved"
                else (f"{status} {answer.get('code') or answer.get('status')}")
            )
            statuses[key] = statuses.get(key, 0) + 1
            timings.append(elapsed)

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    wall = time.perf_counter() - started
    return {"timings": timings, "statuses": statuses, "seconds": wall}


# -- 4. the raw-SQL floor (processes of their own) ---------------------------------------------------------


class _Floor:
    """The instant approval's reads and writes as plain SQL on one driver connection, in the filing's order and
    in as many statements. On PostgreSQL the writes the application holds (``core.rows.writes_joined``: the
    record events with their sharing rows, the history, the statistics) are held here too and go out in the
    same statements (data-modifying WITHs): the check's event and the history with the materials, the decision's
    event and the statistics with the audit entries and the chain head."""

    TABLES = {  # table: its primary key
        "credit_creditcheck": "id", "audit_auditentry": "id", "records_creditrecordevent": "id",
        "records_recordshare": "event_id", "applications_application": "id", "applications_transition": "id",
        "applications_applicationmaterial": "id", "applications_casedocument": "id",
    }  # fmt: skip

    def __init__(self, url: str, tag: str):
        self.tag = tag
        if url.startswith("sqlite"):
            import sqlite3

            self.pg = False
            self.db = sqlite3.connect(url.split("sqlite:///", 1)[1], timeout=60, isolation_level=None)
            from django.db import connection

            # The server's own connection settings (conf/base.py), checkpoint threshold included.
            for pragma in connection.settings_dict["OPTIONS"]["init_command"].split(";"):
                if pragma.strip():
                    self.db.execute(pragma)
        else:
            import psycopg

            self.pg = True
            self.db = psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True)
        self.templates = {table: self._template(table) for table in self.TABLES}
        self.rollup = self._rollup()

    def _rollup(self) -> tuple[str, str, list[int]]:
        """The statistics' upserts (day figures, days to decision; one WITH on PostgreSQL) and what an instant
        approval adds."""
        from xinyipi.stats.models import FIGURES
        from xinyipi.stats.rollup import CaseFacts, _upserts, figures_of

        today = dt.date.today()
        added = figures_of(CaseFacts(day=today, department_id=0, matter_id=0, mode="instant", credit_level="good",
                                     status="approved", decided_on=today, decision_due=today))  # fmt: skip
        day_sql, days_sql = _upserts("postgresql" if self.pg else "sqlite")
        return day_sql, days_sql, [added[f] for f in FIGURES]

    def sql(self, statement: str, params=(), *, returning: bool = False):
        if self.pg:
            if returning:
                statement += " RETURNING id"
            cursor = self.db.execute(statement, params)
            return cursor.fetchone()[0] if returning else cursor
        cursor = self.db.execute(statement.replace("%s", "?"), params)
        return cursor.lastrowid if returning else cursor

    def _template(self, table: str) -> dict:
        cursor = self.sql(f"SELECT * FROM {table} ORDER BY {self.TABLES[table]} DESC LIMIT 1")
        row = cursor.fetchone()
        return {d[0]: v for d, v in zip(cursor.description, row, strict=True) if d[0] != "id"}

    def _value(self, value):
        if self.pg and isinstance(value, dict | list):
            from psycopg.types.json import Jsonb

            return Jsonb(value)
        return value

    def _insert(self, table: str, rows: list[dict]) -> tuple[str, list]:
        """Copies of the template row with ``rows``' changes, as one statement and its parameters."""
        template = self.templates[table]
        columns = list(template)
        values = [[self._value(row.get(c, template[c])) for c in columns] for row in rows]
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(rows))}"
        return statement, [v for row in values for v in row]

    def insert(self, table: str, rows: list[dict]) -> int:
        """``_insert`` run; the last id."""
        statement, params = self._insert(table, rows)
        return self.sql(statement, params, returning=self.TABLES[table] == "id")

    def event(self, subject_id: int, stamp, source_id: str) -> None:
        """A credit-record event and its sharing row (held on PostgreSQL)."""
        event = {"subject_id": subject_id, "at": stamp, "source_id": source_id}
        if self.pg:
            statement, params = self._insert("records_creditrecordevent", [event])
            share = self.templates["records_recordshare"] | {"created_at": stamp}
            picked = ", ".join("id" if c == "event_id" else "%s" for c in share)
            self.held.add((f"{statement} RETURNING id", params),
                          (f"INSERT INTO records_recordshare ({', '.join(share)}) SELECT {picked} FROM {{previous}}",
                           [self._value(v) for c, v in share.items() if c != "event_id"]))  # fmt: skip
            return
        event_id = self.insert("records_creditrecordevent", [event])
        self.insert("records_recordshare", [{"event_id": event_id, "created_at": stamp}])

    def audit(self, entries: list[tuple[str, str, dict]], now) -> None:
        """The entries appended to the chain together: the head read (locked), their rows, the head moved
        (rows and head in one statement on PostgreSQL)."""
        from xinyipi.audit.chain import entry_hash

        head = "SELECT seq, hash FROM audit_audithead WHERE id = 1" + (" FOR UPDATE" if self.pg else "")
        seq, digest = self.sql(head).fetchone()
        at = now if self.pg else now.replace(tzinfo=None).isoformat(sep=" ")
        rows = []
        for object_type, object_id, after in entries:
            prev, seq = digest, seq + 1
            digest = entry_hash(prev_hash=prev, seq=seq, at=now, actor_label="bench-clerk", action="bench.floor",
                                object_type=object_type, object_id=object_id, before=None, after=after)  # fmt: skip
            rows.append({"seq": seq, "at": at, "action": "bench.floor", "object_type": object_type,
                         "object_id": object_id, "before": None, "after": after if self.pg else json.dumps(after),
                         "prev_hash": prev, "hash": digest})  # fmt: skip
        statement, params = self._insert("audit_auditentry", rows)
        move = "UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1"
        if self.pg:
            self.sql(*self.held.carried_by(f"WITH entry AS ({statement} RETURNING id) {move}", [*params, seq, digest]))
            return
        self.sql(statement, params)
        self.sql(move, [seq, digest])

    def case(self, code: str, token_hash: str) -> None:
        from xinyipi.core.rows import JoinedWrites
        from xinyipi.credit.models import CreditRecord
        from xinyipi.subjects.selectors import subject_key

        now = dt.datetime.now(dt.UTC)
        stamp = now if self.pg else now.replace(tzinfo=None).isoformat(sep=" ")
        code_hash = subject_key(code)
        self.sql("SELECT t.id, t.expires_at, u.id, u.is_active FROM accounts_apitoken t JOIN accounts_user u "
                 "ON u.id = t.user_id WHERE t.key_hash = %s", [token_hash]).fetchone()  # fmt: skip
        subject_id = self.sql(
            "SELECT id, kind, name FROM subjects_subject WHERE code_hash = %s", [code_hash]
        ).fetchone()[0]
        self.sql("SELECT category, source, record_id, decided_on, publicity_until, ends_on, severity, grade "
                 "FROM credit_creditrecord WHERE code_key = %s AND code_hash = %s",
                 [CreditRecord.key_of(code_hash), code_hash]).fetchall()  # fmt: skip
        self.sql("SELECT EXISTS (SELECT 1 FROM supervision_blacklistentry WHERE subject_id = %s AND status IN "
                 "('listed', 'proposed') LIMIT 1), EXISTS (SELECT 1 FROM credit_manualentry WHERE subject_id = %s "
                 "LIMIT 1)", [subject_id, subject_id]).fetchone()  # fmt: skip
        self.sql("SELECT id FROM credit_creditcheck WHERE subject_id = %s AND complete = %s ORDER BY checked_at DESC "
                 "LIMIT 1", [subject_id, True]).fetchone()  # fmt: skip

        from xinyipi.applications.workflow import OPEN_STATUSES

        statuses = sorted(OPEN_STATUSES)
        matter_id = self.templates["applications_application"]["matter_id"]
        self.sql("SELECT id FROM applications_application WHERE subject_id = %s AND "
                 f"matter_id = %s AND status IN ({', '.join(['%s'] * len(statuses))}) ORDER BY id DESC LIMIT 1",
                 [subject_id, matter_id, *statuses]).fetchone()  # fmt: skip
        self.sql("BEGIN" if self.pg else "BEGIN IMMEDIATE")
        self.held = JoinedWrites(self.db)
        check_id = self.insert("credit_creditcheck", [{"subject_id": subject_id, "checked_at": stamp}])
        self.event(subject_id, stamp, str(check_id))
        upsert = ("INSERT INTO applications_casecounter (scope, last) VALUES (%s, 1) ON CONFLICT (scope) DO UPDATE "
                  "SET last = applications_casecounter.last + 1 RETURNING last")  # fmt: skip
        sequence = self.sql(upsert, [f"floor-{self.tag}"]).fetchone()[0]
        number = f"FLOOR{self.tag}{sequence:09d}"
        application_id = self.insert("applications_application", [{"number": number, "subject_id": subject_id,
                                     "credit_check_id": check_id, "created_at": stamp, "updated_at": stamp,
                                     "decided_at": stamp}])  # fmt: skip
        transitions = [{"application_id": application_id, "at": stamp}] * 3
        materials = self._insert("applications_applicationmaterial", [{"application_id": application_id}])
        if self.pg:
            self.held.add(self._insert("applications_transition", transitions))
            self.sql(*self.held.carried_by(f"{materials[0]} RETURNING id", materials[1])).fetchall()
        else:
            self.insert("applications_transition", transitions)
            self.sql(*materials)
        doc = self.sql(upsert, [f"floor-doc-{self.tag}"]).fetchone()[0]
        self.insert("applications_casedocument", [{"application_id": application_id, "issued_at": stamp,
                                                   "number": f"{number}-{doc}"}])  # fmt: skip
        self.event(subject_id, stamp, str(application_id))
        self.sql("SELECT user_id FROM applications_subjectagent WHERE status = 'verified' AND subject_id = %s",
                 [subject_id]).fetchall()  # fmt: skip
        day = now.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
        department_id = self.templates["applications_application"]["department_id"]
        cell = [day, department_id, matter_id, "instant", "good"]
        statements = [(self.rollup[0], [*cell, day - dt.timedelta(days=day.weekday()), *self.rollup[2]]),
                      (self.rollup[1], [*cell, 0, 1])]  # fmt: skip
        if self.pg:
            self.held.add(*statements)
        else:
            for statement, params in statements:
                self.sql(statement, params)
        self.audit([("credit.creditcheck", str(check_id), {"subject_id": subject_id, "level": "good"}),
                    ("applications.application", str(application_id), {"number": number, "status": "approved"})],
                   now)  # fmt: skip
        self.sql("COMMIT")


def _floor_child(url: str, tag: str, codes: list[str], token: str, queue, ready, go) -> None:
    _setup()
    from xinyipi.core.crypto import sm3_hex

    floor = _Floor(url, tag)
    token_hash = sm3_hex(token)
    ready.release()
    go.wait()
    timings = []
    for code in codes:
        t0 = time.perf_counter()
        floor.case(code, token_hash)
        timings.append((time.perf_counter() - t0) * 1000)
    queue.put(timings)


def floor_run(url: str, codes: list[str], token: str, processes: int) -> dict:
    """The floor's processes each file their share; the clock starts once all of them have started up and
    connected, as the server's workers had before the timed requests."""
    context = multiprocessing.get_context("spawn")
    queue, ready, go = context.Queue(), context.Semaphore(0), context.Event()
    children = [
        context.Process(target=_floor_child, args=(url, str(i), codes[i::processes], token, queue, ready, go))
        for i in range(processes)
    ]
    for child in children:
        child.start()
    for _ in children:
        if not ready.acquire(timeout=600):
            raise SystemExit("a floor process did not start within 600 s")
    started = time.perf_counter()
    go.set()
    timings = [t for _ in children for t in queue.get(timeout=3600)]
    seconds = time.perf_counter() - started
    for child in children:
        child.join()
    return {"timings": timings, "seconds": seconds}


# -- the driver -----------------------------------------------------------------------------------------


def _summary(timings: list[float], seconds: float) -> dict:
    return percentiles(timings) | {"n": len(timings), "seconds": seconds, "rate": len(timings) / seconds}


def _analyze(url: str) -> None:
    """After the warm-up, the statistics of a database in service. The tables the filings write start empty
    here, where in service they hold years of cases; plans made while they were empty (the server keeps a
    connection's plans, the foreign-key checks' among them, until the statistics change) would scan a table
    that then grows by thousands of rows. ``ANALYZE`` records their size, as autovacuum does in service, and
    the server plans those statements again."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        connection.execute("ANALYZE")


def measure(db: str, args, data: Path) -> dict:
    url = fresh_database(db, SQLITE_PATH, PG_BENCH_DB)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    try:
        print(f"{db}: preparing …", flush=True)
        command = [sys.executable, __file__, "--prepare", "--data", str(data), "--warm", str(args.warm)]
        command += ["--requests", str(args.requests), "--floor", str(args.floor)]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{db} preparation failed:\n{done.stderr[-3000:]}")
        prepared = json.loads(done.stdout.strip().splitlines()[-1])
        codes = prepared["codes"]
        warm, timed = codes[: args.warm], codes[args.warm : args.warm + args.requests]
        with tempfile.TemporaryDirectory(prefix="xinyipi-http-bench-") as metrics_dir:
            server = _serve(url, args.port, args.workers, metrics_dir)
            worker = _worker(url)
            try:
                print(f"{db}: {len(timed):,} instant approvals over HTTP …", flush=True)
                asyncio.run(_drive(args.port, prepared["token"], prepared["matter_code"], warm, args.clients))
                if db == "postgres":
                    _analyze(url)
                driven = asyncio.run(_drive(args.port, prepared["token"], prepared["matter_code"], timed, args.clients))
            finally:
                for process in (server, worker):
                    process.terminate()
                for process in (server, worker):
                    process.wait(timeout=30)
        if set(driven["statuses"]) != {"201 approved"}:
            raise SystemExit(f"{db}: not every request was an instant approval: {driven['statuses']}")
        print(f"{db}: raw-SQL floor …", flush=True)
        os.environ["DATABASE_URL"] = url  # the floor's children read the settings (blind-index key) from it
        floored = floor_run(url, codes[args.warm + args.requests :], prepared["token"], args.workers)
    finally:
        drop_database(db, SQLITE_PATH, PG_BENCH_DB)
    return {
        "database_version": prepared["database_version"],
        "subjects": prepared["subjects"],
        "records": prepared["records"],
        "http": _summary(driven["timings"], driven["seconds"]),
        "floor": _summary(floored["timings"], floored["seconds"]),
    }


def report(results: dict, args, info: dict) -> list[str]:
    first = next(iter(results.values()))
    lines = [
        f"HTTP benchmark ({first['subjects']:,} subjects, {first['records']:,} credit records) — {info['date']}",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, Python {info['python']}; "
        f"load average {info['load']} at the start",
        f"Server: gunicorn, {args.workers} sync workers; client: HTTP/1.1 on asyncio streams, {args.clients} requests "
        "in flight",
        "",
        f"{'':40}" + "".join(f"{db:>22}" for db in results),
    ]

    def row(label, fn):
        lines.append(f"{label:40}" + "".join(f"{fn(r):>22}" for r in results.values()))

    row("database", lambda r: r["database_version"])
    row("instant approvals over HTTP", lambda r: f"{r['http']['n']:,}")
    row("  throughput (cases/s)", lambda r: f"{r['http']['rate']:,.0f}")
    row("  p50 (ms)", lambda r: f"{r['http']['p50_ms']:.1f}")
    row("  p99 (ms)", lambda r: f"{r['http']['p99_ms']:.1f}")
    row(f"raw-SQL floor, {args.workers} processes", lambda r: f"{r['floor']['n']:,}")
    row("  throughput (cases/s)", lambda r: f"{r['floor']['rate']:,.0f}")
    row("  p50 (ms)", lambda r: f"{r['floor']['p50_ms']:.2f}")
    row("  p99 (ms)", lambda r: f"{r['floor']['p99_ms']:.2f}")
    row("HTTP / floor (throughput)", lambda r: f"{r['http']['rate'] / r['floor']['rate']:.3f}")
    lines.append("")
    lines.append("Ratios to the goals (≥ 1 meets the goal):")
    for db, r in results.items():
        lines.append(
            f"  {db}: rate {r['http']['rate'] / GOAL_RATE:.2f}× of 250 cases/s; "
            f"p99 {GOAL_P99_MS / r['http']['p99_ms']:.2f}× under 50 ms"
        )
    return lines


READING = [
    "Where the time goes. An instant approval runs 31 statements on SQLite and 27 on PostgreSQL as",
    "`test_filing_queries.py` counts them, in one transaction: the new credit check is stored with the case",
    "(alone when the filing is refused, R8), and its audit entry is written last, beside the case's. What",
    "moved the rate, each step measured at 100,000 subjects on SQLite with 2 workers: SQLite writers queue on",
    "a file lock woken by the kernel instead of SQLite's busy handler, which sleeps 1, 2, 5, 10 … ms between",
    "tries and had left a third of the machine idle (106 → 130 cases/s); the token's user, the subject, the",
    "open case and the applicant's accounts read by written-out statements, and the check, the case, its",
    "history, materials and decision document inserted as plain rows (8.6 → 7.3 ms per filing in process);",
    "new SQLite files made with 8 KiB pages instead of 16 KiB, since a commit writes every page it touched",
    "into the log (a filing about 13 % cheaper; 187-197 cases/s over HTTP); one commit instead of two.",
    "py-spy over one gunicorn worker at 100,000 subjects (SQLite; shares of the worker's time): the filing's",
    "transaction 55 % (its statements about 16 % and the commit 8 % of the whole), the credit check's sources",
    "and policy 7 %, the bearer token, routing, middleware and the JSON answer about 13 %, gunicorn reading",
    "the request, writing the answer and closing the connection about 15 % (a sync worker closes each",
    "connection and waits for the client's side of the close). The client shares the two cores: it writes",
    "HTTP/1.1 on asyncio streams, since httpx spent about 1.9 ms of CPU per request, a sixth of the machine",
    "(about 195 → 231 cases/s at 100,000 subjects); and the worker runs beside the server, as deployed, so",
    "that the write-ahead log is copied back off the request path (251 cases/s). The p99 stays near 80-100",
    "ms: with 8 requests in flight the mean latency is 8 / rate (32 ms at 250 cases/s), and the tail is the",
    "write-ahead log's own checkpoint: every ~200 filings (10,000 pages, `SQLITE_WAL_AUTOCHECKPOINT_PAGES`)",
    "the committing request copies the log back inside its COMMIT, still holding the writers' lock, and the",
    "8 requests in flight all wait (the slow answers come in runs of 8, ~190 requests apart, worker or no",
    "worker). With 100,000 pages those runs vanished and p99 fell to 72 ms, but the worker's checkpoint",
    "every 5 s then stalled a stretch (max 420 ms). So each connection now copies the log back every 64",
    "commits, after letting the lock go: at 100,000 subjects p99 64-70 ms and 227 cases/s (every 16 commits:",
    "55-63 ms and 194-213 cases/s, hot pages being copied more often). Freezing the worker's start-up",
    "objects out of the garbage collector's sight changed nothing, and 3 workers did 204 cases/s against 2",
    "workers' 231-251. Each SQLite statement's `%s` placeholders were turned into `?` by a regular",
    "expression on every execution (about 11 µs a statement, 4 % of a worker's time); now once per distinct",
    "text (153 → 177, 192 → 218, 201 → 228, 180 → 201 cases/s in alternated pairs at 100,000 subjects). On",
    "PostgreSQL every filing also writes rows that all filings share — the matter's daily case counter, the",
    "department's document counter, the audit chain's head and the day's statistics cell — each locked from",
    "its first write to commit, so filings of one matter take turns there; the floor writes the same rows.",
    "Parameters are bound on the server (105 → 114 cases/s at 100,000 subjects), and since Django leaves",
    "psycopg's preparing off, a connection now keeps the statements it repeats prepared",
    "(`XINYIPI_PG_PREPARE_THRESHOLD`): the server's own time per filing, from its statement log, fell from",
    "6.2 to 3.6 ms, no longer parsing and planning each statement (101 → 117, 97 → 129, 126 → 147 cases/s",
    "in alternated pairs at 100,000 subjects). What is left of PostgreSQL's wait is the case counter: its",
    "upsert waits 1.3 ms on average for the filing ahead to commit. Taking the number in a short transaction",
    "of its own before the filing's (gaps are allowed) and writing the statistics before the audit entries",
    "gained nothing measurable (207/208, 201/206 cases/s with and without) and was not kept: the machine's",
    "two cores are busy, web workers about 10 ms of CPU per filing, PostgreSQL 3.6 ms, the client 0.5 ms.",
    "The write-ahead log's copy every 64 commits is made by a thread of the web process on a connection of",
    "its own, the request that asked answering meanwhile (the sqlite3 module lets go of the GIL while SQLite",
    "works; a copy took 5-32 ms, p50 7 ms): in four alternated pairs at 100,000 subjects p99 70 → 62 ms on",
    "average (73.5 → 67.0, 65.4 → 64.3, 72.5 → 53.0, 68.8 → 64.2 ms) and 217 → 233 cases/s. The table's",
    "run has every change above. Without the checkpoint thread, full-size runs of the same code gave 263",
    "(SQLite, p99 64 ms) and 164 (PostgreSQL) cases/s, and 222 and 110 in another run 11 minutes earlier:",
    "on this shared machine runs of the same code differ by up to a third, so each change above was judged",
    "by alternated pairs, not by one run.",
    "Since the table's run, each change was judged by the instructions a filing executes",
    "(`benchmarks/instructions_bench.py`: 20.35 million before these changes), which this machine's load",
    "does not change. `django.db.connection` is a proxy that looks the thread's connection up again at every",
    "attribute (through an asgiref local that raises and catches an exception each time outside an event",
    "loop), and preparing a row's values read it several times per field: 128 lookups per filing. The plain",
    "rows, record events, audit appends, counters and the rollup now take the connection once per call (44",
    "lookups; 18.99 million). A translation costs about as much as a short statement: a zh-Hans message is",
    "looked up in seven catalogs (Django merges only catalogs with the same plural forms) and found in none,",
    "the source text being the translation, and `get_FOO_display()` translates every label of the field to",
    "show one. A filing now translates 39 messages instead of 62 (choice labels looked up, the history's",
    "reasons and the credit check's labels made once, only the requested mode weighed): 17.80 million.",
    "Preparing the plain rows' values took over a hundred `get_db_prep_save()` calls per filing, several",
    "calls deep each; a string, flag or integer that needs nothing now goes to the driver as it is (on",
    "PostgreSQL integers still go wrapped in their column's type, as Django gives them to psycopg), and the",
    "token's user and the subject are read into their models by one helper that keeps each model's columns",
    "and conversions per connection instead of a raw queryset that asks for them again at every query",
    "(16.44 million); the Content-Security-Policy header is built once per process instead of for every",
    "answer (16.15 million); an aware datetime is only adapted by the backend (15.94 million): 21.7 % fewer",
    "instructions than 20.35 million. On PostgreSQL the statistics' two upserts are one statement (24",
    "statements per filing instead of 25). Over HTTP at 100,000 subjects the same code varied more than",
    "such steps between runs (141-216 cases/s). A full-size run with all of these (2026-12-06 18:36 UTC),",
    "on the machine at its fastest (a pure-Python loop of 10 million additions in 0.61 s, against 1.45-1.56 s",
    "on slow days), gave SQLite 304 cases/s with p99 53.4 ms and PostgreSQL 183 cases/s with p99 63.3 ms;",
    "ratios to the floor 0.405 and 0.749, against 0.375 and 0.58 in the previous full-size run (2026-12-05).",
    "SQLite's tail was still the log's copy inside a COMMIT: a pass of the checkpoint thread never caught up",
    "with the log, since filings commit while it copies, so the log never started again from the beginning and",
    "grew until a commit took it past `wal_autocheckpoint` pages, every ~190 filings (in one process: two",
    "filings in a row of 15-20 and ~10 ms, against 4 ms). The thread now copies what was committed during its",
    "pass with the writers' lock held (`checkpoint_pass`): writers wait for that short copy every 64 commits",
    "(about 4 ms in one process), the log starts again after every pass and stays near 3,300 pages instead",
    "of 8,192 and more. Full-size SQLite runs alternated, old code first: p99 52.7 → 43.1 ms (285 → 287",
    "cases/s), 61.4 → 41.4 ms (274 → 295), and new first 48.0 against 72.2 ms (248 against 245) as the",
    "machine slowed down. The table's run (20:02 UTC) has the change, on the slower machine of that hour:",
    "floors of 615 and 223 cases/s against 750 and 244 at 18:36, and PostgreSQL, which the change does not",
    "touch, at 140 against 183 cases/s. An earlier full-size run without the change (2026-12-06 07:40 UTC) met",
    "the machine at about half speed: floors of 353 and 162 cases/s, HTTP 93 and 98.",
    "",
    "This sitting's changes (2026-12-06, from 21:12 UTC). A full-size run of the code above at 21:24 UTC, with",
    "the machine at its fastest, gave SQLite 340 cases/s with p99 38.4 ms and PostgreSQL 160 cases/s with p99",
    "76.4 ms. On PostgreSQL the CPU time per filing, read from /proc during a timed run, was 5.7 ms in the web",
    "workers, 3.7 ms in PostgreSQL's backends (the old floor's: 2.0 ms) and 0.4 ms in the client, with 1.7 of the",
    "2 cores busy. Three changes followed. Django checks a reused connection with `SELECT 1` before a request's",
    "first statement (`CONN_HEALTH_CHECKS`), a round trip in every request; the PostgreSQL backend",
    "(`core/backends/postgresql`) now looks at the connection's socket instead, where a server that ended the",
    "connection has left its farewell: 159 → 187 and 158 → 179 cases/s in alternated full-size runs (p99 80.3 →",
    "64.1 and 87.6 → 68.9 ms). The per-process copies' generations are read in the token's statement, one",
    "statement fewer in every API request (an instant approval runs 27 on SQLite, 23 on PostgreSQL). And perf",
    "over PostgreSQL's backends found a sixth of their samples in sequential scans (heapgetpage,",
    "HeapTupleSatisfiesVisibility): the tables the filings write start empty in this benchmark, and the plans",
    "each connection made at its first filings, the foreign-key checks' among them (records_creditrecordevent",
    "scanned twice per filing, applications_application about six times), stayed sequential scans while those",
    "tables grew by thousands of rows. In service they hold years of cases and autovacuum keeps their statistics;",
    "the benchmark now runs ANALYZE after the warm-up, as its preparation does after loading: 213 and 211 cases/s",
    "against 170-196 in the runs just before, PostgreSQL's samples halved and no sequential scan left among them.",
    "The floor now writes in the filing's order and with its statements (the audit entries appended together at",
    "the end; on PostgreSQL a record event with its sharing row, and the statistics, one statement each), and its",
    "clock starts once its processes are up. Its first audit append had locked the chain head from the start of",
    "each transaction to its end, so its filings took turns for nearly all of it (PostgreSQL floor 244-277 →",
    "725-773 cases/s), and its processes' start-up had been timed (SQLite at 20,000 subjects, 600 cases: 412 →",
    "876 cases/s). The ratios fall accordingly: the database itself does three to four times the goal, and what",
    "is left is the web workers' Python and the round trips. Tried and not kept: granian 2.8.9 (WSGI, 2 workers)",
    "instead of gunicorn, SQLite at full size: 308 cases/s, and 311 with connections kept alive by the client,",
    "against gunicorn's 301-340; 4 gunicorn workers on PostgreSQL: 131 against 160 cases/s; on PostgreSQL the",
    "case number taken before the filing's transaction, so that the matter's counter row is not locked until the",
    "commit (a web backend was found waiting for it in 16 % of samples of pg_stat_activity): waits on it fell",
    "from 233 to 101 samples, waits for the log's flush rose from 124 to 197, and the rate fell (159 and 151",
    "against 179 and 182 cases/s). The table's run (22:56 UTC) has all of these: SQLite 312 cases/s with p99 44.0",
    "ms, which meets both goals, and PostgreSQL 224 cases/s with p99 53.3 ms, 0.90 and 0.94 of them; the same",
    "hour's runs gave SQLite 301-340 cases/s with p99 35.5-51.5 ms.",
    "This sitting's changes (2026-12-07). On PostgreSQL a statement costs a round trip, with work in the web",
    "worker (psycopg's Python per statement), in the server and in the kernel of both. A filing's writes that",
    "nothing in its transaction reads back (the credit check's and the decision's record events with their",
    "sharing rows, the case's history, the statistics) are now held (`core.rows.writes_joined`) and go out as",
    "leading parts of a data-modifying WITH: the check's event and the history with the materials' INSERT, the",
    "decision's event and the statistics with the audit entries' statement. PostgreSQL runs a statement's parts",
    "in no set order, so a subject's second event sends the held writes first: its events keep the order of their",
    "keys, which its credit record is read in; and a second move's statistics send the first's, since one",
    "statement may not change a row twice. The probes of the two sources that rarely have anything to say (the",
    "city list, manual entries) now run in one statement (`CreditSource.probe`), on both databases. A filing runs",
    "15 statements instead of 20 on PostgreSQL (with BEGIN and COMMIT, 17 round trips instead of 22;",
    "`test_filing_queries.py` counts 26 on SQLite and 18 on PostgreSQL). The audit statement now has about 100",
    "parameters, and psycopg keeps its conversion of `%s` placeholders only for statements under 4 KiB with at",
    "most 50: splitting the statement again at every filing cost more than the round trips saved (16.1 → 17.1",
    "million instructions per filing in the web process); the backend keeps it for statements up to 16 KiB and",
    "256 parameters. Instructions per filing in the web process on PostgreSQL: 16.1 → 15.4 million; in one",
    "process, PostgreSQL's backend's CPU per filing, alternated: 4.26 → 3.82, 4.28 → 3.74, 3.64 → 3.56, 3.38 →",
    "3.42 and 3.40 → 3.88 ms (as noisy as the machine). SQLite runs each write where it is made, as before",
    "(15.90-15.95 million, against 15.88). The floor writes the same way. The machine was slow all sitting (10",
    "million additions in 0.83-1.35 s, against 0.61 s on fast days), so no full-size run replaced the table.",
    "PostgreSQL at 100,000 subjects, alternated, before → after: 108 → 142, 110 → 110, 110 → 123, 109 → 118",
    "cases/s with the joined writes, then with the probes too 116 → 118 and 125 → 116 (p99 107.1 → 78.9, 104.4 →",
    "101.1, 109.5 → 96.9, 103.8 → 95.8, 100.6 → 111.7 and 94.4 → 107.0 ms): on average 113 → 121 cases/s and p99",
    "103 → 99 ms, within this machine's spread between runs.",
]


def _loaded(info: dict) -> list[str]:
    """A note when other work ran on the machine: absolute figures are then a fraction of the machine's."""
    if float(info["load"]) <= int(info["cores"]):
        return []
    return [
        f"These figures were taken on a loaded machine (load average {info['load']} on {info['cores']} cores: other",
        "work was running), so the server, its clients and the floor each had a fraction of a core; compare the",
        "ratio to the floor of the same run, not the absolute rates.",
        "",
    ]


def write_doc(lines: list[str], command: str, info: dict) -> None:
    section_write(
        BEGIN,
        END,
        [
            "## Instant approval over HTTP",
            "",
            f"Measured by `{command}` (the full size, `benchmarks/http_bench.py`, is 1,000,000 subjects and",
            "5,000,000 records). gunicorn started as `make serve` starts it, driven by an asyncio HTTP/1.1 client",
            "on the same machine with 8 requests in flight, one `POST /api/v1/applications` per distinct subject",
            "(each a new credit check, every answer a 201 `approved`); the floor is the same reads and writes as",
            "plain SQL through the driver, one process per server worker, measured in the same run.",
            "",
            "```",
            *lines,
            "```",
            "",
            *_loaded(info),
            *READING,
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000,000 subjects (bench-quick: 0.1)")
    parser.add_argument("--subjects", type=int, default=None, help="default: 1,000,000 × --scale")
    parser.add_argument("--records", type=int, default=None, help="default: 5 per subject")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=3000, help="timed instant approvals over HTTP")
    parser.add_argument("--warm", type=int, default=200, help="requests that warm the workers first")
    parser.add_argument("--floor", type=int, default=3000, help="cases of the raw-SQL floor")
    parser.add_argument("--clients", type=int, default=8, help="requests in flight")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8157)
    parser.add_argument("--data", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.prepare:
        print(json.dumps(prepare(args)))
        return

    from credit_generate import data_set

    if args.subjects is None:
        args.subjects = round(1_000_000 * args.scale)
    if args.subjects < 1_000:
        parser.error("--subjects (or 1,000,000 × --scale) must be at least 1,000")
    records = args.records if args.records is not None else args.subjects * 5
    load = os.getloadavg()[0]
    data, _ = data_set(args.data, args.subjects, records)
    results = {}
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        results[db] = measure(db, args, data)
    info = machine() | {"load": f"{load:.1f}"}
    lines = report(results, args, info)
    print("\n".join(lines))
    if not args.no_write:
        command = "benchmarks/http_bench.py" + (f" --subjects {args.subjects}" if args.subjects != 1_000_000 else "")
        write_doc(lines, command, info)


if __name__ == "__main__":
    main()
