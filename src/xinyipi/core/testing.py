"""Helpers for tests and demo data: valid identifiers and an authenticated JSON API client."""

import json
import secrets

from django.test import Client

from xinyipi.subjects.validators import USCC_ALPHABET, uscc_check_char


def uscc_for(prefix8: str, body9: str) -> str:
    """A USCC with a correct check character from 8 leading characters and a 9-character body."""
    base = (prefix8 + body9).upper()
    if len(base) != 17 or any(c not in USCC_ALPHABET for c in base):
        raise ValueError(f"cannot build a USCC from {base!r}")
    return base + uscc_check_char(base)


def ric_for(body17: str) -> str:
    """A 居民身份证号码 with the correct ISO 7064 MOD 11-2 check character."""
    from stdnum.cn import ric

    return body17 + ric.calc_check_digit(body17 + "0")


class ApiClient:
    """JSON calls to the API as a user holding a bearer token (or anonymously)."""

    def __init__(self, user=None, client: Client | None = None, language: str | None = None):
        self.client = client or Client()
        self.headers = {}
        if language:
            self.headers["HTTP_ACCEPT_LANGUAGE"] = language
        if user is not None:
            from xinyipi.accounts.models import ApiToken
            from xinyipi.core import clock
            from xinyipi.core.crypto import sm3_hex

            raw = f"test-token-{user.pk}-{secrets.token_hex(8)}"
            ApiToken.objects.create(
                user=user,
                key_hash=sm3_hex(raw),
                created_at=clock.now(),
                expires_at=clock.now().replace(year=clock.now().year + 1),
            )
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"

    def get(self, path: str, data=None):
        return self.client.get(path, data or {}, **self.headers)

    def post(self, path: str, payload=None):
        return self.client.post(path, json.dumps(payload or {}), content_type="application/json", **self.headers)

    def patch(self, path: str, payload=None):
        return self.client.patch(path, json.dumps(payload or {}), content_type="application/json", **self.headers)

    def put(self, path: str, payload=None):
        return self.client.put(path, json.dumps(payload or {}), content_type="application/json", **self.headers)

    def delete(self, path: str):
        return self.client.delete(path, **self.headers)
