"""Plain INSERTs for the rows every state change writes (audit entries, credit-record events, outbox rows, a
case's history and materials), and a plain SELECT of one row for the reads every API request starts with.

The ORM's ``save()``/``create()`` costs several times the INSERT itself in Python (signals, field loops, query
compilation): on the hall's hot path (an instant approval writes a dozen rows) the statement is built once per
model and process and only the values are prepared per row. No signal is sent for these rows: no receiver is
connected to their models (``core.caches`` listens to the catalog's and accounts' models only).

Each function takes the thread's connection once: ``django.db.connection`` is a proxy that looks it up again at
every attribute, and preparing a row's values reads the connection several times per field.
"""

import datetime as dt
from contextlib import contextmanager
from functools import cache
from weakref import WeakKeyDictionary

from django.db import models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations

# Field classes whose ``get_db_prep_save`` gives back unchanged a value that already has the type named (``str()``
# of a str, ``bool()`` of a bool, ``int()`` of an int), and whose ``pre_save`` is the attribute itself. Exact
# classes only: a subclass (an encrypted field, say) may prepare its values differently.
_PLAIN = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
}
_KEYS = (models.AutoField, models.BigAutoField)


class _Moment:
    """The kind of a ``DateTimeField``: an aware datetime needs only the backend's adaptation (``get_prep_value``
    gives it back unchanged; it warns about and converts naive ones)."""


def _plain_type(field: models.Field, connection) -> type | None:
    """The type of value ``field`` passes to the driver as it is, or None when every value is prepared."""
    if type(field) is models.DateTimeField:
        return None if field.auto_now or field.auto_now_add else _Moment  # those set the value in pre_save
    if type(field) in (models.ForeignKey, models.OneToOneField):
        if type(field.target_field) not in _KEYS:
            return None
        kind = int
    else:
        kind = _PLAIN.get(type(field))
    adapts = type(connection.ops).adapt_integerfield_value is not BaseDatabaseOperations.adapt_integerfield_value
    if kind is int and adapts:
        return None  # psycopg is given integers wrapped in the column's own type
    return kind


@cache
def _preparers(model: type[models.Model], vendor: str) -> tuple[tuple[models.Field, str, type | None], ...]:
    connection = transaction.get_connection()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return tuple((f, f.attname, _plain_type(f, connection)) for f in fields)


def row_values(obj: models.Model, connection) -> list:
    """``obj``'s values for an INSERT of every concrete field but the key, as ``get_db_prep_save(pre_save())``
    gives them. A string, flag or integer that needs nothing is passed as it is, and an aware datetime only
    adapted by the backend: a filing prepares over a hundred values, and the field's own preparation costs several
    calls each."""
    values = []
    for field, attname, kind in _preparers(type(obj), connection.vendor):
        if kind is None:
            values.append(field.get_db_prep_save(field.pre_save(obj, add=True), connection))
            continue
        value = getattr(obj, attname)
        if value is None or type(value) is kind:
            values.append(value)
        elif kind is _Moment and type(value) is dt.datetime and value.utcoffset() is not None:
            values.append(connection.ops.adapt_datetimefield_value(value))
        else:
            values.append(field.get_db_prep_save(value, connection))
    return values


@cache
def _insert(model: type[models.Model], conflict: str | None, vendor: str) -> str:
    quote = transaction.get_connection().ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    if conflict is not None:
        sql += f" ON CONFLICT ({quote(model._meta.get_field(conflict).column)}) DO NOTHING"
    return sql + f" RETURNING {quote(model._meta.pk.column)}"


def insert_statement(obj: models.Model, *, conflict: str | None = None) -> tuple[str, list]:
    """``(sql, params)`` inserting ``obj`` and returning its primary key (nothing on a ``conflict``)."""
    connection = transaction.get_connection()
    return _insert(type(obj), conflict, connection.vendor), row_values(obj, connection)


def rows_insert(
    objs: list[models.Model], *, joined: "JoinedWrites | None" = None, carrying: "JoinedWrites | None" = None
) -> None:
    """INSERT rows of one model with one statement, in the caller's transaction, and give each its primary key.
    The keys come back in the order the rows were given, as Django's own ``bulk_create`` relies on for both
    databases. With ``joined`` (``writes_joined``) the statement is held to go out with a later one, and no key
    is read back; with ``carrying``, the statement takes the writes held until then."""
    if not objs:
        return
    connection = transaction.get_connection()
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {model._meta.db_table} ({columns}) VALUES {', '.join([row] * len(objs))} "
        f"RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
    )
    params = [value for obj in objs for value in row_values(obj, connection)]
    if joined is not None:
        joined.add((sql, params))
        return
    if carrying is not None:
        sql, params = carrying.carried_by(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [key for (key,) in cursor.fetchall()]
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias


_READERS: "WeakKeyDictionary[object, dict]" = WeakKeyDictionary()


def _reader(connection, model: type[models.Model], alias: str) -> tuple[str, list]:
    """The column list of ``model``'s fields (qualified by ``alias``) and, by position, the conversions the ORM
    applies to what the database gives back. Kept per connection, as the backend's conversions belong to it."""
    readers = _READERS.get(connection)
    if readers is None:
        readers = _READERS[connection] = {}
    reader = readers.get((model, alias))
    if reader is None:
        fields = model._meta.concrete_fields
        quote = connection.ops.quote_name
        columns = ", ".join(f"{alias}.{quote(f.column)}" if alias else quote(f.column) for f in fields)
        converters = []
        for position, field in enumerate(fields):
            expression = field.get_col(model._meta.db_table)
            functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
            if functions:
                converters.append((position, functions, expression))
        reader = readers[(model, alias)] = (columns, converters)
    return reader


def row_select(model: type[models.Model], sql: str, params: list, *, alias: str = "") -> models.Model | None:
    """The first row of ``SELECT {columns} {sql}`` as a ``model`` instance, its fields converted as the ORM
    converts them, or None. ``{columns}`` is every concrete field of ``model``, qualified by ``alias``.

    For the reads every API request makes first (the token's user, the subject): a raw queryset maps the
    columns by name and asks the backend for each field's conversions again at every query."""
    return row_select_with(model, sql, params, alias=alias)[0]


def row_select_with(
    model: type[models.Model], sql: str, params: list, *, alias: str = "", extra: tuple[str, ...] = ()
) -> tuple[models.Model | None, tuple]:
    """``row_select`` with ``extra`` expressions read in the same statement: ``(instance, their values)``, or
    ``(None, ())`` when there is no row."""
    connection = transaction.get_connection()
    columns, converters = _reader(connection, model, alias)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join([columns, *extra])} {sql}", params)
        row = cursor.fetchone()
    if row is None:
        return None, ()
    count = len(row) - len(extra)
    values = list(row[:count])
    for position, functions, expression in converters:
        value = values[position]
        for function in functions:
            value = function(value, expression, connection)
        values[position] = value
    return model.from_db(connection.alias, None, values), tuple(row[count:])


def row_insert(obj: models.Model, *, conflict: str | None = None) -> bool:
    """INSERT ``obj`` in the caller's transaction and give it its primary key. With ``conflict`` (a unique
    field), a row already holding that value is left alone and ``False`` returned: no savepoint is needed."""
    sql, params = insert_statement(obj, conflict=conflict)
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return True


class JoinedWrites:
    """Writes whose rows nothing in the transaction reads back, held to go out as the leading parts of one later
    statement (PostgreSQL's data-modifying WITH, whose every part runs): the audit append that ends a state
    change carries them, so a filing's credit-record events, history and statistics cost no round trip of their
    own. A statement takes them when its function is given the ``JoinedWrites`` as ``carrying``; whatever no
    statement took is sent as one statement when ``writes_joined`` ends.

    A part's SQL may name the rows the previous part returned as ``{previous}`` (a record event's sharing row
    takes its event's key). PostgreSQL runs a statement's parts in no set order: rows whose keys must follow one
    another go in one part, or the held parts are sent (``send``) before the later rows are added (``holds``
    tells whether rows of a table are held). Parts must not change the same row twice: PostgreSQL refuses an
    upsert that does, and keeps only one of two UPDATEs. Rows written by held parts are not seen by statements
    until the one that carries them has run, and get no primary key on their Python objects."""

    def __init__(self, connection):
        self.connection = connection
        self.parts: list[tuple[str, list]] = []

    def add(self, *parts: tuple[str, list]) -> None:
        self.parts.extend(parts)

    def holds(self, table: str) -> bool:
        return any(sql.startswith(f"INSERT INTO {table} ") for sql, _params in self.parts)

    def carried_by(self, sql: str, params: list) -> tuple[str, list]:
        """``sql`` (a statement, itself possibly opening with ``WITH``) with every held part in front; the parts
        are then no longer held."""
        if not self.parts:
            return sql, params
        names, ctes, values = [], [], []
        for n, (part, part_params) in enumerate(self.parts):
            names.append(f"joined{n}")
            ctes.append(f"joined{n} AS ({part.replace('{previous}', names[n - 1]) if n else part})")
            values += part_params
        self.parts = []
        if sql.startswith("WITH "):
            return f"WITH {', '.join(ctes)}, {sql.removeprefix('WITH ')}", [*values, *params]
        return f"WITH {', '.join(ctes)} {sql}", [*values, *params]

    def send(self) -> None:
        """Send what is still held, as one statement (the parts run even though its own query reads nothing)."""
        if self.parts:
            sql, params = self.carried_by("SELECT 1", [])
            with self.connection.cursor() as cursor:
                cursor.execute(sql, params)


@contextmanager
def writes_joined():
    """A ``JoinedWrites`` for the caller's transaction on PostgreSQL, None elsewhere (SQLite runs in this
    process: a statement costs no round trip, and each write runs where it is made). Held writes still
    waiting at the end of the block are sent then; on an exception they are dropped with the transaction."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("writes_joined must run inside the transaction of the writes")
    if connection.vendor != "postgresql":
        yield None
        return
    joined = JoinedWrites(connection)
    yield joined
    joined.send()
