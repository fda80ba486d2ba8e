"""HTTP client of the SMS gateway: ``POST {base}/sms/send`` with ``{to, text, id}`` answers ``{message_id}``.

The gateway de-duplicates on ``id``: sending the same id again returns the first message's id and sends
nothing new. That is what makes redelivery after a crash safe, so the id must be stable per message.
Retries are not done here: one call is one attempt, and the outbox worker decides when to try again.
"""

import threading

import httpx

# Answers that refuse this message itself (malformed, conflicting, too large): retrying cannot help, so
# the message is dead-lettered at once. Everything else — 5xx, throttling, timeouts, and 401/403/404,
# which mean the gateway is misconfigured, not the message — is retried with backoff.
_PERMANENT_STATUS = {400, 409, 413, 422}


class SmsGatewayError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class SmsGatewayClient:
    def __init__(self, base_url: str, *, timeout: float, token: str = ""):
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        # No transport retries: an attempt is counted and scheduled by the outbox, not hidden here.
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, headers=headers)

    def send(self, *, to: str, text: str, message_id: str) -> str:
        """Hand one message to the gateway; returns the gateway's message id."""
        try:
            response = self._http.post("/sms/send", json={"to": to, "text": text, "id": message_id})
        except httpx.TimeoutException as exc:
            raise SmsGatewayError(f"timeout after {self.timeout:g}s ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise SmsGatewayError(f"{type(exc).__name__}: {exc}") from exc
        if response.is_success:
            try:
                data = response.json()
            except ValueError:
                data = {}
            return str(data.get("message_id", "")) if isinstance(data, dict) else ""
        raise SmsGatewayError(
            f"HTTP {response.status_code}: {response.text[:200]}", permanent=response.status_code in _PERMANENT_STATUS
        )

    def close(self) -> None:
        self._http.close()


_clients: dict[tuple, SmsGatewayClient] = {}
_lock = threading.Lock()


def sms_client_for(base_url: str, *, timeout: float, token: str = "") -> SmsGatewayClient:
    """One client (and connection pool) per configuration, shared by the worker's threads."""
    key = (base_url, timeout, token)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = SmsGatewayClient(base_url, timeout=timeout, token=token)
        return client
