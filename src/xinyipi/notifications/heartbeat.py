"""Worker liveness: every ``run_worker`` process keeps a heartbeat row, and a dead worker's work is freed at once.

What a killed worker leaves behind: the job row of the task it was running, still ``RUNNING`` (the scheduler
does not start that periodic job again while its last run is running), and the outbox rows its drain had
claimed, still ``sending`` under a lease (``XINYIPI_OUTBOX_LEASE_SECONDS``). Waiting for those to go stale
is safe but slow; a heartbeat says sooner, and for certain, that their holder is gone.

- **Beat.** At start a worker writes a ``WorkerHeartbeat`` row under its worker id — the id django-tasks-db
  appends to ``worker_ids`` of each job row it claims, and the lease owner of the outbox rows its drain
  claims — then renews it every ``--heartbeat`` seconds from a thread of its own (``expires_at`` = now +
  three intervals), and deletes it when it stops cleanly. Every time is the database's clock (``Now()``),
  never a host's, so workers on hosts whose clocks disagree judge staleness alike.
- **Dead.** A worker is dead when its row expired (no beat for three intervals: on any host), or when it
  ran in this process's scope — same host name, kernel boot and PID namespace, so its pid names the same
  process here — and that process no longer exists (or is a zombie): known at once, with no wait. That is
  the case of a worker killed and restarted on the same machine or container.
- **Reap.** ``workers_reap`` runs at every worker's start and on every scheduler tick. For each dead
  worker, in one transaction: delete its row, on the condition, checked again by the DELETE, that it is
  still dead (a worker that beat meanwhile is left alone; of several reapers exactly one proceeds); mark
  its ``RUNNING`` job rows ``FAILED`` (``WorkerLost``); give back the outbox rows it held (due at once,
  same ``message_id``) and the credit-record sharing batch it was sending (``records.sharing``: due at
  once, same events); audit it. The next scheduler tick then enqueues the drain as usual. A job row
  whose worker has no heartbeat row (a plain ``db_worker``) still stops blocking only after the job's
  ``stale_after``.

Why a heartbeat rather than short, renewed leases on each job: a renewal must come from inside each running
task or from a thread per task, and every job would need a stale period tuned to its length; one row per
process covers every job and every outbox lease the process holds, costs one UPDATE per interval, and on the
same host detects a death without waiting at all. It works the same on SQLite and PostgreSQL: the reap is
conditional UPDATEs and DELETEs that check their row counts.

Two live drains: a worker is declared dead only once its process is gone or it has been silent for three
intervals. If it was alive after all (stalled longer than that), it learns so at its next beat, finding its
row gone: it registers again, and its running drain stops before its next message (``drain_should_stop``).
The rows it held were already given back, and its own lease token no longer matches them, so it cannot
record or start them; the message it had in hand, if any, may reach the provider twice under the same
``message_id``, which the provider drops — what an expired delivery lease already allows.
"""

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import BooleanField, DateTimeField, ExpressionWrapper, Q, Value
from django.db.models.functions import Now
from django.utils import timezone

from xinyipi.audit.services import audit_record
from xinyipi.notifications.delivery import outbox_leases_release
from xinyipi.notifications.models import WorkerHeartbeat
from xinyipi.records.sharing import record_share_leases_release

logger = logging.getLogger(__name__)

# Beats a worker may miss before it is taken for dead.
MISSED_BEATS = 3


class WorkerLost(Exception):
    """Recorded on the job rows of a worker found dead (``exception_class_path`` of the task result)."""


def process_scope() -> str:
    """Where a pid names one process: host, kernel boot and PID namespace; ``""`` when this cannot be told."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""
    return f"{socket.gethostname()}/{boot}/{namespace}"[:200]


def process_exists(pid: int) -> bool:
    """Does process ``pid`` exist here and still run (a zombie, killed but not yet reaped, does not)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


class Heartbeat(threading.Thread):
    """This process's heartbeat: ``register()``, ``start()`` (beats every ``every`` s), ``stop()``."""

    def __init__(self, *, worker_id: str, every: float):
        super().__init__(name="xinyipi-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.lost = 0  # times this worker was found reaped while it was alive
        self._stop_event = threading.Event()

    def _expires(self):
        return ExpressionWrapper(
            Now() + Value(dt.timedelta(seconds=self.every * MISSED_BEATS)), output_field=DateTimeField()
        )

    def register(self) -> None:
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        WorkerHeartbeat.objects.create(
            worker_id=self.worker_id,
            host=socket.gethostname()[:200],
            scope=process_scope(),
            pid=os.getpid(),
            started_at=Now(),
            beat_at=Now(),
            expires_at=self._expires(),
        )

    def beat(self) -> bool:
        """Renew the row; False (and registered again) when another worker had reaped this one."""
        if WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(beat_at=Now(), expires_at=self._expires()):
            return True
        self.lost += 1
        logger.warning("worker %s was taken for dead (silent too long); registering again", self.worker_id)
        self.register()
        return False

    def run(self) -> None:
        try:
            while not self._stop_event.wait(self.every):
                try:
                    self.beat()
                except OperationalError as exc:  # e.g. SQLite busy beyond its timeout: the next beat may pass
                    logger.warning("heartbeat failed: %s", exc)
                except Exception:
                    logger.exception("heartbeat failed")
        finally:
            connection.close()

    def stop(self) -> None:
        """Stop beating and remove the row (a clean stop: this worker holds nothing any more)."""
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=10)
        # A stop signal may have interrupted the task worker between its BEGIN and Django's bookkeeping of it:
        # a fresh connection drops that half-open transaction (nothing in it was committed).
        if not connection.in_atomic_block:
            connection.close()
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError as exc:  # the row then expires, and the next reaper removes it
            logger.warning("could not remove the heartbeat of worker %s: %s", self.worker_id, exc)


_current: Heartbeat | None = None


def heartbeat_start(*, worker_id: str, every: float) -> Heartbeat:
    """Register this process as worker ``worker_id`` and start beating; the drain task leases under that id."""
    global _current
    heartbeat = Heartbeat(worker_id=worker_id, every=every)
    heartbeat.register()
    heartbeat.start()
    _current = heartbeat
    return heartbeat


def heartbeat_stop() -> None:
    global _current
    if _current is not None:
        _current.stop()
        _current = None


def current_worker_id() -> str | None:
    """The worker id of this process when it is a ``run_worker`` with a heartbeat, else ``None``."""
    return _current.worker_id if _current is not None else None


def drain_should_stop(stopping: threading.Event) -> Callable[[], bool]:
    """For a drain starting now: stop when the process stops, or when this worker was found reaped since."""
    heartbeat = _current
    lost = heartbeat.lost if heartbeat is not None else 0

    def should_stop() -> bool:
        return stopping.is_set() or (heartbeat is not None and heartbeat.lost != lost)

    return should_stop


def _dead_reason(row: WorkerHeartbeat, *, scope: str) -> str:
    if row.expired:
        return "heartbeat expired"
    if scope and row.scope == scope and (row.pid == os.getpid() or not process_exists(row.pid)):
        return "process gone"
    return ""


def _jobs_fail(worker_id: str, reason: str) -> int:
    """Mark ``FAILED`` the job rows the worker was running (its id is the last in their ``worker_ids``)."""
    from django_tasks_db.models import DBTaskResult

    running = DBTaskResult.objects.filter(status="RUNNING").values_list("id", "worker_ids")
    ids = [pk for pk, workers in running if workers and workers[-1] == worker_id]
    if not ids:
        return 0
    return DBTaskResult.objects.filter(id__in=ids, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        return_value=None,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=f"{WorkerLost.__qualname__}: worker {worker_id} died while running this task ({reason})",
    )


def worker_reap(*, row: WorkerHeartbeat, reason: str) -> dict | None:
    """Free what the dead worker ``row`` held; ``None`` when it beat meanwhile or another worker reaped it."""
    with transaction.atomic():
        # The death is checked again by the DELETE itself: a worker that beat meanwhile no longer matches.
        still_dead = Q(expires_at__lt=Now()) if row.expired else Q(pid=row.pid, scope=row.scope)
        if not WorkerHeartbeat.objects.filter(still_dead, worker_id=row.worker_id).delete()[0]:
            return None
        done = {
            "worker_id": row.worker_id,
            "host": row.host,
            "pid": row.pid,
            "reason": reason,
            "jobs_failed": _jobs_fail(row.worker_id, reason),
            "messages_released": outbox_leases_release(owner=row.worker_id),
            "share_batches_released": record_share_leases_release(owner=row.worker_id),
        }
        audit_record(
            actor=None,
            action="notifications.worker.lost",
            object_type=WorkerHeartbeat._meta.label_lower,
            object_id=row.worker_id,
            after=done,
        )
    logger.warning(
        "worker %s (%s, pid %s) is dead (%s): %s job(s) failed, %s message(s) and %s sharing batch(es) given back",
        row.worker_id,
        row.host,
        row.pid,
        reason,
        done["jobs_failed"],
        done["messages_released"],
        done["share_batches_released"],
    )
    return done


def workers_reap(*, exclude: str | None = None) -> list[dict]:
    """Find the dead workers (other than ``exclude``, this one) and free what each held; returns what was done."""
    scope = process_scope()
    rows = WorkerHeartbeat.objects.annotate(
        expired=ExpressionWrapper(Q(expires_at__lt=Now()), output_field=BooleanField())
    )
    if exclude:
        rows = rows.exclude(worker_id=exclude)
    reaped = []
    for row in rows:
        reason = _dead_reason(row, scope=scope)
        if reason:
            done = worker_reap(row=row, reason=reason)
            if done is not None:
                reaped.append(done)
    return reaped
