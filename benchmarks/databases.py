"""The throw-away databases the benchmarks measure on: one SQLite file or one PostgreSQL database per script."""

import json
import os
import subprocess
import sys
from pathlib import Path

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def fresh_database(db: str, sqlite_path: Path, pg_name: str) -> str:
    """Start from an empty database (removing what an earlier, interrupted run left) and return its URL."""
    if db == "sqlite":
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        drop_database(db, sqlite_path, pg_name)
        return f"sqlite:///{sqlite_path}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')
        conn.execute(f'CREATE DATABASE "{pg_name}"')
    return f"postgres://postgres@127.0.0.1:5432/{pg_name}"


def drop_database(db: str, sqlite_path: Path, pg_name: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm", "-writer.lock"):
            Path(str(sqlite_path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')


def database_version(connection) -> str:
    """``SQLite 3.x`` or ``PostgreSQL 16.x``, as the report names the database measured."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return "SQLite " + cursor.fetchone()[0]
        cursor.execute("show server_version")
        return "PostgreSQL " + cursor.fetchone()[0].split()[0]


def measure_in_worker(db: str, sqlite_path: Path, pg_name: str, argv: list[str]) -> dict:
    """Run ``argv`` (the script in its worker mode) on a fresh database, drop it, return the JSON it printed last.

    A separate process so that each database gets its own settings and nothing cached from the other.
    """
    url = fresh_database(db, sqlite_path, pg_name)
    print(f"{db}: measuring …", flush=True)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    try:
        done = subprocess.run([sys.executable, *argv], env=env, capture_output=True, text=True)
    finally:
        drop_database(db, sqlite_path, pg_name)
    if done.returncode != 0:
        raise SystemExit(f"{db} run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
