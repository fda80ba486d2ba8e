"""Delivery by the worker: leases, retries with backoff, dead letters, resend — over e-mail and in-app.

The SMS gateway cases (de-duplication by message id across a crash) are in ``test_sms.py``.
"""

import datetime as dt
import socket
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from xinyipi.audit.models import AuditEntry
from xinyipi.core.errors import InvalidTransition
from xinyipi.notifications.delivery import _claim, backoff_delay, outbox_deliver_due
from xinyipi.notifications.models import Notification
from xinyipi.notifications.services import notification_resend

S = Notification.Status


def _closed_port() -> int:
    """A local port nobody listens on: connecting is refused at once (a real network failure)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_down(outbox_settings):
    outbox_settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    outbox_settings.EMAIL_HOST = "127.0.0.1"
    outbox_settings.EMAIL_PORT = _closed_port()
    outbox_settings.EMAIL_TIMEOUT = 2
    return outbox_settings


@pytest.mark.django_db
def test_email_is_sent_with_the_message_id_as_message_id_header(outbox_settings, queue_message):
    row = queue_message(
        channel="email", recipient="Agent@Example.CN", kind="decision", title="准予许可决定", body="您的申请已批准。"
    )
    result = outbox_deliver_due()
    assert (result.claimed, result.sent) == (1, 1)
    (sent,) = mail.outbox
    assert sent.to == ["Agent@example.cn"]
    assert sent.subject == "准予许可决定"
    assert sent.message()["Message-ID"] == f"<{row.message_id}@localhost>"
    row.refresh_from_db()
    assert row.status == S.SENT
    assert row.sent_at is not None
    assert (row.attempts, row.lease_token) == (1, None)


@pytest.mark.django_db
def test_nothing_is_delivered_twice_once_sent(outbox_settings, queue_message):
    queue_message(channel="email", recipient="a@example.cn")
    outbox_deliver_due()
    later = timezone.now() + dt.timedelta(days=30)
    assert outbox_deliver_due(now=later).claimed == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_unconfigured_email_waits_in_the_outbox(outbox_settings, queue_message):
    outbox_settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    outbox_settings.EMAIL_HOST = ""
    row = queue_message(channel="email", recipient="a@example.cn")
    assert outbox_deliver_due().claimed == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.PENDING, 0)


def test_backoff_grows_by_the_factor_up_to_the_cap(settings):
    settings.NOTIFICATIONS = {
        **settings.NOTIFICATIONS,
        "BACKOFF_SECONDS": 30.0,
        "BACKOFF_FACTOR": 2.0,
        "BACKOFF_MAX_SECONDS": 600.0,
    }
    assert [backoff_delay(n).total_seconds() for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]


@pytest.mark.django_db
def test_failing_provider_is_retried_with_backoff_then_dead_lettered(smtp_down, queue_message):
    row = queue_message(channel="email", recipient="a@example.cn")
    t0 = timezone.now()

    assert outbox_deliver_due(now=t0).failed == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == (S.FAILED, 1, t0 + dt.timedelta(seconds=10))
    assert "ConnectionRefusedError" in row.last_error

    assert outbox_deliver_due(now=t0 + dt.timedelta(seconds=9)).claimed == 0  # not due before its backoff
    assert outbox_deliver_due(now=t0 + dt.timedelta(seconds=10)).failed == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == (S.FAILED, 2, t0 + dt.timedelta(seconds=30))

    assert outbox_deliver_due(now=t0 + dt.timedelta(seconds=30)).dead == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.total_attempts) == (S.DEAD, 3, 3)
    assert outbox_deliver_due(now=t0 + dt.timedelta(days=1)).claimed == 0
    assert AuditEntry.objects.filter(action="notifications.notification.dead", object_id=str(row.pk)).count() == 1


@pytest.mark.django_db
def test_resend_gives_a_new_budget_under_the_same_message_id_and_is_audited(smtp_down, queue_message, bureau_admin):
    row = queue_message(channel="email", recipient="a@example.cn")
    t0 = timezone.now()
    for seconds in (0, 10, 30):
        outbox_deliver_due(now=t0 + dt.timedelta(seconds=seconds))
    row.refresh_from_db()
    assert row.status == S.DEAD
    message_id = row.message_id

    notification_resend(actor=bureau_admin, notification=row)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.total_attempts, row.resend_count) == (S.PENDING, 0, 3, 1)
    entry = AuditEntry.objects.get(action="notifications.notification.resend", object_id=str(row.pk))
    assert entry.actor == bureau_admin
    assert (entry.before["status"], entry.after["status"]) == ("dead", "pending")

    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_deliver_due().sent == 1
    row.refresh_from_db()
    assert (row.status, row.message_id) == (S.SENT, message_id)
    assert mail.outbox[0].message()["Message-ID"] == f"<{message_id}@localhost>"


@pytest.mark.django_db
def test_resend_of_a_sent_or_waiting_message_is_refused(outbox_settings, queue_message, bureau_admin):
    row = queue_message(channel="email", recipient="a@example.cn")
    with pytest.raises(InvalidTransition) as caught:
        notification_resend(actor=bureau_admin, notification=row)
    assert caught.value.code == "notification_not_resendable"
    outbox_deliver_due()
    row.refresh_from_db()
    with pytest.raises(InvalidTransition):
        notification_resend(actor=bureau_admin, notification=row)
    assert not AuditEntry.objects.filter(action="notifications.notification.resend").exists()


@pytest.mark.django_db
def test_an_abandoned_claim_is_taken_over_only_after_its_lease_expires(outbox_settings, queue_message):
    row = queue_message(channel="email", recipient="a@example.cn")
    t0 = timezone.now()
    _claim(now=t0, limit=10, worker="worker-that-dies", channels=["email"])  # claimed, then never delivered
    row.refresh_from_db()
    assert (row.status, row.lease_owner) == (S.SENDING, "worker-that-dies")

    assert outbox_deliver_due(now=t0 + dt.timedelta(seconds=59), worker="other").claimed == 0
    result = outbox_deliver_due(now=t0 + dt.timedelta(seconds=60), worker="other")
    assert (result.claimed, result.sent) == (1, 1)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_message_whose_last_attempt_was_lost_is_dead_lettered_not_retried_forever(outbox_settings, queue_message):
    row = queue_message(channel="email", recipient="a@example.cn")
    t0 = timezone.now()
    # Three attempts began and their worker vanished each time (e.g. the message crashes it).
    Notification.objects.filter(pk=row.pk).update(attempts=3, total_attempts=3)
    _claim(now=t0, limit=10, worker="dies", channels=["email"])
    assert outbox_deliver_due(now=t0 + dt.timedelta(minutes=5)).dead == 1
    row.refresh_from_db()
    assert row.status == S.DEAD
    assert "worker lost" in row.last_error
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_stopping_worker_gives_back_what_it_did_not_start(outbox_settings, queue_message):
    for n in range(3):
        queue_message(channel="email", recipient=f"a{n}@example.cn")
    calls = []
    result = outbox_deliver_due(should_stop=lambda: calls.append(1) or len(calls) > 1)
    assert (result.claimed, result.sent) == (3, 1)
    assert sorted(Notification.objects.values_list("status", flat=True)) == [S.PENDING, S.PENDING, S.SENT]
    assert not Notification.objects.filter(lease_token__isnull=False).exists()
    assert outbox_deliver_due().sent == 2


def _drain_in_thread(worker: str, results: list, errors: list, barrier: threading.Barrier) -> None:
    try:
        barrier.wait()
        while True:
            batch = outbox_deliver_due(limit=5, worker=worker)
            results.append(batch)
            if batch.claimed == 0:
                break
    except Exception as exc:  # surfaced by the test
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_at_once_send_each_message_exactly_once(outbox_settings, queue_message):
    rows = [queue_message(channel="email", recipient=f"p{n}@example.cn") for n in range(40)]
    results, errors = [], []
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=_drain_in_thread, args=(f"w{i}", results, errors, barrier)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    ids = [m.message()["Message-ID"] for m in mail.outbox]
    assert len(ids) == 40
    assert len(set(ids)) == 40
    assert set(Notification.objects.values_list("status", flat=True)) == {S.SENT}
    assert sum(r.sent for r in results) == 40
    assert {f"<{r.message_id}@localhost>" for r in rows} == set(ids)
