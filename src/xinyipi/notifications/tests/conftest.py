"""Fixtures of the notification tests: fast retry settings and a helper to write outbox rows."""

import pytest
from django.db import transaction

from xinyipi.notifications.services import notify


@pytest.fixture
def outbox_settings(settings):
    """Small, predictable delivery settings: 3 attempts, backoff 10 s × 2, lease 60 s."""
    settings.NOTIFICATIONS = {
        **settings.NOTIFICATIONS,
        "SMS_GATEWAY_URL": "",
        "MAX_ATTEMPTS": 3,
        "BACKOFF_SECONDS": 10.0,
        "BACKOFF_FACTOR": 2.0,
        "BACKOFF_MAX_SECONDS": 3600.0,
        "LEASE_SECONDS": 60.0,
        "BATCH": 50,
        "SMS_TIMEOUT_SECONDS": 2.0,
    }
    return settings


@pytest.fixture
def queue_message():
    """``queue_message(**notify_kwargs)`` — one committed outbox row, written as a service would."""

    def make(**kwargs):
        defaults = {"kind": "reminder", "title": "催告通知", "body": "请于三个工作日内补齐材料。"}
        with transaction.atomic():
            return notify(**{**defaults, **kwargs})

    return make


@pytest.fixture
def manage_env():
    """Environment for a ``manage.py`` subprocess working on this test's database (committed data only)."""
    import os
    import sys
    from pathlib import Path

    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    root = Path(__file__).resolve().parents[4]
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "xinyipi.conf.test", "PYTHONUNBUFFERED": "1"}
    return {"env": env, "argv": [sys.executable, str(root / "manage.py")], "cwd": str(root)}


@pytest.fixture
def sms_gateway(outbox_settings):
    """The repository's registry server, serving its SMS gateway on a free port of 127.0.0.1.

    Its "slow" mode waits 1.5 s before answering. ``gateway_url(mode)`` gives a base URL that forces a mode
    (``slow``, ``fail``) for the requests made through it; the channel is configured with the normal one.
    """
    from xinyipi.credit.registry.server import registry_in_thread

    with registry_in_thread(port=0, slow_seconds=1.5) as server:
        outbox_settings.NOTIFICATIONS = {**outbox_settings.NOTIFICATIONS, "SMS_GATEWAY_URL": server.base_url}
        yield server


def gateway_messages(server) -> list[dict]:
    """What the gateway says it received (``GET /sms/messages``): one entry per distinct message id."""
    import httpx

    return httpx.get(f"{server.base_url}/sms/messages", timeout=5).json()["items"]


def gateway_send_requests(server) -> int:
    """How many ``POST /sms/send`` requests reached the gateway (duplicates included)."""
    with server.state.lock:
        return sum(1 for r in server.state.requests if r["method"] == "POST" and r["path"] == "/sms/send")
