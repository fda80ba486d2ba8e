"""Per-process copies of rarely changed data read on every request (the catalog and letter templates, a user's
permissions), so the hot paths (an instant approval, DESIGN.md §7) read one row instead of several.

Each copy is checked on use against its generation (``CacheGeneration``), one primary-key read: every process
of every host sees a change at its next use, not after a timeout. A change writes a new *random* generation in
the changing transaction (signals on save and delete, ``generation_bump`` where a service writes with
``update()``): a rollback brings back the old value, which is then still right, and a value once replaced never
comes back, so a copy can never pass for data it was not made from.
"""

import secrets
import threading
from collections.abc import Callable, Hashable

from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

from xinyipi.core.models import CacheGeneration

CATALOG = "catalog"
PERMISSIONS = "permissions"

_TABLE = CacheGeneration._meta.db_table


# Within one request every generation is read once, with one statement, at the first use of any copy
# (``request_started`` opens the memo, ``request_finished`` drops it); outside requests (the worker, commands)
# each use reads afresh.
_request = threading.local()


def _request_open(**kwargs) -> None:
    _request.generations = None


def _request_close(**kwargs) -> None:
    _request.__dict__.pop("generations", None)


request_started.connect(_request_open, dispatch_uid="xinyipi.core.caches.open")
request_finished.connect(_request_close, dispatch_uid="xinyipi.core.caches.close")


def generations_column(connection) -> str:
    """An expression that carries every generation (``name:value,…``), for the request's first statement to
    read them with it (the token's user, ``accounts.services``): the memo is then filled without a statement
    of its own. Names are code constants, with no comma."""
    aggregate = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    return f"(SELECT {aggregate}(name || ':' || value, ',') FROM {_TABLE})"


def generations_seen(text: str | None) -> None:
    """Fill this request's memo from what ``generations_column`` read, unless it is filled already; outside a
    request there is no memo to fill."""
    if _request.__dict__.get("generations", False) is not None:
        return
    pairs = (item.rsplit(":", 1) for item in text.split(",")) if text else ()
    _request.generations = {name: int(value) for name, value in pairs}


def generation(name: str) -> int:
    """The current generation of ``name`` (0 before its first change)."""
    if "generations" not in _request.__dict__:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT value FROM {_TABLE} WHERE name = %s", [name])
            row = cursor.fetchone()
        return row[0] if row else 0
    if _request.generations is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT name, value FROM {_TABLE}")
            _request.generations = dict(cursor.fetchall())
    return _request.generations.get(name, 0)


def generation_bump(name: str) -> None:
    """Mark every copy of ``name`` stale, in the caller's transaction (and at once in this request)."""
    value = secrets.randbits(62) + 1
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} (name, value) VALUES (%s, %s) "
            f"ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [name, value],
        )
    if getattr(_request, "generations", None) is not None:
        _request.generations[name] = value


class GenerationCache:
    """Values computed from the data of one generation name, kept until that generation changes."""

    def __init__(self, name: str):
        self.name = name
        self._seen: int | None = None
        self._values: dict = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], object]):
        current = generation(self.name)  # first: a value loaded after a concurrent change is only reloaded
        with self._lock:
            if current != self._seen:
                self._values = {}
                self._seen = current
            if key in self._values:
                return self._values[key]
        value = load()
        with self._lock:
            if self._seen == current:
                self._values[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._values = {}
            self._seen = None


def bump_on_change(name: str, *senders, through=()) -> None:
    """Bump ``name`` whenever a row of ``senders`` is saved or deleted, or a many-to-many link in ``through`` is
    changed (called from the apps' ``ready``)."""

    def bump(sender, **kwargs):
        if kwargs.get("raw"):  # loaddata: no cache to keep right, maybe no table yet
            return
        generation_bump(name)

    for sender in senders:
        post_save.connect(bump, sender=sender, weak=False, dispatch_uid=f"caches:{name}:save:{sender._meta.label}")
        post_delete.connect(bump, sender=sender, weak=False, dispatch_uid=f"caches:{name}:delete:{sender._meta.label}")
    for model in through:
        m2m_changed.connect(bump, sender=model, weak=False, dispatch_uid=f"caches:{name}:m2m:{model._meta.label}")
