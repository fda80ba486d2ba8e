"""The worker's scheduler: enqueue each registered periodic job (``core.periodic``) when it is due.

Every ``run_worker`` process runs one; they may run side by side. A job's next run is taken with a
conditional UPDATE of its ``PeriodicJobState`` row (``next_run_at <= now`` → ``now + every``), so of several
schedulers exactly one enqueues it, and the task is enqueued in that same transaction (the tasks table is
in this database): the schedule never advances without the job being queued, nor the reverse.
A job whose last run is still waiting or running is not queued again (runs never pile up).

Each tick first reaps dead workers (``heartbeat.workers_reap``): the run a killed worker left ``RUNNING``
is marked failed, so its job is queued again at its next due time rather than after ``stale_after``
(which remains the limit for a run whose worker keeps no heartbeat).
"""

import datetime as dt
import logging
import threading

from django.db import OperationalError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from xinyipi.core.periodic import PeriodicJob, periodic_jobs
from xinyipi.notifications.heartbeat import current_worker_id, workers_reap
from xinyipi.notifications.models import PeriodicJobState

logger = logging.getLogger(__name__)

# Set when the worker process is asked to stop: long tasks (the outbox drain) check it between items.
stopping = threading.Event()


def _pending(job: PeriodicJob, task_id: str, now: dt.datetime) -> bool:
    """Is the run last enqueued for ``job`` still waiting, or running and not stale?

    A run whose worker was found dead is ``FAILED`` by then (``workers_reap``); ``stale_after`` only bounds
    runs of workers that keep no heartbeat.
    """
    try:
        result = job.task.get_result(task_id)
    except Exception:  # unknown id (pruned), or a backend that keeps no results: not pending
        return False
    status = str(result.status)
    if status == "READY":
        return True
    if status == "RUNNING":
        started = result.started_at
        return started is not None and started > now - job.stale_after
    return False


def _enqueue_if_due(job: PeriodicJob, now: dt.datetime) -> bool:
    with transaction.atomic():
        # Due, or scheduled further ahead than the interval allows (the interval was shortened since).
        won = PeriodicJobState.objects.filter(
            Q(next_run_at__lte=now) | Q(next_run_at__gt=now + job.every), name=job.name
        ).update(next_run_at=now + job.every)
        if not won:
            return False
        state = PeriodicJobState.objects.get(name=job.name)
        if state.last_task_id and _pending(job, state.last_task_id, now):
            PeriodicJobState.objects.filter(name=job.name).update(skipped_runs=F("skipped_runs") + 1)
            return False
        result = job.task.enqueue()
        PeriodicJobState.objects.filter(name=job.name).update(last_task_id=str(result.id), last_enqueued_at=now)
        return True


def periodic_jobs_enqueue_due(*, now: dt.datetime | None = None, jobs: list[PeriodicJob] | None = None) -> list[str]:
    """Enqueue every due job whose last run is finished; returns the names enqueued."""
    now = now or timezone.now()
    jobs = periodic_jobs() if jobs is None else jobs
    # A new job is due at once; ``ignore_conflicts`` lets concurrent schedulers create its row safely.
    PeriodicJobState.objects.bulk_create(
        [PeriodicJobState(name=job.name, next_run_at=now) for job in jobs], ignore_conflicts=True
    )
    return [job.name for job in jobs if _enqueue_if_due(job, now)]


class Scheduler(threading.Thread):
    """Ticks every ``tick`` seconds until ``stop`` is set; a failing tick is logged and retried."""

    def __init__(self, *, tick: float, stop: threading.Event):
        super().__init__(name="xinyipi-scheduler", daemon=True)
        self.tick = tick
        self.stop = stop

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                close_old_connections()
                try:
                    workers_reap(exclude=current_worker_id())
                    enqueued = periodic_jobs_enqueue_due()
                    if enqueued:
                        logger.debug("enqueued %s", ", ".join(enqueued))
                except OperationalError as exc:  # e.g. SQLite busy beyond its timeout: try next tick
                    logger.warning("scheduler tick failed: %s", exc)
                except Exception:
                    logger.exception("scheduler tick failed")
                self.stop.wait(self.tick)
        finally:
            connection.close()
