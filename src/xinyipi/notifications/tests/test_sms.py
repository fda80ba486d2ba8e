"""SMS through the real SMS gateway of the repository's registry server, started on a free local port.

Nothing is patched: the channel speaks HTTP to the server, which de-duplicates on the message id.
"""

import datetime as dt
import signal
import subprocess
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from xinyipi.notifications.channels.registry import registry
from xinyipi.notifications.delivery import _claim, _start, outbox_deliver_due
from xinyipi.notifications.models import Notification
from xinyipi.notifications.tests.conftest import gateway_messages, gateway_send_requests

S = Notification.Status


def _use(settings, url: str) -> None:
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "SMS_GATEWAY_URL": url}


@pytest.mark.django_db
def test_sms_is_delivered_through_the_gateway_with_the_message_id(sms_gateway, queue_message):
    row = queue_message(channel="sms", recipient="13912345678", kind="reminder", title="催告通知", body="请补齐材料。")
    result = outbox_deliver_due()
    assert (result.claimed, result.sent) == (1, 1)
    (received,) = gateway_messages(sms_gateway)
    assert received["id"] == str(row.message_id)
    assert received["to"] == "13912345678"
    assert received["text"] == "【信易批】催告通知：请补齐材料。"
    row.refresh_from_db()
    assert row.status == S.SENT
    assert row.provider_message_id == received["message_id"]


@pytest.mark.django_db
def test_unconfigured_gateway_leaves_sms_waiting_in_the_outbox(outbox_settings, queue_message):
    row = queue_message(channel="sms", recipient="13912345678")
    assert not registry["sms"].is_configured()
    assert outbox_deliver_due().claimed == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.PENDING, 0)


@pytest.mark.django_db
def test_failing_gateway_is_retried_with_backoff_then_dead_lettered(sms_gateway, queue_message, outbox_settings):
    _use(outbox_settings, f"{sms_gateway.base_url}/_mode/fail")
    row = queue_message(channel="sms", recipient="13912345678")
    t0 = timezone.now()
    assert outbox_deliver_due(now=t0).failed == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == (S.FAILED, 1, t0 + dt.timedelta(seconds=10))
    assert "HTTP 503" in row.last_error
    assert outbox_deliver_due(now=t0 + dt.timedelta(seconds=5)).claimed == 0
    assert outbox_deliver_due(now=t0 + dt.timedelta(seconds=10)).failed == 1
    row.refresh_from_db()
    assert row.next_attempt_at == t0 + dt.timedelta(seconds=30)  # 10 s, then 20 s
    assert outbox_deliver_due(now=t0 + dt.timedelta(seconds=30)).dead == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.DEAD, 3)
    assert gateway_send_requests(sms_gateway) == 3
    assert gateway_messages(sms_gateway) == []


@pytest.mark.django_db
def test_slow_gateway_times_out_and_the_timeout_counts_as_a_failed_attempt(sms_gateway, queue_message, outbox_settings):
    outbox_settings.NOTIFICATIONS = {
        **outbox_settings.NOTIFICATIONS,
        "SMS_GATEWAY_URL": f"{sms_gateway.base_url}/_mode/slow",
        "SMS_TIMEOUT_SECONDS": 0.3,
    }
    row = queue_message(channel="sms", recipient="13912345678")
    started = time.monotonic()
    result = outbox_deliver_due()
    assert time.monotonic() - started < 1.4  # the worker did not wait for the 1.5 s answer
    assert result.failed == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.FAILED, 1)
    assert "timeout after 0.3s" in row.last_error

    # The gateway did take the message after all; the retry carries the same id and is dropped by it.
    time.sleep(1.5)
    _use(outbox_settings, sms_gateway.base_url)
    assert outbox_deliver_due(now=timezone.now() + dt.timedelta(seconds=10)).sent == 1
    assert len(gateway_messages(sms_gateway)) == 1
    assert gateway_send_requests(sms_gateway) == 2


@pytest.mark.django_db
def test_a_misconfigured_gateway_url_is_retried_not_dead_lettered(sms_gateway, queue_message, outbox_settings):
    _use(outbox_settings, f"{sms_gateway.base_url}/no-such-prefix")
    row = queue_message(channel="sms", recipient="13912345678")
    assert outbox_deliver_due().failed == 1
    row.refresh_from_db()
    assert row.status == S.FAILED
    assert "HTTP 404" in row.last_error


@pytest.mark.django_db
def test_a_request_the_gateway_refuses_as_malformed_is_dead_at_once(sms_gateway, queue_message, outbox_settings):
    _use(outbox_settings, f"{sms_gateway.base_url}/_mode/malformed")  # the gateway answers 400
    row = queue_message(channel="sms", recipient="13912345678")
    assert outbox_deliver_due().dead == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.DEAD, 1)
    assert "HTTP 400" in row.last_error


@pytest.mark.django_db
def test_worker_abandoning_a_sent_message_is_redelivered_after_the_lease_and_the_gateway_drops_the_duplicate(
    sms_gateway, queue_message
):
    row = queue_message(channel="sms", recipient="13912345678")
    t0 = timezone.now()
    # Worker A claims the row, starts the attempt and hands the message to the gateway — then dies before
    # recording the outcome (nothing after ``deliver`` runs).
    token = _claim(now=t0, limit=10, worker="A", channels=["sms"])
    row = Notification.objects.get(lease_token=token)
    assert _start(row, token, t0)
    registry["sms"].deliver(row)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.SENDING, 1)

    assert outbox_deliver_due(now=t0 + dt.timedelta(seconds=30), worker="B").claimed == 0  # lease still held
    result = outbox_deliver_due(now=t0 + dt.timedelta(seconds=61), worker="B")
    assert result.sent == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.SENT, 2)
    assert gateway_send_requests(sms_gateway) == 2  # delivered twice to the gateway…
    (received,) = gateway_messages(sms_gateway)  # …received once
    assert received["id"] == str(row.message_id)
    assert row.provider_message_id == received["message_id"]


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(sms_gateway, queue_message, manage_env):
    row = queue_message(channel="sms", recipient="13912345678", title="准予许可", body="已批准。")
    env = {
        **manage_env["env"],
        # The gateway takes 1.5 s to answer: the worker is killed while it waits.
        "XINYIPI_SMS_GATEWAY_URL": f"{sms_gateway.base_url}/_mode/slow",
        "XINYIPI_SMS_TIMEOUT_SECONDS": "10",
        "XINYIPI_OUTBOX_LEASE_SECONDS": "60",
    }
    process = subprocess.Popen(
        [*manage_env["argv"], "deliver_notifications", "--once"],
        env=env,
        cwd=manage_env["cwd"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while gateway_send_requests(sms_gateway) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gateway_send_requests(sms_gateway) == 1
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    while not gateway_messages(sms_gateway) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(gateway_messages(sms_gateway)) == 1  # the gateway got it; the worker never learnt so

    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.SENDING, 1)  # not lost: held under an expiring lease
    result = outbox_deliver_due(now=timezone.now() + dt.timedelta(seconds=61))
    assert result.sent == 1
    row.refresh_from_db()
    assert row.status == S.SENT
    (received,) = gateway_messages(sms_gateway)
    assert row.provider_message_id == received["message_id"]
    assert gateway_send_requests(sms_gateway) == 2


def _drain(worker: str, errors: list, barrier: threading.Barrier) -> None:
    try:
        barrier.wait()
        while outbox_deliver_due(limit=4, worker=worker).claimed:
            pass
    except Exception as exc:
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_three_workers_draining_at_once_send_each_sms_exactly_once(sms_gateway, queue_message):
    rows = [queue_message(channel="sms", recipient=f"139{n:08d}") for n in range(30)]
    errors = []
    barrier = threading.Barrier(3)
    threads = [threading.Thread(target=_drain, args=(f"w{i}", errors, barrier)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert set(Notification.objects.values_list("status", flat=True)) == {S.SENT}
    assert gateway_send_requests(sms_gateway) == 30  # not even a duplicate request
    assert sorted(m["id"] for m in gateway_messages(sms_gateway)) == sorted(str(r.message_id) for r in rows)
