"""Background jobs of the platform itself (thin wrappers), run periodically by the worker."""

import datetime as dt

from django_tasks import task

from xinyipi.core.database import database_checkpoint, database_statistics
from xinyipi.core.periodic import periodic_job_register


@task()
def database_checkpoint_task() -> dict:
    """SQLite: checkpoint the write-ahead log, so that requests do not (``core/database.py``)."""
    return database_checkpoint()


periodic_job_register(name="core.database_checkpoint", task=database_checkpoint_task, every=dt.timedelta(seconds=5))


@task()
def database_statistics_task() -> dict:
    """Keep the query planner's statistics current, so the queues read their indexes (``core/database.py``)."""
    return database_statistics()


periodic_job_register(name="core.database_statistics", task=database_statistics_task, every=dt.timedelta(hours=1))
