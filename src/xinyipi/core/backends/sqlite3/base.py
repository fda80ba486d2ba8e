"""Django's SQLite backend, with writers queued by the kernel instead of by SQLite's busy handler.

Every transaction here begins ``IMMEDIATE`` (settings): it takes the database's one write lock at BEGIN. A
connection that finds the lock taken is left to SQLite's busy handler, which sleeps and retries after 1, 2, 5,
10, 15, 20, 25 … ms: the lock is usually free again long before the sleeper looks, so under load two web
workers leave a third of the machine idle while each waits for the other (docs/performance.md). Here each
transaction first takes an exclusive ``flock`` on a file beside the database: the kernel wakes the next
writer the moment the lock is let go, and SQLite's own lock is then free. The busy timeout still guards
against writers that do not take the file lock (the ``sqlite3`` shell, a backup): they wait, or are waited
for, as before.

A connection holds the file lock from BEGIN to COMMIT or ROLLBACK (or its close) and never otherwise, so it
cannot be held while waiting for SQLite's lock by a connection that already has it; the checkpoint thread
below holds it only for a copy that never waits for SQLite's locks.

Every ``CHECKPOINT_EVERY`` commits a connection also has the write-ahead log copied back (passive
checkpoints: the bulk without the lock, what was committed meanwhile with it) once it has let the lock go,
so that the next writer starts the log again from the beginning (``checkpoint_pass``). Left to SQLite, the
commit that takes the log past ``wal_autocheckpoint`` pages copies all of it back inside its COMMIT, with the
writers' lock still held: under load every ~200 filings, and every request in flight waited for it. In
small steps the log never gets there; the threshold stays the bound (core/database.py). The copy is made by a
thread of the process on a connection of its own (``Checkpointer``): the sqlite3 module lets go of the GIL
while SQLite works, so the request that asked goes on answering instead of waiting 5-30 ms for the copy and
its fsync.

Statements are turned from Django's ``%s`` placeholders into SQLite's ``?`` once per distinct text: the regular
expression costs ~11 µs a statement, about 4 % of an instant approval's time in a web worker.
"""

import fcntl
import functools
import logging
import os
import sqlite3
import threading
from pathlib import Path

from django.db.backends.sqlite3 import base, creation

logger = logging.getLogger(__name__)

CHECKPOINT_EVERY = 64


def writer_lock_path(name: str) -> str:
    """The file beside the database ``name`` whose ``flock`` its writers (and a checkpoint pass) take."""
    return f"{name}-writer.lock"


@functools.lru_cache(maxsize=2048)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class Checkpointer:
    """One daemon thread per process and database file that copies the log back when asked; asks made while
    it works are folded into its next pass."""

    _running: dict[str, "Checkpointer"] = {}
    _guard = threading.Lock()

    def __init__(self, path: str):
        self.path = path
        self.wanted = threading.Event()
        self.passes = 0
        self.thread = threading.Thread(target=self._run, name=f"sqlite-checkpoint {path}", daemon=True)
        self.thread.start()

    @classmethod
    def ask(cls, path: str) -> "Checkpointer":
        key = f"{os.getpid()}:{path}"  # a thread does not survive fork: each process starts its own
        with cls._guard:
            checkpointer = cls._running.get(key)
            if checkpointer is None:
                checkpointer = cls._running[key] = cls(path)
        checkpointer.wanted.set()
        return checkpointer

    def _run(self) -> None:
        while True:
            self.wanted.wait()
            self.wanted.clear()
            try:
                checkpoint_pass(self.path)
            except sqlite3.Error as exc:  # the commits stand; the next pass, or SQLite's own, copies the log
                logger.warning("checkpoint failed: %s", exc)
            self.passes += 1


def checkpoint_pass(path: str) -> None:
    """Copy the log back into the database file, then copy what was committed meanwhile with the writers' lock
    held, so that the log is wholly copied when the lock is let go and the next writer starts it again from the
    beginning. Commits go on during a copy, so copies made without the lock never catch up with the log: it
    grew until a commit took it past ``wal_autocheckpoint`` pages and copied it back inside its COMMIT (under
    load every ~190 filings, 15-20 ms, every request in flight waiting). Writers wait only for the second,
    short copy.

    A connection per pass (about a millisecond beside a copy of 5-30 ms): one left open would outlive the
    process's own, and the last connection to close is the one that removes the log files. It needs none of the
    settings' pragmas: WAL mode is the file's, and a passive checkpoint never waits for SQLite's locks."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        descriptor = os.open(writer_lock_path(path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            os.close(descriptor)
    finally:
        connection.close()


class DatabaseCreation(creation.DatabaseCreation):
    def _destroy_test_db(self, test_database_name, verbosity):
        """Also the files beside a test database: its writers' lock, and a log a connection left."""
        super()._destroy_test_db(test_database_name, verbosity)
        if not self.is_in_memory_db(test_database_name):
            log = (f"{test_database_name}-wal", f"{test_database_name}-shm")
            for name in (writer_lock_path(test_database_name), *log):
                Path(name).unlink(missing_ok=True)


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
    _writer_lock_fd: int | None = None
    _writer_lock_pid: int | None = None
    _writer_lock_held = False
    _commits_unchecked = 0

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)

    def _writer_lock_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return writer_lock_path(self.settings_dict["NAME"])

    def _writer_lock_acquire(self) -> None:
        path = self._writer_lock_path()
        if path is None:
            return
        if self._writer_lock_fd is None or self._writer_lock_pid != os.getpid():
            # A descriptor inherited across fork shares its lock with the parent: open one of our own.
            self._writer_lock_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._writer_lock_pid = os.getpid()
        fcntl.flock(self._writer_lock_fd, fcntl.LOCK_EX)
        self._writer_lock_held = True

    def _writer_lock_release(self) -> None:
        if self._writer_lock_held:
            self._writer_lock_held = False
            fcntl.flock(self._writer_lock_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._writer_lock_acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._writer_lock_release()
            raise

    def _commit(self):
        # A COMMIT that fails leaves the transaction open: the rollback that follows lets the lock go.
        super()._commit()
        self._writer_lock_release()
        self._commits_unchecked += 1
        if self._commits_unchecked >= CHECKPOINT_EVERY and not self.is_in_memory_db():
            self._commits_unchecked = 0
            Checkpointer.ask(self.settings_dict["NAME"])

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._writer_lock_release()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._writer_lock_release()
            if self._writer_lock_fd is not None and self._writer_lock_pid == os.getpid():
                os.close(self._writer_lock_fd)
            self._writer_lock_fd = None
