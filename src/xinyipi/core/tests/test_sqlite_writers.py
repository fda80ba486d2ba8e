"""SQLite writers queue on a file lock beside the database (``core/backends/sqlite3``): the next writer starts as
soon as the one before lets go — at commit, rollback or close — and writers that bypass the file lock are still
kept apart by SQLite's own lock."""

import fcntl
import os
import sqlite3
import threading
import time

import pytest
from django.db import connection, transaction

from xinyipi.core.models import CacheGeneration

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the file lock is the SQLite backend's"),
]


class Holder(threading.Thread):
    """Opens a transaction on its own connection, writes, and holds it until told how to end it."""

    def __init__(self, end: str):
        super().__init__()
        self.end = end
        self.inside = threading.Event()
        self.go = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            if self.end == "close":
                transaction.atomic().__enter__()
                CacheGeneration.objects.create(name="holder", value=1)
                self.inside.set()
                self.go.wait(30)
                connection.close()  # mid-transaction: SQLite rolls it back
                return
            with transaction.atomic():
                CacheGeneration.objects.create(name="holder", value=1)
                self.inside.set()
                self.go.wait(30)
                if self.end == "rollback":
                    raise RuntimeError("rolled back on purpose")
        except RuntimeError:
            pass
        except BaseException as exc:  # pragma: no cover - reported by the test
            self.error = exc
        finally:
            connection.close()


class Writer(threading.Thread):
    """Writes one row in a transaction of its own and notes when it got in."""

    def __init__(self):
        super().__init__()
        self.entered_at: float | None = None
        self.error: BaseException | None = None

    def run(self):
        try:
            with transaction.atomic():
                self.entered_at = time.monotonic()
                CacheGeneration.objects.update_or_create(name="writer", defaults={"value": 2})
        except BaseException as exc:  # pragma: no cover - reported by the test
            self.error = exc
        finally:
            connection.close()


def _file_lock_free() -> bool:
    """Whether another open file description could take the writers' file lock right now."""
    fd = os.open(connection._writer_lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing lets go of a lock taken here
    return True


def _file_lock_let_go() -> bool:
    """Whether the lock is free within a few seconds: the process's checkpoint thread may hold it for a short
    copy (``checkpoint_pass``) when earlier commits asked for one."""
    deadline = time.monotonic() + 10
    while not _file_lock_free():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_the_next_writer_waits_for_the_lock_and_starts_when_it_is_let_go(end):
    holder = Holder(end)
    holder.start()
    assert holder.inside.wait(10)
    assert not _file_lock_free()
    writer = Writer()
    writer.start()
    time.sleep(0.3)
    assert writer.entered_at is None  # still queued behind the open transaction
    released = time.monotonic()
    holder.go.set()
    holder.join(10)
    writer.join(10)
    assert holder.error is None and writer.error is None
    assert writer.entered_at is not None and writer.entered_at >= released
    assert _file_lock_let_go()
    assert CacheGeneration.objects.filter(name="writer", value=2).exists()
    assert CacheGeneration.objects.filter(name="holder").exists() == (end == "commit")


def test_a_writer_that_bypasses_the_file_lock_is_still_waited_for():
    outside = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    outside.execute("BEGIN IMMEDIATE")
    outside.execute("INSERT INTO core_cachegeneration (name, value) VALUES ('outside', 3)")
    writer = Writer()
    writer.start()
    time.sleep(0.3)
    assert writer.entered_at is None
    outside.execute("COMMIT")
    outside.close()
    writer.join(30)
    assert writer.error is None and writer.entered_at is not None
    assert set(CacheGeneration.objects.values_list("name", flat=True)) >= {"outside", "writer"}


def test_a_failed_begin_lets_the_file_lock_go(settings):
    outside = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    outside.execute("BEGIN IMMEDIATE")
    try:
        connection.ensure_connection()
        connection.connection.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(Exception, match="locked"), transaction.atomic():
            pass
    finally:
        outside.execute("ROLLBACK")
        outside.close()
    writer = Writer()
    writer.start()
    writer.join(10)
    assert writer.error is None and writer.entered_at is not None


def test_a_connection_has_the_log_copied_back_in_small_steps_by_a_thread_of_its_process():
    """Left to SQLite, the log is copied back only past ``wal_autocheckpoint`` pages, inside a COMMIT that still
    holds the writers' lock; here every ``CHECKPOINT_EVERY`` commits a connection asks its process's checkpoint
    thread to copy it, and goes on without waiting."""
    from xinyipi.core.backends.sqlite3.base import CHECKPOINT_EVERY, Checkpointer
    from xinyipi.core.database import database_checkpoint

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE test_wal_steps (n INTEGER)")
    database_checkpoint()  # the empty table is in the database file itself
    on_disk = sqlite3.connect(f"file:{connection.settings_dict['NAME']}?immutable=1", uri=True)
    try:
        for n in range(2 * CHECKPOINT_EVERY):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("INSERT INTO test_wal_steps (n) VALUES (%s)", [n])
        # The connection let the lock go; the checkpoint thread takes it only for its short second copy.
        assert not connection._writer_lock_held
        assert _file_lock_let_go()
        checkpointer = Checkpointer._running[f"{os.getpid()}:{connection.settings_dict['NAME']}"]
        assert checkpointer.thread.is_alive() and checkpointer.thread is not threading.current_thread()
        # Read past the log: what is in the database file proper. A few small commits are far below SQLite's
        # own threshold, so without the steps none of these rows would be there.
        deadline = time.monotonic() + 10
        copied = 0
        while time.monotonic() < deadline and copied < CHECKPOINT_EVERY:
            time.sleep(0.02)
            copied = on_disk.execute("SELECT count(*) FROM test_wal_steps").fetchone()[0]
    finally:
        on_disk.close()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE test_wal_steps")
    assert CHECKPOINT_EVERY <= copied <= 2 * CHECKPOINT_EVERY
    assert checkpointer.passes >= 1


def test_placeholders_are_converted_once_per_statement_text():
    from xinyipi.core.backends.sqlite3.base import _qmark

    _qmark.cache_clear()
    for n in range(3):
        with connection.cursor() as cursor:
            cursor.execute("SELECT '100%%', %s, '%%s'", [n])
            assert cursor.fetchone() == ("100%", n, "%s")
    info = _qmark.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT %(a)s || %(b)s", {"a": "信", "b": "易批"})
        assert cursor.fetchone() == ("信易批",)
        cursor.execute("CREATE TEMP TABLE test_placeholders (n INTEGER)")
        cursor.executemany("INSERT INTO test_placeholders (n) VALUES (%s)", [[1], [2]])
        cursor.execute("SELECT sum(n) FROM test_placeholders")
        assert cursor.fetchone() == (3,)
        cursor.execute("DROP TABLE test_placeholders")


def test_a_destroyed_test_database_leaves_no_file_beside_it(tmp_path):
    name = str(tmp_path / "destroyed.sqlite3")
    for suffix in ("", "-writer.lock", "-wal", "-shm"):
        with open(name + suffix, "wb") as f:
            f.write(b"x")
    connection.creation._destroy_test_db(name, verbosity=0)
    assert list(tmp_path.iterdir()) == []


def test_a_checkpoint_pass_copies_what_was_committed_during_it_so_the_next_writer_starts_the_log_again(tmp_path):
    """Commits go on while the log is copied; the pass copies them too, with the writers' lock held, so the log
    is wholly copied and restarts instead of growing until a COMMIT copies it back under the lock."""
    from xinyipi.core.backends.sqlite3.base import checkpoint_pass, writer_lock_path

    path = str(tmp_path / "steps.sqlite3")
    writer = sqlite3.connect(path, isolation_level=None)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")  # only the pass copies the log here
        writer.execute("CREATE TABLE steps (n INTEGER, padding TEXT)")
        for n in range(50):
            writer.execute("INSERT INTO steps VALUES (?, ?)", [n, "x" * 2000])
        # A request reading at this point keeps the first copy from going further: the commits after it are
        # the ones a busy server makes while the log is being copied.
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM steps").fetchone() == (50,)
        for n in range(50, 60):
            writer.execute("INSERT INTO steps VALUES (?, ?)", [n, "x" * 2000])
        lock = os.open(writer_lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)  # a web worker's transaction is under way
            copying = threading.Thread(target=checkpoint_pass, args=(path,))
            copying.start()
            copying.join(timeout=0.5)
            assert copying.is_alive(), "the pass finished without waiting for the writers' lock"
            reader.execute("COMMIT")
            fcntl.flock(lock, fcntl.LOCK_UN)
            copying.join(timeout=10)
            assert not copying.is_alive()
        finally:
            os.close(lock)
        writer.execute("INSERT INTO steps VALUES (?, ?)", [60, "x" * 2000])
        _busy, log_frames, _copied = writer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert 0 < log_frames < 5  # one commit's pages, at the start of the log again
        assert writer.execute("SELECT count(*) FROM steps").fetchone() == (61,)
    finally:
        reader.close()
        writer.close()
