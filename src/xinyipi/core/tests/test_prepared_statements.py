"""PostgreSQL: a statement a connection repeats is kept prepared, so the server neither parses nor plans it again."""

import pytest
from django.db import connection

from xinyipi.conf import base

pytestmark = pytest.mark.django_db


def _database(monkeypatch, threshold: str) -> dict:
    monkeypatch.setenv("DATABASE_URL", "postgres://xinyipi@db.example:5432/xinyipi")
    monkeypatch.setenv("XINYIPI_PG_PREPARE_THRESHOLD", threshold)
    return base._database()


def test_postgresql_connections_prepare_what_they_repeat_unless_told_not_to(monkeypatch):
    assert _database(monkeypatch, "5")["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    assert _database(monkeypatch, "0")["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": None}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_statement_run_past_the_threshold_is_prepared_on_the_server(settings):
    statement = "SELECT count(*) FROM django_migrations WHERE app = %s"
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    with connection.cursor() as cursor:
        for _ in range(threshold + 1):
            cursor.execute(statement, ["applications"])
            assert cursor.fetchone()[0] > 0
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert "SELECT count(*) FROM django_migrations WHERE app = $1" in prepared
