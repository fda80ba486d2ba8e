"""HTTP adapter of the credit platform's collection interface (信用内蒙古 / 信用呼伦贝尔 归集接口), R8.

``POST {base}/records`` with ``{"batch_id": "<uuid>", "events": [<line>, …]}`` — each line one event in the
export format of ``docs/records.md`` — answers 2xx once the platform holds every event of the batch. The
platform keeps one copy per event ``id`` (the idempotency key): sending an event again is acknowledged and
not counted twice, which is what makes resending a batch after a timeout or a crash safe.

One call is one attempt: no transport retries here; the sender (``records.sharing``) counts attempts and
schedules the next with backoff.
"""

import threading

import httpx

# Answers that refuse the batch itself (malformed, too large): sending it again cannot help, so the batch is
# set aside at once for an operator. Everything else — 5xx, throttling, timeouts, and 401/403/404, which
# mean the interface is misconfigured rather than the batch wrong — is retried with backoff.
_PERMANENT_STATUS = {400, 409, 413, 422}


class CreditPlatformError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class CreditPlatformClient:
    def __init__(self, base_url: str, *, timeout: float, token: str = ""):
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, headers=headers)

    def send(self, *, batch_id: str, events: list[dict]) -> dict:
        """Hand one batch to the platform; returns its answer (a dict, possibly empty) once acknowledged."""
        try:
            response = self._http.post("/records", json={"batch_id": batch_id, "events": events})
        except httpx.TimeoutException as exc:
            raise CreditPlatformError(f"timeout after {self.timeout:g}s ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise CreditPlatformError(f"{type(exc).__name__}: {exc}") from exc
        if response.is_success:
            try:
                data = response.json()
            except ValueError:
                data = {}
            return data if isinstance(data, dict) else {}
        raise CreditPlatformError(
            f"HTTP {response.status_code}: {response.text[:300]}",
            permanent=response.status_code in _PERMANENT_STATUS,
        )

    def close(self) -> None:
        self._http.close()


_clients: dict[tuple, CreditPlatformClient] = {}
_lock = threading.Lock()


def credit_platform_client(base_url: str, *, timeout: float, token: str = "") -> CreditPlatformClient:
    """One client (one connection pool) per configuration, shared by the threads of the process."""
    key = (base_url, timeout, token)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = CreditPlatformClient(base_url, timeout=timeout, token=token)
        return client
