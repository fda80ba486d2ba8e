"""The adapter of the unified identity platform (统一身份认证平台), R9a: does a person registering for themself
name a real person — this name with this ID number — as the platform has verified them?

``POST {url}/verify`` with ``{"name", "id_number"}`` → ``{"result": "match" | "no_match"}``. The number
travels in the body, not the URL, so that it lands in no access log. Off when ``IDENTITY_PLATFORM["url"]`` is
empty. Like the credit interfaces (``credit/sources/http.py``): a timeout per request, a retry with backoff,
and an explicit answer when the platform cannot be reached — ``unavailable``, which verifies nobody.
"""

import time
from dataclasses import dataclass

import httpx
from django.conf import settings

MATCH = "match"
NO_MATCH = "no_match"
UNAVAILABLE = "unavailable"
NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class IdentityAnswer:
    result: str  # match, no_match, unavailable, not_configured
    detail: str = ""

    @property
    def matched(self) -> bool:
        return self.result == MATCH


def identity_platform_configured() -> bool:
    return bool((settings.IDENTITY_PLATFORM.get("url") or "").strip())


def identity_verify(*, name: str, id_number: str) -> IdentityAnswer:
    """Ask the platform whether ``name`` and ``id_number`` belong together; never raises for the platform's
    failures (they are an ``unavailable`` answer, with what went wrong in ``detail`` for the log)."""
    config = settings.IDENTITY_PLATFORM
    url = (config.get("url") or "").strip().rstrip("/")
    if not url:
        return IdentityAnswer(NOT_CONFIGURED)
    headers = {"Accept": "application/json", "User-Agent": "xinyipi-identity/1"}
    if config.get("token"):
        headers["Authorization"] = f"Bearer {config['token']}"
    timeout = float(config.get("timeout") or 3)
    retries = int(config.get("retries") or 0)
    backoff = float(config.get("backoff") or 0)
    detail = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * (2 ** (attempt - 1)))
        try:
            response = httpx.post(
                f"{url}/verify", json={"name": name, "id_number": id_number}, headers=headers, timeout=timeout
            )
        except httpx.TimeoutException as exc:
            detail = f"no answer within {timeout:g} s ({type(exc).__name__})"
            continue
        except httpx.HTTPError as exc:
            detail = f"{type(exc).__name__}: {exc}"[:200]
            continue
        if not 200 <= response.status_code < 300:
            detail = f"HTTP {response.status_code}"
            if 400 <= response.status_code < 500 and response.status_code not in {408, 429}:
                break  # the request itself is wrong: repeating it cannot help
            continue
        try:
            result = response.json().get("result")
        except (ValueError, AttributeError):
            result = None
        if result in (MATCH, NO_MATCH):
            return IdentityAnswer(result)
        detail = "answer has no result of match or no_match"
        break
    return IdentityAnswer(UNAVAILABLE, detail)
