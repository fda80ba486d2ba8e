"""Django's PostgreSQL backend, with a reused connection checked without a round trip.

Connections persist between requests, and a reused one is checked before a request's first statement
(``CONN_HEALTH_CHECKS``). Django checks by running ``SELECT 1``: a round trip of its own in every request
(without it, instant approvals over HTTP went from 159 to 187 and 158 to 179 cases/s in alternated runs,
docs/performance.md). Here the connection's socket is looked at instead. A server that ends a connection — a restart,
``pg_terminate_backend``, an idle timeout — sends its reason and closes the socket, while an idle connection
that is healthy has nothing to read (the project does not ``LISTEN``): a readable socket means the connection
is not used again, and a new one is opened. A server gone without a word (a host that vanished) is found by
the request's first statement, whose error makes Django drop the connection, as ``SELECT 1`` would have found it.

A statement's ``%s`` placeholders are turned into PostgreSQL's ``$n`` by psycopg, which keeps the result (per
process, the 128 statements used last) only for statements under 4 KiB with at most 50 parameters: a filing's
audit append, which carries its other writes (``core.rows.writes_joined``), has about 100, and splitting it
again at every filing cost more than the round trips joining it saved. Here statements up to 16 KiB and 256
parameters are kept too.
"""

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import _queries, pq

_LONGEST = 16 * 1024
_MOST_PARAMETERS = 256


class _Query(_queries.PostgresQuery):
    def convert(self, query, vars):
        if vars is None or isinstance(query, _queries.Template) or len(vars) > _MOST_PARAMETERS:
            return super().convert(query, vars)
        query = self._ensure_bytes(query)
        if len(query) > _LONGEST:
            return super().convert(query, vars)
        self.query, self._want_formats, self._order, self._parts = _queries._query2pg(query, self._tx.encoding)
        self.dump(vars)


class ServerBindingCursor(base.ServerBindingCursor):
    _query_cls = _Query


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:
            params["cursor_factory"] = ServerBindingCursor
        return params

    def is_usable(self):
        if self.connection is None:
            return False
        pgconn = self.connection.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return False
        try:
            poll = select.poll()  # not select(): it fails on descriptors past 1023
            poll.register(pgconn.socket, select.POLLIN)
            return not poll.poll(0)
        except (OSError, psycopg.OperationalError):  # no socket any more
            return False
