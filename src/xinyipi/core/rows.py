"""Plain INSERTs for the rows every state change writes (audit entries, credit-record events, outbox rows, a
case's history and materials).

The ORM's ``save()``/``create()`` costs several times the INSERT itself in Python (signals, field loops, query
compilation): on the hall's hot path (an instant approval writes a dozen rows) the statement is built once per
model and process and only the values are prepared per row. No signal is sent for these rows: no receiver is
connected to their models (``core.caches`` listens to the catalog's and accounts' models only).

Each function takes the thread's connection once: ``django.db.connection`` is a proxy that looks it up again at
every attribute, and preparing a row's values reads the connection several times per field.
"""

from functools import cache

from django.db import models, transaction


@cache
def _insert(model: type[models.Model], conflict: str | None, vendor: str) -> tuple[str, list]:
    quote = transaction.get_connection().ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    if conflict is not None:
        sql += f" ON CONFLICT ({quote(model._meta.get_field(conflict).column)}) DO NOTHING"
    return sql + f" RETURNING {quote(model._meta.pk.column)}", fields


def insert_statement(obj: models.Model, *, conflict: str | None = None) -> tuple[str, list]:
    """``(sql, params)`` inserting ``obj`` and returning its primary key (nothing on a ``conflict``)."""
    connection = transaction.get_connection()
    sql, fields = _insert(type(obj), conflict, connection.vendor)
    return sql, [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]


def rows_insert(objs: list[models.Model]) -> None:
    """INSERT rows of one model with one statement, in the caller's transaction, and give each its primary key.
    The keys come back in the order the rows were given, as Django's own ``bulk_create`` relies on for both
    databases."""
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
    params = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for obj in objs for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [key for (key,) in cursor.fetchall()]
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias


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
