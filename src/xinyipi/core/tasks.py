"""Background jobs of the platform itself (thin wrappers), run periodically by the worker."""

import datetime as dt

from django_tasks import task

from xinyipi.core.database import database_checkpoint
from xinyipi.core.periodic import periodic_job_register


@task()
def database_checkpoint_task() -> dict:
    """SQLite: checkpoint the write-ahead log, so that requests do not (``core/database.py``)."""
    return database_checkpoint()


periodic_job_register(name="core.database_checkpoint", task=database_checkpoint_task, every=dt.timedelta(seconds=5))
