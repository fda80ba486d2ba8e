"""Append to the audit trail. Call inside the transaction of the write being audited."""

import datetime as dt
import decimal
import json
import uuid

from django.db import models, transaction

from xinyipi.audit.chain import canonical, entry_hash
from xinyipi.audit.models import AuditEntry, AuditHead
from xinyipi.core import clock
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
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the write it audits")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    # Normalise through JSON exactly as the database will give it back, so the hash verifies later.
    before = json.loads(canonical(_json_safe(before))) if before is not None else None
    after = json.loads(canonical(_json_safe(after))) if after is not None else None

    # The head row is locked last and held to commit: appends serialise and the chain never forks. Plain SQL
    # (three statements, two on PostgreSQL; no ORM query building): every audited write of every request runs this.
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(_head_sql(connection))
        head_seq, head_hash = cursor.fetchone()
        seq = head_seq + 1
        at = clock.now().astimezone(dt.UTC)
        label = _actor_label(actor, actor_label)
        digest = entry_hash(
            prev_hash=head_hash,
            seq=seq,
            at=at,
            actor_label=label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
        )
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_label=label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
            prev_hash=head_hash,
            hash=digest,
        )
        params = [field.get_db_prep_save(getattr(entry, field.attname), connection) for field in _ENTRY_FIELDS]
        move_head = f"UPDATE {AuditHead._meta.db_table} SET seq = %s, hash = %s WHERE id = 1"
        if connection.vendor == "postgresql":
            # The entry and the new head in one round trip (a data-modifying WITH always runs).
            cursor.execute(
                f"WITH entry AS ({_insert_sql(connection)} RETURNING id) {move_head} RETURNING (SELECT id FROM entry)",
                [*params, seq, digest],
            )
            entry.pk = cursor.fetchone()[0]
        else:
            cursor.execute(_insert_sql(connection) + " RETURNING id", params)
            entry.pk = cursor.fetchone()[0]
            cursor.execute(move_head, [seq, digest])
    entry._state.adding = False
    domain_event_log(action=action, object_type=object_type, object_id=object_id, actor_id=entry.actor_id)
    return entry


_ENTRY_FIELDS = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]


def _head_sql(connection) -> str:
    sql = f"SELECT seq, hash FROM {AuditHead._meta.db_table} WHERE id = 1"
    return sql + " FOR UPDATE" if connection.features.has_select_for_update else sql


def _insert_sql(connection) -> str:
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _ENTRY_FIELDS)
    placeholders = ", ".join(["%s"] * len(_ENTRY_FIELDS))
    return f"INSERT INTO {AuditEntry._meta.db_table} ({columns}) VALUES ({placeholders})"
