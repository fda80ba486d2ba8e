"""PostgreSQL: a reused connection is checked before a request's first statement without a round trip
(``core/backends/postgresql``), and one the server has ended is still found and replaced."""

import tempfile
import time

import pytest
from django.db import connection

from xinyipi.conf import base

pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's own check")


def test_postgresql_urls_use_the_backend_that_checks_connections_without_a_round_trip(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://xinyipi@db.example:5432/xinyipi")
    config = base._database()
    assert config["ENGINE"] == "xinyipi.core.backends.postgresql"
    assert config["CONN_HEALTH_CHECKS"] is True


def _request_starts() -> None:
    """What Django does when a request starts (``close_old_connections``), the connection's age aside."""
    connection.close_at = None
    connection.close_if_unusable_or_obsolete()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@postgresql_only
def test_a_healthy_reused_connection_is_checked_without_sending_the_server_anything():
    pid = _backend_pid()
    _request_starts()
    with tempfile.TemporaryFile() as trace:
        pgconn = connection.connection.pgconn
        pgconn.trace(trace.fileno())  # libpq writes every protocol message it sends or receives here
        try:
            connection.close_if_health_check_failed()
        finally:
            pgconn.untrace()
        trace.seek(0)
        assert trace.read() == b""
    assert connection.health_check_done
    assert _backend_pid() == pid  # the same connection, still in use


@postgresql_only
def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it():
    pid = _backend_pid()
    with connection.get_new_connection(connection.get_connection_params()) as admin:  # a second session
        admin.autocommit = True
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0] is True
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, "the server did not end the connection"
            time.sleep(0.01)
    _request_starts()
    assert _backend_pid() != pid  # no error: the ended connection was found and a new one opened


@postgresql_only
def test_a_connection_left_in_a_transaction_is_not_reused():
    _request_starts()
    pid = _backend_pid()
    with connection.connection.cursor() as cursor:  # the driver's own cursor: Django does not see the BEGIN
        cursor.execute("BEGIN")
    connection.health_check_done = False
    assert not connection.is_usable()
    connection.close_if_health_check_failed()
    assert _backend_pid() != pid


@postgresql_only
def test_a_long_statement_is_converted_once_and_kept():
    from psycopg import _queries

    values = ", ".join(["(%s)"] * 80)  # over psycopg's own limit of 50 parameters
    sql = f"SELECT count(*) FROM (VALUES {values}) AS v(n)"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(range(80)))
        assert cursor.fetchone() == (80,)
        hits = _queries._query2pg.cache_info().hits
        cursor.execute(sql, list(range(80)))
        assert cursor.fetchone() == (80,)
    assert _queries._query2pg.cache_info().hits == hits + 1
