"""Append to the audit trail. Call inside the transaction of the write being audited."""

import datetime as dt
import decimal
import json
import uuid

from django.db import models, transaction

from xinyipi.audit.chain import canonical, entry_hash_of
from xinyipi.audit.models import AuditEntry, AuditHead
from xinyipi.core import clock
from xinyipi.core.rows import JoinedWrites, row_values
from xinyipi.ops.logs import domain_event_log


def _json_safe(value):
    """Plain JSON for before/after snapshots, stable across the round trip through the database."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """The concrete field values of ``obj`` (foreign keys as ids), for before/after."""
    data = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.attname] = _json_safe(getattr(obj, field.attname))
    return data


def _actor_label(actor, actor_label: str | None) -> str:
    if actor_label:
        return actor_label
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    return actor.get_username()


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict | None = None,
    after: dict | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry chained to the previous one. Must run inside the audited write's transaction."""
    entry = {"actor": actor, "action": action, "obj": obj, "object_type": object_type, "object_id": object_id}
    return audit_records([entry | {"before": before, "after": after, "actor_label": actor_label}])[0]


def audit_records(entries: list[dict], *, carrying: JoinedWrites | None = None) -> list[AuditEntry]:
    """Append several entries (each with ``audit_record``'s keyword arguments) in their order, chained as if
    appended one by one, with one read and one move of the chain's head: a filing audits its credit check and
    itself together. Must run inside the audited write's transaction. The writes ``carrying`` holds go out with
    the entries' statement (``core.rows.writes_joined``)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the write it audits")
    if not entries:
        return []
    # The head row is locked first and held to commit: appends serialise and the chain never forks. Plain SQL
    # (three statements, two on PostgreSQL; no ORM query building): every audited write of every request runs this.
    rows = [_entry(**kwargs) for kwargs in entries]
    with connection.cursor() as cursor:
        cursor.execute(_head_sql(connection))
        seq, digest = cursor.fetchone()
        at = clock.now().astimezone(dt.UTC)  # after the head is ours: times follow the sequence
        for entry in rows:
            seq += 1
            entry.seq, entry.at, entry.prev_hash = seq, at, digest
            entry.hash = digest = entry_hash_of(entry)
        params = [value for entry in rows for value in row_values(entry, connection)]
        values = ", ".join([_PLACEHOLDERS] * len(rows))
        move_head = f"UPDATE {AuditHead._meta.db_table} SET seq = %s, hash = %s WHERE id = 1"
        if connection.vendor == "postgresql":
            # The entries and the new head in one round trip (a data-modifying WITH always runs).
            sql = (
                f"WITH entry AS ({_insert_sql(connection)} {values} RETURNING id) "
                f"{move_head} RETURNING (SELECT array_agg(id ORDER BY id) FROM entry)"
            )
            params = [*params, seq, digest]
            if carrying is not None:
                sql, params = carrying.carried_by(sql, params)
            cursor.execute(sql, params)
            keys = cursor.fetchone()[0]
        else:
            cursor.execute(f"{_insert_sql(connection)} {values} RETURNING id", params)
            keys = sorted(key for (key,) in cursor.fetchall())
            cursor.execute(move_head, [seq, digest])
    for entry, key in zip(rows, keys, strict=True):
        entry.pk = key
        entry._state.adding = False
        domain_event_log(
            action=entry.action, object_type=entry.object_type, object_id=entry.object_id, actor_id=entry.actor_id
        )
    return rows


def _entry(*, actor, action, obj=None, object_type="", object_id="", before=None, after=None, actor_label=None):
    """The entry's own content; its place in the chain (sequence, time, hashes) is set under the head's lock."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    # Normalise through JSON exactly as the database will give it back, so the hash verifies later.
    return AuditEntry(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_actor_label(actor, actor_label),
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=json.loads(canonical(_json_safe(before))) if before is not None else None,
        after=json.loads(canonical(_json_safe(after))) if after is not None else None,
    )


_ENTRY_FIELDS = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]


def _head_sql(connection) -> str:
    sql = f"SELECT seq, hash FROM {AuditHead._meta.db_table} WHERE id = 1"
    return sql + " FOR UPDATE" if connection.features.has_select_for_update else sql


_PLACEHOLDERS = f"({', '.join(['%s'] * len(_ENTRY_FIELDS))})"


def _insert_sql(connection) -> str:
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _ENTRY_FIELDS)
    return f"INSERT INTO {AuditEntry._meta.db_table} ({columns}) VALUES"
