"""``manage.py backup`` then ``manage.py restore`` into an empty database: every case, document, record, file
and the audit chain come back (on SQLite, and on PostgreSQL when the suite runs there)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from xinyipi.applications.models import Application
from xinyipi.applications.tests.factories import standard_case
from xinyipi.conf import env
from xinyipi.ops.backup import MANIFEST, BackupError, backup_check, table_digests

ROOT = Path(__file__).resolve().parents[4]


def _target(tmp_path):
    """A new, empty database of the suite's kind, as a URL; dropped afterwards on PostgreSQL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}", lambda: None
    name = f"{db['NAME']}_restored"
    admin = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}", drop


def _manage(*args, database_url: str, media_root: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {v.name for v in env.VARIABLES}}
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "xinyipi.conf.settings",
            "DATABASE_URL": database_url,
            "XINYIPI_MEDIA_ROOT": str(media_root),
            "XINYIPI_LOG_LEVEL": "WARNING",
        }
    )
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=clean, capture_output=True, text=True, timeout=300
    )


@pytest.mark.django_db(transaction=True)
def test_backup_restore_round_trip_keeps_every_case_document_record_and_the_audit_chain(
    tmp_path, clerk, standard_matter, enterprise, person
):
    cases = [standard_case(clerk, standard_matter, subject) for subject in (enterprise, person)]
    stored = default_storage.save("materials/backup-probe.pdf", ContentFile(b"%PDF-1.4 probe"))
    before = table_digests()
    assert before["applications.application"][0] == 2

    call_command("backup", output=str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / MANIFEST).read_text(encoding="utf-8"))
    assert f"media/{stored}" in manifest["files"]
    assert manifest["tables"] == before

    url, drop = _target(tmp_path)
    media = tmp_path / "restored-media"
    try:
        restored = _manage("restore", "--input", str(tmp_path / "backup"), database_url=url, media_root=media)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "audit chain intact" in restored.stdout
        verified = _manage("verify_audit", database_url=url, media_root=media)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        numbers = _manage(
            "shell",
            "-c",
            "from xinyipi.applications.models import Application as A; "
            "print(sorted(A.objects.values_list('number', 'status')))",
            database_url=url,
            media_root=media,
        )
        assert numbers.stdout.strip().splitlines()[-1] == str(
            sorted(Application.objects.values_list("number", "status"))
        )
        again = _manage("restore", "--input", str(tmp_path / "backup"), database_url=url, media_root=media)
        assert again.returncode != 0 and "not empty" in again.stderr
    finally:
        drop()
    assert (media / stored).read_bytes() == b"%PDF-1.4 probe"
    assert {c.pk for c in cases} == set(Application.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_restore_refuses_an_altered_backup(tmp_path, clerk, standard_matter, enterprise):
    standard_case(clerk, standard_matter, enterprise)
    call_command("backup", output=str(tmp_path / "b"))
    dump = next(p for p in (tmp_path / "b").iterdir() if p.name.startswith("database."))
    with dump.open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(BackupError, match="altered"):
        backup_check(source=tmp_path / "b")


@pytest.mark.django_db
def test_backup_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(Exception, match="not empty"):
        call_command("backup", output=str(tmp_path))
