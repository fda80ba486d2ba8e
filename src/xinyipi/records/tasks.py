"""Background task of the records app: share new credit-record events with the credit platform (R8)."""

import datetime as dt

from django.conf import settings
from django_tasks import task

from xinyipi.core.periodic import periodic_job_register
from xinyipi.notifications.heartbeat import current_worker_id, drain_should_stop
from xinyipi.notifications.scheduler import stopping
from xinyipi.records.sharing import records_share_drain


@task()
def records_share_task() -> dict:
    """Send what waits for the credit platform (for at most a minute, so other jobs get their turn)."""
    # Under this worker's id, so that if it dies the batch it holds is given back at once (``heartbeat``).
    return records_share_drain(
        budget_seconds=60.0, worker=current_worker_id(), should_stop=drain_should_stop(stopping)
    ).as_dict()


periodic_job_register(
    name="records.share",
    task=records_share_task,
    every=dt.timedelta(seconds=max(settings.CREDIT_PLATFORM["POLL_SECONDS"], 1)),
    stale_after=dt.timedelta(minutes=10),
)
