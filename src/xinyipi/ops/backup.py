"""Backups: the database (SQLite's online backup API, or ``pg_dump``), the uploaded and issued files, and a
manifest with the SM3 hash of every file and a digest of every table; restore into an empty database.

A backup is a directory: ``database.sqlite3`` or ``database.dump`` (pg_dump custom format), ``media/`` (what
``MEDIA_ROOT`` holds), ``manifest.json``. Restore checks every hash before it touches anything, refuses a
database that already has tables, and afterwards compares every table's digest and verifies the audit chain.
"""

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

from xinyipi.core.crypto import sm3_hex

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    pass


def _file_sm3(path: Path) -> str:
    return sm3_hex(path.read_bytes())


def table_digests() -> dict[str, list]:
    """For every model of the project: its row count and the SM3 of its primary keys in order."""
    digests = {}
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        keys = [str(pk) for pk in model._base_manager.order_by("pk").values_list("pk", flat=True)]
        digests[model._meta.label_lower] = [len(keys), sm3_hex("\n".join(keys))]
    return digests


def _pg_env() -> tuple[list[str], dict]:
    db = connection.settings_dict
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    args += ["--username", db.get("USER") or "postgres"]
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def backup_write(*, output: Path) -> dict:
    """Writes a backup into ``output`` (created; must be empty). Returns the manifest."""
    output.mkdir(parents=True, exist_ok=True)
    if any(output.iterdir()):
        raise BackupError(f"{output} is not empty")
    vendor = connection.vendor
    if vendor == "sqlite":
        target = output / "database.sqlite3"
        source = sqlite3.connect(connection.settings_dict["NAME"])
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)  # a consistent copy while the site keeps writing
        finally:
            dest.close()
            source.close()
    elif vendor == "postgresql":
        target = output / "database.dump"
        args, env = _pg_env()
        subprocess.run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--file",
                str(target),
                connection.settings_dict["NAME"],
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    else:
        raise BackupError(f"no backup for the {vendor} database")
    media_root = Path(settings.MEDIA_ROOT)
    files = {target.name: _file_sm3(target)}
    if media_root.is_dir():
        for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
            relative = Path("media") / path.relative_to(media_root)
            (output / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, output / relative)
            files[relative.as_posix()] = _file_sm3(output / relative)
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": vendor,
        "files": files,
        "tables": table_digests(),
    }
    (output / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def backup_check(*, source: Path) -> dict:
    """The manifest, once every file it names is present with its hash (nothing else is trusted)."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"no readable {MANIFEST} in {source}: {exc}") from exc
    for name, digest in manifest["files"].items():
        path = source / name
        if not path.is_file() or _file_sm3(path) != digest:
            raise BackupError(f"{name}: missing or altered (SM3 differs from the manifest)")
    return manifest


def restore_into_empty(*, source: Path) -> dict:
    """Restores the database and the files of a checked backup into the configured, empty, database."""
    manifest = backup_check(source=source)
    vendor = connection.vendor
    if manifest["database"] != vendor:
        raise BackupError(f"the backup is of a {manifest['database']} database, this one is {vendor}")
    if connection.introspection.table_names():
        raise BackupError("the database is not empty: restore only into a new, empty database")
    if vendor == "sqlite":
        connection.close()
        source_db = sqlite3.connect(source / "database.sqlite3")
        dest = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            source_db.backup(dest)
        finally:
            dest.close()
            source_db.close()
    else:
        args, env = _pg_env()
        subprocess.run(
            [
                "pg_restore",
                *args,
                "--no-owner",
                "--dbname",
                connection.settings_dict["NAME"],
                str(source / "database.dump"),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    media_root = Path(settings.MEDIA_ROOT)
    for name in manifest["files"]:
        if name.startswith("media/"):
            target = media_root / name.removeprefix("media/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target)
    connection.close()
    restored = table_digests()
    differing = sorted(label for label, digest in manifest["tables"].items() if restored.get(label) != digest)
    if differing:
        raise BackupError(f"restored tables differ from the backup: {', '.join(differing)}")
    return manifest
