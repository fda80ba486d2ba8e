"""``/healthz`` and ``/readyz`` (DESIGN §6.1: healthz answers 200 while the database answers)."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from xinyipi.notifications.models import WorkerHeartbeat
from xinyipi.notifications.services import notify


def _beat(seconds_ago: float) -> None:
    at = timezone.now() - dt.timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(
        worker_id="w1", host="web-1", pid=4242, started_at=at, beat_at=at, expires_at=at + dt.timedelta(seconds=15)
    )


def test_healthz_answers_200_while_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not(client, db, monkeypatch):
    monkeypatch.setattr("xinyipi.ops.views.database_answers", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_readyz_ready_with_a_fresh_heartbeat_and_nothing_waiting(client, db):
    _beat(seconds_ago=1)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["migrations"] == {"ok": True, "pending": []}
    assert body["checks"]["worker"]["ok"] is True


def test_readyz_not_ready_without_any_worker(client, db):
    body = client.get("/readyz").json()
    assert body["status"] == "not_ready"
    assert body["checks"]["worker"] == {"ok": False, "heartbeat_age_seconds": None, "limit_seconds": 30.0}


def test_readyz_not_ready_when_the_heartbeat_is_stale(client, db):
    _beat(seconds_ago=120)
    response = client.get("/readyz")
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is False and worker["heartbeat_age_seconds"] >= 119


def test_readyz_not_ready_when_the_oldest_outbox_message_is_too_old(client, db, settings):
    _beat(seconds_ago=1)
    with transaction.atomic():
        row = notify(channel="sms", recipient="13800138000", kind="test", title="测试", body="测试短信")
    type(row).objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    response = client.get("/readyz")
    assert response.status_code == 503
    outbox = response.json()["checks"]["outbox"]
    assert outbox["ok"] is False and outbox["oldest_age_seconds"] >= 3599


@pytest.mark.django_db
def test_readyz_ignores_the_sharing_lag_while_no_credit_platform_is_configured(client, settings):
    settings.CREDIT_PLATFORM = {**settings.CREDIT_PLATFORM, "URL": ""}
    _beat(seconds_ago=1)
    sharing = client.get("/readyz").json()["checks"]["record_sharing"]
    assert sharing["ok"] is True and sharing["configured"] is False
