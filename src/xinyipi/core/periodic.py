"""Jobs the worker runs on a schedule. Each app registers its own, by name, with an interval.

Register at import time of the app's ``tasks.py`` module (``manage.py run_worker`` imports the ``tasks``
module of every installed app before its scheduler starts)::

    # applications/tasks.py
    import datetime as dt
    from django_tasks import task
    from xinyipi.core.periodic import periodic_job_register

    @task()
    def sweep_deadlines_task() -> dict:
        return deadlines_sweep(now=None)       # the service; the task only calls it

    periodic_job_register(name="applications.sweep_deadlines", task=sweep_deadlines_task,
                          every=dt.timedelta(minutes=5))

The task takes no arguments. The scheduler enqueues a job when its interval has passed and the run it
enqueued last is no longer waiting or running, so runs never pile up behind a slow one. A run whose worker
died is marked failed as soon as the worker is found dead by its heartbeat (``notifications.heartbeat``: at
once on the same machine, after three missed beats elsewhere) and blocks the next no longer; a run of a
worker that keeps no heartbeat blocks it until it has been "running" for ``stale_after``. A job must be
idempotent: if its worker dies, the next run does the work again.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: object  # a django_tasks Task taking no arguments
    every: dt.timedelta
    stale_after: dt.timedelta


_JOBS: dict[str, PeriodicJob] = {}


def periodic_job_register(
    *, name: str, task, every: dt.timedelta, stale_after: dt.timedelta | None = None
) -> PeriodicJob:
    """Register (or re-register, e.g. on reload) the job ``name``; returns it."""
    if not name or len(name) > 100:
        raise ValueError("a periodic job needs a name of 1 to 100 characters")
    if every < dt.timedelta(seconds=1):
        raise ValueError(f"periodic job {name!r}: the interval must be at least one second")
    if not hasattr(task, "enqueue"):
        raise TypeError(f"periodic job {name!r}: {task!r} is not a task (decorate the function with @task())")
    job = PeriodicJob(
        name=name, task=task, every=every, stale_after=stale_after or max(every * 3, dt.timedelta(hours=1))
    )
    _JOBS[name] = job
    return job


def periodic_jobs() -> list[PeriodicJob]:
    """Every registered job, by name."""
    return [_JOBS[name] for name in sorted(_JOBS)]


def periodic_jobs_discover() -> list[PeriodicJob]:
    """Import every installed app's ``tasks`` module (where jobs register), then list the jobs."""
    autodiscover_modules("tasks")
    return periodic_jobs()
