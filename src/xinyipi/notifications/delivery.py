"""The worker's side of the outbox: claim due rows under a lease, deliver, record the outcome.

Guarantees (DESIGN §7 Reliability):

- **Sent only by the lease holder.** A worker claims rows with one conditional UPDATE (``status`` open and
  due → ``sending`` with its lease token); of several workers exactly one gets each row, on SQLite (the
  write lock serialises the UPDATEs) and on PostgreSQL (the row lock makes the loser re-check the
  condition and skip; ``SKIP LOCKED`` spares it the wait). Right before each delivery the holder renews
  its lease with another conditional UPDATE and skips the row if it lost it.
- **Never lost.** A committed row is open until it is ``sent`` or ``dead``. A worker that dies leaves
  ``sending`` rows whose lease expires; another worker claims them again. A ``run_worker`` found dead by
  its heartbeat has them given back at once (``outbox_leases_release``, from ``heartbeat``).
- **Never delivered twice.** A redelivery (after such a crash, or a resend) carries the same
  ``message_id``, the idempotency key the SMS gateway de-duplicates on (and the e-mail ``Message-ID``).

Every state change here is one short autocommitted statement (or transaction), never held open across
the network call. Times are the wall clock (``timezone.now()``), not ``clock.now()``: delivery happens
now, whatever moment a sweep acted as if at.
"""

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from xinyipi.audit.services import audit_record
from xinyipi.notifications.channels.base import DeliveryError
from xinyipi.notifications.channels.registry import registry
from xinyipi.notifications.models import Notification

logger = logging.getLogger(__name__)

S = Notification.Status


@dataclass
class DrainResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    lost: int = 0  # rows whose lease passed to another worker before this one delivered them

    def add(self, other: "DrainResult") -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict:
        return asdict(self)


def worker_id_default() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


def backoff_delay(attempt: int) -> dt.timedelta:
    """Wait after the ``attempt``-th failed attempt: base × factor^(attempt−1), capped."""
    config = settings.NOTIFICATIONS
    seconds = config["BACKOFF_SECONDS"] * config["BACKOFF_FACTOR"] ** max(attempt - 1, 0)
    return dt.timedelta(seconds=min(seconds, config["BACKOFF_MAX_SECONDS"]))


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.NOTIFICATIONS["LEASE_SECONDS"])


def _due(now: dt.datetime, channels: list[str]) -> Q:
    # ``sending`` rows are due once their lease expired: ``next_attempt_at`` holds the lease end then.
    return Q(status__in=Notification.OPEN_STATUSES, next_attempt_at__lte=now, channel__in=channels)


def _claim(*, now: dt.datetime, limit: int, worker: str, channels: list[str]) -> uuid.UUID:
    token = uuid.uuid4()
    until = now + _lease()
    with transaction.atomic():
        candidates = Notification.objects.filter(_due(now, channels)).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if ids:
            # The condition is evaluated again by the UPDATE itself: a row another worker claimed meanwhile
            # no longer matches and is not taken.
            Notification.objects.filter(_due(now, channels), pk__in=ids).update(
                status=S.SENDING,
                lease_owner=worker,
                lease_token=token,
                lease_expires_at=until,
                next_attempt_at=until,
                updated_at=now,
            )
    return token


def _given_back(now: dt.datetime) -> dict:
    """The UPDATE that ends a lease early: the row is due again at once, under its same message id."""
    return {
        "status": Case(When(attempts=0, then=Value(S.PENDING)), default=Value(S.FAILED)),
        "lease_owner": "",
        "lease_token": None,
        "lease_expires_at": None,
        "next_attempt_at": now,
        "updated_at": now,
    }


def _release(token: uuid.UUID, ids: list[int], now: dt.datetime) -> None:
    """Give back claimed rows this worker did not start (it is stopping): due again at once."""
    if not ids:
        return
    Notification.objects.filter(pk__in=ids, lease_token=token, status=S.SENDING).update(**_given_back(now))


def outbox_leases_release(*, owner: str, now: dt.datetime | None = None) -> int:
    """Give back every row the worker ``owner`` holds, because it died (``heartbeat.workers_reap``).

    A message it had in hand may have reached the provider already; the next delivery carries the same
    ``message_id``, which the provider drops as a duplicate. Returns how many rows came back.
    """
    if not owner:
        return 0
    return Notification.objects.filter(lease_owner=owner, status=S.SENDING).update(**_given_back(now or timezone.now()))


def _start(row: Notification, token: uuid.UUID, now: dt.datetime) -> bool:
    """Count the attempt and renew the lease, if this worker still holds it. False: someone else has it."""
    until = now + _lease()
    return bool(
        Notification.objects.filter(pk=row.pk, lease_token=token, status=S.SENDING).update(
            attempts=F("attempts") + 1,
            total_attempts=F("total_attempts") + 1,
            lease_expires_at=until,
            next_attempt_at=until,
            updated_at=now,
        )
    )


def _mark_sent(row: Notification, token: uuid.UUID, now: dt.datetime, provider_message_id: str) -> bool:
    return bool(
        Notification.objects.filter(pk=row.pk, lease_token=token, status=S.SENDING).update(
            status=S.SENT,
            sent_at=now,
            provider_message_id=provider_message_id[:200],
            last_error="",
            lease_owner="",
            lease_token=None,
            lease_expires_at=None,
            updated_at=now,
        )
    )


def _mark_failed(row: Notification, token: uuid.UUID, now: dt.datetime, error: str, *, permanent: bool) -> str:
    """Record a failed attempt: ``failed`` with the next attempt scheduled, or ``dead`` when out of budget."""
    attempts = row.attempts  # already counts this attempt
    give_up = permanent or attempts >= settings.NOTIFICATIONS["MAX_ATTEMPTS"]
    common = {
        "last_error": error[:2000],
        "lease_owner": "",
        "lease_token": None,
        "lease_expires_at": None,
        "updated_at": now,
    }
    held = Notification.objects.filter(pk=row.pk, lease_token=token, status=S.SENDING)
    if not give_up:
        won = held.update(status=S.FAILED, next_attempt_at=now + backoff_delay(attempts), **common)
        return S.FAILED if won else ""
    with transaction.atomic():
        won = held.update(status=S.DEAD, **common)
        if won:
            audit_record(
                actor=None,
                action="notifications.notification.dead",
                obj=row,
                after={"status": S.DEAD, "attempts": attempts, "permanent": permanent, "error": error[:500]},
            )
    return S.DEAD if won else ""


def _deliver_one(row: Notification, token: uuid.UUID, now: Callable[[], dt.datetime], result: DrainResult) -> None:
    max_attempts = settings.NOTIFICATIONS["MAX_ATTEMPTS"]
    if row.attempts >= max_attempts:
        # The budget was spent by an attempt whose worker died before recording it: give up rather than
        # loop on a message that may be what kills the worker. An administrator can resend it.
        outcome = _mark_failed(row, token, now(), "worker lost during the last attempt", permanent=True)
        result.dead += outcome == S.DEAD
        result.lost += not outcome
        return
    if not _start(row, token, now()):
        result.lost += 1
        return
    row.attempts += 1
    plugin = registry[row.channel]
    try:
        delivery = plugin.deliver(row)
    except DeliveryError as exc:
        outcome = _mark_failed(row, token, now(), str(exc), permanent=exc.permanent)
    except Exception as exc:
        logger.exception("delivery of notification %s failed unexpectedly", row.pk)
        outcome = _mark_failed(row, token, now(), f"{type(exc).__name__}: {exc}", permanent=False)
    else:
        if _mark_sent(row, token, now(), delivery.provider_message_id):
            result.sent += 1
        else:
            # The lease passed to another worker while this one was sending: that worker sends again under the
            # same message id, which the provider drops as a duplicate.
            logger.warning("notification %s delivered after its lease expired", row.pk)
            result.lost += 1
        return
    if outcome == S.DEAD:
        result.dead += 1
    elif outcome == S.FAILED:
        result.failed += 1
    else:
        result.lost += 1


def outbox_deliver_due(
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    worker: str | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DrainResult:
    """Claim up to ``limit`` due messages of configured channels, deliver each, record each outcome.

    ``now`` fixes the time (tests); by default the wall clock is read at each step. Rows of a channel that
    is not configured (no SMS gateway URL) are left pending. ``should_stop`` is asked before each message;
    rows claimed but not started when it says yes are given back at once.
    """
    clock_now = (lambda: now) if now is not None else timezone.now
    limit = limit or settings.NOTIFICATIONS["BATCH"]
    worker = worker or worker_id_default()
    result = DrainResult()
    channels = registry.configured_codes()
    if not channels:
        return result
    token = _claim(now=clock_now(), limit=limit, worker=worker, channels=channels)
    rows = list(Notification.objects.filter(lease_token=token).order_by("next_attempt_at", "id"))
    result.claimed = len(rows)
    done = 0
    try:
        for row in rows:
            if should_stop is not None and should_stop():
                break
            _deliver_one(row, token, clock_now, result)
            done += 1
    finally:
        _release(token, [row.pk for row in rows[done:]], clock_now())
    return result


def outbox_drain(
    *,
    budget_seconds: float = 60.0,
    worker: str | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DrainResult:
    """Deliver batches until nothing is due, the time budget is spent, or ``should_stop`` says so."""
    total = DrainResult()
    deadline = time.monotonic() + budget_seconds
    limit = settings.NOTIFICATIONS["BATCH"]
    while True:
        batch = outbox_deliver_due(limit=limit, worker=worker, should_stop=should_stop)
        total.add(batch)
        if batch.claimed < limit or time.monotonic() >= deadline or (should_stop and should_stop()):
            return total
