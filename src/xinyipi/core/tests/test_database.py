"""SQLite checkpoints: rare on the request path, bounded without a worker, done by the worker's periodic job."""

import time

import pytest
from django.conf import settings
from django.db import connection, transaction

from xinyipi.core.database import database_checkpoint
from xinyipi.core.periodic import periodic_jobs_discover

pytestmark = pytest.mark.django_db(transaction=True)


def _pragma(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_checkpoint_job_is_registered_with_the_worker():
    jobs = {job.name: job for job in periodic_jobs_discover()}
    assert "core.database_checkpoint" in jobs
    assert jobs["core.database_checkpoint"].every.total_seconds() <= 10


def test_connections_checkpoint_rarely_but_never_not_at_all():
    if connection.vendor != "sqlite":
        assert database_checkpoint() == {"vendor": connection.vendor, "busy": 0, "log_frames": 0,
                                         "checkpointed_frames": 0}  # fmt: skip
        return
    connection.ensure_connection()
    assert _pragma("journal_mode") == "wal"
    pages = _pragma("wal_autocheckpoint")
    assert pages == settings.SQLITE_WAL_AUTOCHECKPOINT_PAGES
    assert 1_000 < pages <= 20_000  # far rarer than SQLite's default, never off (0) nor unbounded
    assert _pragma("journal_size_limit") == settings.SQLITE_JOURNAL_SIZE_LIMIT
    assert _pragma("page_size") == settings.SQLITE_PAGE_SIZE  # a new database file takes the configured size


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the memory mapping is SQLite's")
def test_sqlite_reads_the_file_through_a_memory_mapping():
    connection.ensure_connection()
    assert settings.SQLITE_MMAP_SIZE == 2047 * 1024 * 1024  # the default: all SQLite maps
    assert _pragma("mmap_size") == settings.SQLITE_MMAP_SIZE


def test_wal_stays_bounded_with_no_worker_running():
    """Writes past the threshold: the writing connection checkpoints by itself and the log starts over."""
    if connection.vendor != "sqlite":
        assert database_checkpoint()["log_frames"] == 0
        return
    threshold = settings.SQLITE_WAL_AUTOCHECKPOINT_PAGES
    blob_pages = (1 << 20) // _pragma("page_size")  # 1 MiB per transaction
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE test_wal_bound (data BLOB)")
    try:
        for _ in range(threshold // blob_pages + 10):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("INSERT INTO test_wal_bound (data) VALUES (zeroblob(1048576))")
                cursor.execute("DELETE FROM test_wal_bound")
        for _ in range(100):  # busy while the process's own checkpoint thread is copying (core/backends)
            if database_checkpoint()["busy"] == 0:
                break
            time.sleep(0.05)
        # Copied back in full, the log starts over at the next write.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM test_wal_bound")
        result = database_checkpoint()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE test_wal_bound")
    assert result["busy"] == 0
    assert 0 <= result["log_frames"] < threshold  # it would hold every frame written had no checkpoint run
    assert result["checkpointed_frames"] == result["log_frames"]


def test_checkpoint_copies_the_log_back():
    from xinyipi.core.tasks import database_checkpoint_task

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE test_wal_copy (n INTEGER)")
        cursor.execute("INSERT INTO test_wal_copy (n) VALUES (1)")
    try:
        result = database_checkpoint_task.call()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE test_wal_copy")
    assert result["vendor"] == connection.vendor
    if connection.vendor == "sqlite":
        assert result["busy"] == 0
        assert result["log_frames"] > 0
        assert result["checkpointed_frames"] == result["log_frames"]
