"""A small registry server that stands in for the external systems on 127.0.0.1 (demo and tests).

It serves, from a fixture file, the interfaces the credit adapters and the SMS channel speak:

- ``POST /enterprise-publicity/records`` and ``POST /credit-china/records`` — ``{"code", "kind"}`` →
  ``{"code", "records": [...]}`` (the national sites' data-sharing interface, see ``sources/http.py``);
- ``GET /card-registry/cards/{number}`` — a 纳税信用联合激励卡, 404 when unknown;
- ``POST /identity/verify`` — ``{"name", "id_number"}`` → ``{"result": "match" | "no_match"}``, the unified
  identity platform (统一身份认证) confirming a person (``subjects/identity.py``), from ``identity_persons``;
- ``POST /sms/send`` — ``{to, text, id}`` → ``{message_id}``, idempotent on ``id``; ``GET /sms/messages``
  lists what was received (``{"items": [...]}``); ``GET /health``;
- ``POST /credit-platform/records`` — the credit platform's collection interface (``records/sharing.py``):
  ``{batch_id, events: [{id, …}]}`` → ``{accepted, duplicates, ids}``; each event is kept once by its ``id``
  (a duplicate is acknowledged, not counted twice). ``GET /credit-platform/stats`` → ``{received, unique,
  duplicates, batches}``; ``GET /credit-platform/records`` → ``{"ids": [...]}``. The store is a SQLite file
  under ``store_dir`` (``run_registry --store-dir``), so it survives a restart; without one it is in memory.
- ``POST /_control/mode`` — ``{mode, slow_seconds?}`` switches the server-wide mode at run time (tests that
  make a running server fail, then recover); it is answered whatever the current mode.

Modes: ``normal``; ``slow`` (waits ``slow_seconds`` before answering); ``fail`` (answers 503). The
server-wide mode can be overridden per request with the header ``X-Registry-Mode``, the query flag
``?mode=``, or a path prefix ``/_mode/<mode>/…`` — the prefix lets a *base URL* carry the mode, so a
test can make one source slow and leave the others normal. Plain ``http.server`` with threads; no
framework, nothing to install.
"""

import datetime as dt
import json
import re
import sqlite3
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures.yaml"
MODES = ("normal", "slow", "fail")
RECORD_SOURCES = {"enterprise-publicity": "enterprise_publicity", "credit-china": "credit_china"}
_RELATIVE = re.compile(r"^today([+-]\d+)$")
_SEPARATORS = re.compile(r"[\s\-\u3000]+")
BEIJING = ZoneInfo("Asia/Shanghai")


def resolve_date(value, today: dt.date | None = None):
    """Fixture dates are ISO dates or ``today±N`` (days), so demo data stays current whenever it runs."""
    if value is None or isinstance(value, dt.date):
        return value.isoformat() if isinstance(value, dt.date) else None
    match = _RELATIVE.match(str(value).strip())
    if match:
        today = today or dt.datetime.now(BEIJING).date()
        return (today + dt.timedelta(days=int(match.group(1)))).isoformat()
    return dt.date.fromisoformat(str(value)).isoformat()


def normalise_code(raw: str) -> str:
    return _SEPARATORS.sub("", raw or "").upper()


def load_fixtures(path: Path = FIXTURES, today: dt.date | None = None) -> dict:
    """``{enterprise_publicity: {code: [records]}, credit_china: {…}, cards: {number: card}}``, dates resolved."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    data = {"enterprise_publicity": {}, "credit_china": {}, "cards": {}, "identity_persons": {}}
    for source in ("enterprise_publicity", "credit_china"):
        for code, records in (raw.get(source) or {}).items():
            resolved = []
            for record in records or []:
                record = dict(record)
                for key in ("decided_on", "publicity_until", "ends_on"):
                    record[key] = resolve_date(record.get(key), today)
                resolved.append(record)
            data[source][normalise_code(str(code))] = resolved
    for card in raw.get("cards") or []:
        card = dict(card)
        for key in ("valid_from", "valid_until", "revoked_on"):
            card[key] = resolve_date(card.get(key), today)
        data["cards"][str(card["number"]).upper()] = card
    for person in raw.get("identity_persons") or []:
        data["identity_persons"][normalise_code(str(person["id_number"]))] = str(person["name"]).strip()
    return data


class PlatformStore:
    """What the stand-in credit platform received: one row per event id, and the delivery counters.

    SQLite, committed before the answer goes out, so an acknowledged event survives a crash or a restart of
    the server (``store_dir``); ``None`` keeps it in memory for the life of the server.
    """

    FILENAME = "credit-platform.sqlite3"

    def __init__(self, store_dir: Path | None = None):
        if store_dir is not None:
            Path(store_dir).mkdir(parents=True, exist_ok=True)
        target = str(Path(store_dir) / self.FILENAME) if store_dir is not None else ":memory:"
        self.lock = threading.Lock()
        self.db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS events "
            "(id TEXT PRIMARY KEY, body TEXT NOT NULL, batch_id TEXT, received_at TEXT)"
        )
        self.db.execute("CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
        for name in ("received", "duplicates", "batches"):
            self.db.execute("INSERT OR IGNORE INTO counters VALUES (?, 0)", (name,))

    def receive(self, *, batch_id: str, events: list[dict]) -> dict:
        now = dt.datetime.now(BEIJING).isoformat(timespec="seconds")
        ids, accepted = [], 0
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for event in events:
                    key = str(event["id"])
                    ids.append(event["id"])
                    cursor = self.db.execute(
                        "INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?)",
                        (key, json.dumps(event, ensure_ascii=False), batch_id, now),
                    )
                    accepted += cursor.rowcount
                for name, step in (("received", len(events)), ("duplicates", len(events) - accepted), ("batches", 1)):
                    self.db.execute("UPDATE counters SET value = value + ? WHERE name = ?", (step, name))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        return {"accepted": accepted, "duplicates": len(events) - accepted, "ids": ids}

    def stats(self) -> dict:
        with self.lock:
            counters = dict(self.db.execute("SELECT name, value FROM counters").fetchall())
            unique = self.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        return {
            "received": counters["received"],
            "unique": unique,
            "duplicates": counters["duplicates"],
            "batches": counters["batches"],
        }

    def ids(self) -> list:
        with self.lock:
            rows = self.db.execute("SELECT id FROM events").fetchall()
        return sorted((int(r[0]) if r[0].isdigit() else r[0] for r in rows), key=lambda v: (isinstance(v, str), v))

    def close(self) -> None:
        with self.lock:
            self.db.close()


class RegistryState:
    def __init__(self, fixtures: dict, mode: str = "normal", slow_seconds: float = 5.0, store_dir: Path | None = None):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.fixtures = fixtures
        self.mode = mode
        self.slow_seconds = slow_seconds
        self.lock = threading.Lock()
        self.messages: list[dict] = []
        self.messages_by_id: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.platform = PlatformStore(store_dir)


class RegistryHandler(BaseHTTPRequestHandler):
    server_version = "xinyipi-registry/1"
    protocol_version = "HTTP/1.1"

    @property
    def state(self) -> RegistryState:
        return self.server.state

    def log_message(self, format, *args):
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    # -- plumbing ------------------------------------------------------------------------------------

    def _send(self, status: int, body: dict | list) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(status, {"code": code, "message": message})

    def _body(self) -> dict | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _route(self) -> tuple[str, str, dict]:
        """``(mode, path, query)`` with the mode override applied and the ``/_mode/x`` prefix removed."""
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        path = parts.path
        mode = self.state.mode
        match = re.match(r"^/_mode/([a-z]+)(/.*)$", path)
        if match:
            mode, path = match.group(1), match.group(2)
        mode = self.headers.get("X-Registry-Mode") or mode
        mode = (query.get("mode") or [mode])[0]
        return mode, path, query

    def _handle(self, method: str) -> None:
        mode, path, _query = self._route()
        if path == "/_control/mode" and method == "POST":
            self._control_mode(self._body())
            return
        if mode not in MODES:
            self._error(400, "bad_mode", f"mode must be one of {', '.join(MODES)}")
            return
        body = self._body() if method == "POST" else {}
        with self.state.lock:
            self.state.requests.append({"method": method, "path": path, "mode": mode})
        if mode == "slow":
            time.sleep(self.state.slow_seconds)
        if mode == "fail":
            self._error(503, "unavailable", "the registry is failing on purpose (mode=fail)")
            return
        if body is None:
            self._error(400, "malformed_body", "body must be a JSON object")
            return
        if path == "/health" and method == "GET":
            self._send(200, {"status": "ok", "mode": self.state.mode})
            return
        segments = [unquote(s) for s in path.strip("/").split("/") if s]
        if len(segments) == 2 and segments[0] in RECORD_SOURCES and segments[1] == "records" and method == "POST":
            self._records(RECORD_SOURCES[segments[0]], body)
        elif len(segments) == 3 and segments[:2] == ["card-registry", "cards"] and method == "GET":
            self._card(segments[2])
        elif segments == ["identity", "verify"] and method == "POST":
            self._identity_verify(body)
        elif segments == ["sms", "send"] and method == "POST":
            self._sms_send(body)
        elif segments == ["sms", "messages"] and method == "GET":
            with self.state.lock:
                self._send(200, {"items": list(self.state.messages)})
        elif segments == ["credit-platform", "records"] and method == "POST":
            self._platform_receive(body)
        elif segments == ["credit-platform", "records"] and method == "GET":
            self._send(200, {"ids": self.state.platform.ids()})
        elif segments == ["credit-platform", "stats"] and method == "GET":
            self._send(200, self.state.platform.stats())
        else:
            self._error(404, "not_found", f"no such endpoint: {method} {path}")

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    # -- endpoints -----------------------------------------------------------------------------------

    def _records(self, source: str, body: dict) -> None:
        code = normalise_code(str(body.get("code") or ""))
        if len(code) != 18:
            self._error(422, "invalid_code", "code must be an 18-character USCC or ID number")
            return
        self._send(200, {"code": code, "records": self.state.fixtures[source].get(code, [])})

    def _card(self, number: str) -> None:
        card = self.state.fixtures["cards"].get(number.strip().upper())
        if card is None:
            self._error(404, "card_not_found", "no such card")
            return
        self._send(200, card)

    def _identity_verify(self, body: dict) -> None:
        number = normalise_code(str(body.get("id_number") or ""))
        name = str(body.get("name") or "").strip()
        if len(number) != 18 or not name:
            self._error(422, "invalid_input", "name and an 18-character id_number are required")
            return
        known = self.state.fixtures["identity_persons"].get(number)
        self._send(200, {"result": "match" if known == name else "no_match"})

    def _sms_send(self, body: dict) -> None:
        missing = [k for k in ("to", "text", "id") if not str(body.get(k) or "").strip()]
        if missing:
            self._error(400, "invalid_input", f"missing fields: {', '.join(missing)}")
            return
        key = str(body["id"])
        with self.state.lock:
            known = self.state.messages_by_id.get(key)
            if known is None:
                known = {
                    "id": key,
                    "message_id": f"sms-{uuid.uuid4().hex[:16]}",
                    "to": str(body["to"]),
                    "text": str(body["text"]),
                    "received_at": dt.datetime.now(BEIJING).isoformat(timespec="seconds"),
                }
                self.state.messages_by_id[key] = known
                self.state.messages.append(known)
        self._send(200, {"message_id": known["message_id"]})

    def _control_mode(self, body: dict | None) -> None:
        mode = (body or {}).get("mode")
        if mode not in MODES:
            self._error(400, "bad_mode", f"mode must be one of {', '.join(MODES)}")
            return
        slow = (body or {}).get("slow_seconds")
        if slow is not None and not (isinstance(slow, int | float) and 0 <= slow <= 3600):
            self._error(400, "bad_slow_seconds", "slow_seconds must be a number between 0 and 3600")
            return
        with self.state.lock:
            self.state.mode = mode
            if slow is not None:
                self.state.slow_seconds = float(slow)
        self._send(200, {"mode": mode, "slow_seconds": self.state.slow_seconds})

    def _platform_receive(self, body: dict) -> None:
        events = body.get("events")
        if not isinstance(events, list):
            self._error(400, "invalid_input", "events must be a list")
            return
        for n, event in enumerate(events):
            key = event.get("id") if isinstance(event, dict) else None
            if isinstance(key, bool) or not isinstance(key, int | str) or str(key) == "":
                self._error(422, "invalid_event", f"events[{n}]: an object with an id is required")
                return
        self._send(200, self.state.platform.receive(batch_id=str(body.get("batch_id") or ""), events=events))


class RegistryServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, state: RegistryState, verbose: bool = False):
        super().__init__(address, RegistryHandler)
        self.state = state
        self.verbose = verbose

    def handle_error(self, request, client_address):
        # A client that gave up waiting (slow mode) closes the socket first: not worth a traceback.
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError) and not self.verbose:
            return
        super().handle_error(request, client_address)

    def server_close(self) -> None:
        super().server_close()
        self.state.platform.close()

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def registry_server(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    fixtures: Path = FIXTURES,
    mode: str = "normal",
    slow_seconds: float = 5.0,
    verbose: bool = False,
    store_dir: Path | None = None,
) -> RegistryServer:
    """A bound server (``port=0`` picks a free port); call ``serve_forever()`` or use ``registry_in_thread``.

    ``store_dir`` keeps what the credit platform received in a file there, across restarts.
    """
    state = RegistryState(load_fixtures(fixtures), mode, slow_seconds, store_dir)
    return RegistryServer((host, port), state, verbose)


class registry_in_thread:
    """``with registry_in_thread(...) as server:`` — serve in a background thread, stop on exit."""

    def __init__(self, **kwargs):
        self.server = registry_server(**kwargs)
        self.thread = threading.Thread(target=self.server.serve_forever, name="registry-server", daemon=True)

    def __enter__(self) -> RegistryServer:
        self.thread.start()
        return self.server

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        return False


def source_urls(base_url: str, mode: str | None = None) -> dict[str, str]:
    """The base URL of each credit source on a registry server (optionally forced into ``mode``)."""
    prefix = f"{base_url}/_mode/{mode}" if mode else base_url
    return {
        "enterprise_publicity": f"{prefix}/enterprise-publicity",
        "credit_china": f"{prefix}/credit-china",
        "incentive_card": f"{prefix}/card-registry",
        "sms": f"{prefix}",
        "identity_platform": f"{prefix}/identity",
        "credit_platform": f"{prefix}/credit-platform",
    }
