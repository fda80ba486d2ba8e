"""Background tasks of the notifications app (thin wrappers) and their periodic schedule."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from xinyipi.core.periodic import periodic_job_register
from xinyipi.notifications.delivery import outbox_drain
from xinyipi.notifications.heartbeat import current_worker_id, drain_should_stop
from xinyipi.notifications.scheduler import stopping


@task()
def outbox_drain_task() -> dict:
    """Deliver what is due in the outbox (for at most a minute, so other jobs get their turn)."""
    # Under this worker's id, so that if it dies the rows it holds are given back at once (``heartbeat``).
    return outbox_drain(
        budget_seconds=60.0, worker=current_worker_id(), should_stop=drain_should_stop(stopping)
    ).as_dict()


@task()
def task_results_prune_task() -> dict:
    """Delete successful background-task results older than ``XINYIPI_TASK_RESULTS_KEEP_DAYS``; failures stay."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - dt.timedelta(days=settings.NOTIFICATIONS["TASK_RESULTS_KEEP_DAYS"])
    deleted, _ = DBTaskResult.objects.successful().filter(finished_at__lt=cutoff).delete()
    return {"deleted": deleted}


periodic_job_register(
    name="notifications.outbox_drain",
    task=outbox_drain_task,
    every=dt.timedelta(seconds=max(settings.NOTIFICATIONS["POLL_SECONDS"], 1)),
    stale_after=dt.timedelta(minutes=10),
)
periodic_job_register(
    name="notifications.task_results_prune", task=task_results_prune_task, every=dt.timedelta(hours=6)
)
