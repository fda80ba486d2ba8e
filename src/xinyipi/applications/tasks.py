"""Background work of the case workflow (thin wrappers): the deadline sweep, run periodically by the worker."""

import datetime as dt

from django.conf import settings
from django_tasks import task

from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.core.periodic import periodic_job_register


@task()
def sweep_deadlines_task() -> dict:
    """The deadline sweep at the real time (idempotent: a run repeated after a crash does nothing twice)."""
    return deadlines_sweep().as_dict()


periodic_job_register(
    name="applications.sweep_deadlines",
    task=sweep_deadlines_task,
    every=dt.timedelta(seconds=max(settings.APPLICATIONS["SWEEP_SECONDS"], 1)),
)
