"""What every HTTP credit interface shares: timeout, retries with backoff, a circuit breaker, a short cache.

Each adapter's ``client.py`` subclasses ``HttpSourceClient`` and only knows its own paths and shapes.
The breaker and the cache live in this process (one per source and base URL): with several app servers
each keeps its own, which is what a breaker is for — to stop *this* process from waiting on a dead link.
"""

import threading
import time
from dataclasses import dataclass

import httpx
from django.conf import settings

from xinyipi.credit.categories import SourceStatus
from xinyipi.credit.sources.base import SourceUnavailable
from xinyipi.ops import metrics


@dataclass(frozen=True)
class HttpSettings:
    url: str
    token: str
    timeout: float
    retries: int
    backoff: float
    breaker_failures: int
    breaker_seconds: float
    cache_seconds: float


def http_settings(name: str) -> HttpSettings:
    """``CREDIT_HTTP`` defaults overridden by the source's own entry in ``CREDIT_SOURCES``."""
    merged = {**settings.CREDIT_HTTP, **settings.CREDIT_SOURCES.get(name, {})}
    return HttpSettings(
        url=(merged.get("url") or "").rstrip("/"),
        token=merged.get("token") or "",
        timeout=float(merged["timeout"]),
        retries=int(merged["retries"]),
        backoff=float(merged["backoff"]),
        breaker_failures=int(merged["breaker_failures"]),
        breaker_seconds=float(merged["breaker_seconds"]),
        cache_seconds=float(merged["cache_seconds"]),
    )


class CircuitBreaker:
    """Closed → (N consecutive failures) → open for a while → one trial request → closed or open again.

    Each failure and each change of state is counted in the metrics (``ops.metrics``) under ``source``."""

    def __init__(self, source: str = ""):
        self.source = source
        self._lock = threading.Lock()
        self.failures = 0
        self.opened_at: float | None = None
        self._trial_running = False

    def allow(self, config: HttpSettings) -> bool:
        with self._lock:
            if self.opened_at is None:
                return True
            if time.monotonic() - self.opened_at < config.breaker_seconds or self._trial_running:
                return False
            self._trial_running = True  # half-open: let exactly one request try the link
            return True

    def success(self) -> None:
        with self._lock:
            was_open = self.opened_at is not None
            self.failures = 0
            self.opened_at = None
            self._trial_running = False
        if was_open:
            metrics.credit_source_circuit(source=self.source, is_open=False)

    def failure(self, config: HttpSettings, status: str = SourceStatus.ERROR) -> None:
        with self._lock:
            self.failures += 1
            if self._trial_running or self.failures >= config.breaker_failures:
                self.opened_at = time.monotonic()
            self._trial_running = False
            is_open = self.opened_at is not None
        metrics.credit_source_failed(source=self.source, status=str(status))
        if is_open:
            metrics.credit_source_circuit(source=self.source, is_open=True)

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None


class TtlCache:
    def __init__(self, max_entries: int = 10_000):
        self._lock = threading.Lock()
        self._items: dict = {}
        self.max_entries = max_entries

    def get(self, key, ttl: float):
        if ttl <= 0:
            return None
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            stored_at, value = hit
            if time.monotonic() - stored_at > ttl:
                del self._items[key]
                return None
            return value

    def put(self, key, value, ttl: float) -> None:
        if ttl <= 0:
            return
        with self._lock:
            if len(self._items) >= self.max_entries:
                self._items.clear()
            self._items[key] = (time.monotonic(), value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass
class _LinkState:
    breaker: CircuitBreaker
    cache: TtlCache
    client: httpx.Client  # one pooled client per link: building one (TLS context) costs milliseconds


_links: dict[tuple[str, str], _LinkState] = {}
_state_lock = threading.Lock()


def _state(name: str, url: str) -> _LinkState:
    with _state_lock:
        key = (name, url)
        if key not in _links:
            _links[key] = _LinkState(CircuitBreaker(name), TtlCache(), httpx.Client())
        return _links[key]


def http_state_reset() -> None:
    """Forget every breaker, cache and connection (tests, and after a source's settings change)."""
    with _state_lock:
        for link in _links.values():
            link.client.close()
        _links.clear()


def breaker_for(name: str) -> CircuitBreaker:
    return _state(name, http_settings(name).url).breaker


class NotFoundAnswer(Exception):
    """The interface answered 404: it knows nothing of what was asked (an answer, not a failure)."""


class HttpSourceClient:
    """Calls one credit interface. ``request`` returns parsed JSON or raises ``SourceUnavailable``."""

    source_name = ""

    def __init__(self):
        self.config = http_settings(self.source_name)
        link = _state(self.source_name, self.config.url)
        self.breaker, self.cache, self.client = link.breaker, link.cache, link.client

    @property
    def configured(self) -> bool:
        return bool(self.config.url)

    def request(self, method: str, path: str, *, json: dict | None = None, cache_key=None) -> tuple[dict, bool]:
        """``(body, cached)``. 404 raises ``NotFoundAnswer``; anything else that is not 2xx is a failure."""
        config = self.config
        if cache_key is not None:
            hit = self.cache.get(cache_key, config.cache_seconds)
            if hit is not None:
                return hit, True
        if not self.breaker.allow(config):
            metrics.credit_source_failed(source=self.source_name, status=SourceStatus.CIRCUIT_OPEN)
            raise SourceUnavailable(SourceStatus.CIRCUIT_OPEN, "circuit open after repeated failures")
        headers = {"Accept": "application/json", "User-Agent": "xinyipi-credit/1"}
        if config.token:
            headers["Authorization"] = f"Bearer {config.token}"
        last_status, last_detail = SourceStatus.ERROR, ""
        for attempt in range(config.retries + 1):
            if attempt:
                time.sleep(config.backoff * (2 ** (attempt - 1)))
            try:
                response = self.client.request(
                    method, config.url + path, json=json, headers=headers, timeout=config.timeout
                )
            except httpx.TimeoutException as exc:
                last_status = SourceStatus.TIMEOUT
                last_detail = f"no answer within {config.timeout:g} s ({type(exc).__name__})"
                continue
            except httpx.HTTPError as exc:
                last_status, last_detail = SourceStatus.ERROR, f"{type(exc).__name__}: {exc}"[:200]
                continue
            if response.status_code == 404:
                self.breaker.success()
                raise NotFoundAnswer()
            if 200 <= response.status_code < 300:
                try:
                    body = response.json()
                except ValueError:
                    last_status, last_detail = SourceStatus.ERROR, "answer is not JSON"
                    continue
                self.breaker.success()
                if cache_key is not None:
                    self.cache.put(cache_key, body, config.cache_seconds)
                return body, False
            last_status, last_detail = SourceStatus.ERROR, f"HTTP {response.status_code}"
            if 400 <= response.status_code < 500 and response.status_code not in {408, 429}:
                break  # the request itself is wrong: repeating it cannot help
        self.breaker.failure(config, last_status)
        raise SourceUnavailable(last_status, last_detail)


class RecordsClient(HttpSourceClient):
    """The records interface both national sites are reached through (and ``run_registry`` serves):
    ``POST {base}/records`` with ``{"code", "kind"}`` → ``{"records": [{category, record_id, …}]}``.
    The code travels in the body, not the URL, so that no ID number lands in an access log."""

    def records(self, *, code: str, kind: str, code_hash: str) -> tuple[list[dict], bool]:
        try:
            body, cached = self.request("POST", "/records", json={"code": code, "kind": kind}, cache_key=code_hash)
        except NotFoundAnswer:
            return [], False
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list):
            raise SourceUnavailable(SourceStatus.ERROR, "answer has no records list")
        return [r for r in records if isinstance(r, dict)], cached
