"""Sharing the credit record with the upstream credit platform (R8): batches, retries, at-least-once.

Why an outbox row per event rather than a cursor over event ids
    A sender that remembers "sent up to id N" and reads ``id > N`` loses events on PostgreSQL: ids are
    handed out when a row is inserted, not when its transaction commits, so an event with id 10 can commit
    after id 11 was read and the cursor moved past it. (On SQLite the single writer hides this; the design
    must hold on both.) Instead ``record_append`` writes a ``RecordShare`` row in the very transaction that
    writes the event: an event exists exactly when its row does, whatever the commit order, and the row is
    deleted only in the transaction that records the platform's acknowledgement. Nothing committed is left
    unshared; the cost is one small insert per event.

How a pass works (``records_share_pass``)
    1. A batch that failed and whose backoff has passed, or that a worker left ``sending`` past its lease
       (a crash), is claimed again — with the same events, under the same ``batch_id``.
    2. While a failed batch is still waiting for its next attempt, no new batch is made: the platform is
       taken for down, and an outage leaves one retrying batch rather than one per pass.
    3. Otherwise up to ``XINYIPI_SHARE_BATCH`` rows not yet in a batch are put in a new one.
    A claim is one conditional UPDATE (the status or "not yet in a batch" is checked again by the UPDATE
    itself), so of several workers exactly one holds a batch, on SQLite and PostgreSQL. The claim counts the
    attempt before the request goes out, so a worker that dies mid-request has still spent it.

Guarantees
    - **At least once.** A batch leaves the queue only when the platform answered 2xx; a failure, a timeout
      or a crash leaves it to be sent again (after backoff, or when its lease ends, or at once when the dead
      worker is found by its heartbeat: ``record_share_leases_release``).
    - **Exactly once at the receiver.** Every event carries its stable ``id``, the platform's idempotency
      key, so a batch sent twice (a timeout after the platform stored it, a crash before the acknowledgement
      was recorded) is acknowledged again and not counted twice.
    - **Bounded.** Retries wait ``XINYIPI_SHARE_BACKOFF_SECONDS`` × 2^(attempt−1), capped at
      ``XINYIPI_SHARE_BACKOFF_MAX_SECONDS``; after ``XINYIPI_SHARE_MAX_ATTEMPTS`` attempts, or at once when the
      platform refuses the batch itself (400/409/413/422), the batch is set aside (``dead``), shown on the
      console with its last error and audited. Its events stay queued: ``manage.py share_records
      --retry-dead`` sends them again.
    - **Off when not configured.** With ``XINYIPI_CREDIT_PLATFORM_URL`` empty a pass does nothing: events
      wait in the queue (shared once a URL is set), no batch is made and nothing counts as an error.

Times are the wall clock (``timezone.now()``): sharing happens now, whatever moment a sweep acted as if at.
"""

import datetime as dt
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone

from xinyipi.audit.services import audit_record
from xinyipi.core import clock
from xinyipi.records.models import CreditRecordEvent, RecordShare, RecordShareBatch
from xinyipi.records.sharing_client import CreditPlatformError, credit_platform_client

logger = logging.getLogger(__name__)

B = RecordShareBatch.Status
# The fields of one shared event: the export's line (docs/records.md "Fields").
FIELDS = ["id", "subject_code", "subject_name", "type", "type_label", "at", "case_number", "summary", "actor"]


@dataclass
class ShareResult:
    batches: int = 0  # batches sent (new or again)
    shared: int = 0  # events the platform acknowledged
    failed: int = 0  # batches that failed and will be sent again
    dead: int = 0  # batches set aside for an operator
    lost: int = 0  # batches whose lease passed to another worker before the outcome was recorded
    waiting: int = 0  # passes that found a failed batch still backing off

    def add(self, other: "ShareResult") -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict:
        return asdict(self)


def sharing_configured() -> bool:
    return bool(settings.CREDIT_PLATFORM["URL"])


def share_backoff_delay(attempt: int) -> dt.timedelta:
    """Wait after the ``attempt``-th failed attempt: base × factor^(attempt−1), capped."""
    config = settings.CREDIT_PLATFORM
    seconds = config["BACKOFF_SECONDS"] * config["BACKOFF_FACTOR"] ** max(attempt - 1, 0)
    return dt.timedelta(seconds=min(seconds, config["BACKOFF_MAX_SECONDS"]))


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CREDIT_PLATFORM["LEASE_SECONDS"])


def _held(now: dt.datetime, token: uuid.UUID, worker: str) -> dict:
    until = now + _lease()
    # ``next_attempt_at`` holds the lease's end while ``sending``: past it, the batch is due again.
    return {"status": B.SENDING, "lease_owner": worker, "lease_token": token, "next_attempt_at": until}


def _due(now: dt.datetime) -> Q:
    return Q(status__in=[B.FAILED, B.SENDING], next_attempt_at__lte=now)


def _locked(rows):
    if connection.features.has_select_for_update_skip_locked:
        return rows.select_for_update(skip_locked=True)
    return rows


def _claim_due(*, now: dt.datetime, token: uuid.UUID, worker: str) -> RecordShareBatch | None:
    """Take the oldest batch due again (failed and past its backoff, or left ``sending`` past its lease)."""
    with transaction.atomic():
        pk = _locked(RecordShareBatch.objects.filter(_due(now)).order_by("id")).values_list("pk", flat=True).first()
        if pk is None:
            return None
        won = RecordShareBatch.objects.filter(_due(now), pk=pk).update(
            attempts=F("attempts") + 1, **_held(now, token, worker)
        )
    return RecordShareBatch.objects.get(pk=pk) if won else None


def _claim_new(*, now: dt.datetime, token: uuid.UUID, worker: str, limit: int) -> RecordShareBatch | None:
    """Put up to ``limit`` rows not yet in a batch into a new batch held by this worker."""
    with transaction.atomic():
        candidates = _locked(RecordShare.objects.filter(batch__isnull=True).order_by("event_id"))
        ids = list(candidates.values_list("event_id", flat=True)[:limit])
        if not ids:
            return None
        batch = RecordShareBatch.objects.create(attempts=1, created_at=now, **_held(now, token, worker))
        # Checked again by the UPDATE itself: a row another worker batched meanwhile is not taken twice.
        taken = RecordShare.objects.filter(event_id__in=ids, batch__isnull=True).update(batch=batch)
        if not taken:
            batch.delete()
            return None
        span = RecordShare.objects.filter(batch=batch).aggregate(first=Min("event_id"), last=Max("event_id"))
        RecordShareBatch.objects.filter(pk=batch.pk).update(
            event_count=taken, first_event_id=span["first"], last_event_id=span["last"]
        )
    return RecordShareBatch.objects.get(pk=batch.pk)


def shared_events(*, event_ids) -> list[dict]:
    """The events as the platform receives them: the export's line, in id order."""
    labels = {value: str(label) for value, label in CreditRecordEvent.Type.choices}
    rows = (
        CreditRecordEvent.objects.filter(pk__in=event_ids)
        .order_by("id")
        .values_list(
            "id", "subject__code_display", "subject__name", "type", "at", "payload__number", "summary", "actor_label"
        )
    )
    return [
        {
            "id": pk,
            "subject_code": code,
            "subject_name": name,
            "type": kind,
            "type_label": labels.get(kind, kind),
            "at": clock.to_beijing(at).isoformat(),
            "case_number": str(number) if number else None,
            "summary": summary,
            "actor": actor,
        }
        for pk, code, name, kind, at, number, summary, actor in rows
    ]


def _mark_sent(batch: RecordShareBatch, token: uuid.UUID, now: dt.datetime) -> bool:
    with transaction.atomic():
        won = RecordShareBatch.objects.filter(pk=batch.pk, lease_token=token, status=B.SENDING).update(
            status=B.SENT, sent_at=now, lease_owner="", lease_token=None
        )
        if won:
            RecordShare.objects.filter(batch=batch).delete()
    return bool(won)


def _mark_failed(batch: RecordShareBatch, token: uuid.UUID, now: dt.datetime, error: str, *, permanent: bool) -> str:
    """Record a failed attempt: ``failed`` with the next attempt scheduled, or ``dead`` when out of budget."""
    give_up = permanent or batch.attempts >= settings.CREDIT_PLATFORM["MAX_ATTEMPTS"]
    common = {"last_error": error[:2000], "last_error_at": now, "lease_owner": "", "lease_token": None}
    held = RecordShareBatch.objects.filter(pk=batch.pk, lease_token=token, status=B.SENDING)
    if not give_up:
        won = held.update(status=B.FAILED, next_attempt_at=now + share_backoff_delay(batch.attempts), **common)
        return B.FAILED if won else ""
    with transaction.atomic():
        won = held.update(status=B.DEAD, next_attempt_at=now, **common)
        if won:
            audit_record(
                actor=None,
                action="records.share.dead",
                obj=batch,
                after={
                    "batch_id": str(batch.batch_id),
                    "events": batch.event_count,
                    "attempts": batch.attempts,
                    "permanent": permanent,
                    "error": error[:500],
                },
            )
    return B.DEAD if won else ""


def _send(batch: RecordShareBatch, token: uuid.UUID, now: Callable[[], dt.datetime], result: ShareResult) -> None:
    config = settings.CREDIT_PLATFORM
    result.batches += 1
    if batch.attempts > config["MAX_ATTEMPTS"]:
        # The budget was spent by an attempt whose worker died before recording it: set the batch aside rather
        # than loop on one that may be what kills the worker. ``share_records --retry-dead`` sends it again.
        outcome = _mark_failed(batch, token, now(), "worker lost during the last attempt", permanent=True)
        result.dead += outcome == B.DEAD
        result.lost += not outcome
        return
    events = shared_events(event_ids=RecordShare.objects.filter(batch=batch).values("event_id"))
    client = credit_platform_client(config["URL"], timeout=config["TIMEOUT_SECONDS"], token=config["TOKEN"])
    try:
        if events:
            client.send(batch_id=str(batch.batch_id), events=events)
    except CreditPlatformError as exc:
        outcome = _mark_failed(batch, token, now(), str(exc), permanent=exc.permanent)
    except Exception as exc:
        logger.exception("sharing batch %s failed unexpectedly", batch.pk)
        outcome = _mark_failed(batch, token, now(), f"{type(exc).__name__}: {exc}", permanent=False)
    else:
        if _mark_sent(batch, token, now()):
            result.shared += len(events)
        else:
            # Another worker took the batch over (this one outlived its lease): it sends the batch again and
            # the platform acknowledges the events as duplicates.
            logger.warning("sharing batch %s acknowledged after its lease expired", batch.pk)
            result.lost += 1
        return
    if outcome == B.DEAD:
        result.dead += 1
        logger.warning("sharing batch %s set aside after %s attempt(s)", batch.pk, batch.attempts)
    elif outcome == B.FAILED:
        result.failed += 1
    else:
        result.lost += 1


def records_share_pass(*, worker: str | None = None, now: dt.datetime | None = None) -> ShareResult:
    """Send one batch (one due again, else a new one) and record the outcome; nothing when not configured."""
    result = ShareResult()
    if not sharing_configured():
        return result
    clock_now = (lambda: now) if now is not None else timezone.now
    worker = (worker or f"{socket.gethostname()}:{os.getpid()}")[:100]
    token = uuid.uuid4()
    at = clock_now()
    batch = _claim_due(now=at, token=token, worker=worker)
    if batch is None:
        if RecordShareBatch.objects.filter(status=B.FAILED, next_attempt_at__gt=at).exists():
            result.waiting = 1
            return result
        batch = _claim_new(now=at, token=token, worker=worker, limit=max(settings.CREDIT_PLATFORM["BATCH"], 1))
    if batch is None:
        return result
    _send(batch, token, clock_now, result)
    return result


def records_share_drain(
    *, budget_seconds: float = 60.0, worker: str | None = None, should_stop: Callable[[], bool] | None = None
) -> ShareResult:
    """Send batches until nothing is left to send, one fails, the budget is spent or ``should_stop`` says so."""
    total = ShareResult()
    deadline = time.monotonic() + budget_seconds
    while True:
        result = records_share_pass(worker=worker)
        total.add(result)
        if result.batches == 0 or result.failed or result.dead or result.lost:
            return total
        if time.monotonic() >= deadline or (should_stop is not None and should_stop()):
            return total


def record_share_leases_release(*, owner: str, now: dt.datetime | None = None) -> int:
    """Give back the batches the dead worker ``owner`` was sending: due again at once, same events, same id.

    Called when a worker is found dead by its heartbeat (``notifications.heartbeat.worker_reap``). A batch it
    had in flight may have reached the platform already; sending it again is harmless (idempotent ids).
    """
    if not owner:
        return 0
    return RecordShareBatch.objects.filter(lease_owner=owner, status=B.SENDING).update(
        status=B.FAILED, lease_owner="", lease_token=None, next_attempt_at=now or timezone.now()
    )


def record_share_retry_dead(*, actor=None) -> int:
    """Send the set-aside batches again (attempts start over), e.g. once the platform accepts them; audited."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(RecordShareBatch.objects.filter(status=B.DEAD).values_list("pk", flat=True))
        if not ids:
            return 0
        n = RecordShareBatch.objects.filter(pk__in=ids, status=B.DEAD).update(
            status=B.FAILED, attempts=0, next_attempt_at=now
        )
        audit_record(
            actor=actor,
            action="records.share.retry_dead",
            object_type=RecordShareBatch._meta.label_lower,
            object_id=",".join(str(pk) for pk in ids)[:100],
            after={"batches": n},
        )
    return n
