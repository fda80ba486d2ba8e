"""What the platform does to its own database: on SQLite, checkpointing the write-ahead log off the request path.

SQLite in WAL mode appends every commit to the ``-wal`` file and copies it back into the database file at
a *checkpoint*. By default the connection whose commit takes the log past ``wal_autocheckpoint`` pages does
that copy itself, inside its request: with the default 1,000 pages, one credit check in ~60 (a check writes
~16 pages, an instant filing with its check ~50) paid ~4 ms for it. ``settings.SQLITE_WAL_AUTOCHECKPOINT_PAGES``
raises the threshold to 10,000 pages (80 MiB of the 8 KiB pages a new database is made with): the log
stays bounded (with no worker running, the web process still checkpoints at that size, about once in 600
checks or 200 filings), and the worker runs
``database_checkpoint`` every few seconds (``core/tasks.py``), so that under ordinary load the log never
reaches the threshold and no request pays for a checkpoint. Under heavy writing (hundreds of filings a second)
the log outgrows the worker's pace, so every few commits a connection also has it copied back, by a thread of
its process once it has let the writers' lock go (``core/backends/sqlite3``). Checkpoints are never turned off.
"""

from django.db import connection


def database_checkpoint() -> dict:
    """Copy the write-ahead log back into the SQLite database file without waiting for readers or writers
    (``PRAGMA wal_checkpoint(PASSIVE)``); nothing to do on PostgreSQL.

    Returns ``{"vendor", "busy", "log_frames", "checkpointed_frames"}`` as SQLite reports them (``-1`` frames
    when the database is not in WAL mode)."""
    if connection.vendor != "sqlite":
        return {"vendor": connection.vendor, "busy": 0, "log_frames": 0, "checkpointed_frames": 0}
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        busy, log_frames, checkpointed = cursor.fetchone()
    return {"vendor": "sqlite", "busy": busy, "log_frames": log_frames, "checkpointed_frames": checkpointed}
