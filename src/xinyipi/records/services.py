"""Append to a subject's credit record. Call inside the transaction of the change it records.

Each event gets its sharing row (``RecordShare``) in that same transaction: the event and its place in the
queue towards the credit platform commit together or not at all (``records.sharing``).
"""

from django.db import models, transaction
from django.utils import timezone

from xinyipi.core import clock
from xinyipi.core.rows import JoinedWrites, insert_statement
from xinyipi.records.models import CreditRecordEvent, RecordShare

_SHARE_TABLE = RecordShare._meta.db_table


def record_append(
    *,
    subject,
    type: str,
    summary: str,
    payload: dict | None = None,
    source: models.Model | None = None,
    actor=None,
    at=None,
    joined: JoinedWrites | None = None,
) -> CreditRecordEvent:
    """The event, with its sharing row. With ``joined`` (``core.rows.writes_joined``) both rows go out with a later
    statement of the transaction, and the event's key is not read back."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("record_append must run inside the transaction of the change it records")
    try:
        CreditRecordEvent.Type(type)  # a dictionary lookup; ``Type.values`` builds a list on every call
    except ValueError:
        raise ValueError(f"unknown credit-record event type {type!r}") from None
    event = CreditRecordEvent(
        subject=subject,
        type=type,
        at=at or clock.now(),
        summary=summary[:500],
        payload=payload or {},
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "",
        actor_label=actor.get_username() if getattr(actor, "is_authenticated", False) else "system",
    )
    # Plain SQL (``core.rows``): every recorded state change pays for these rows, and the ORM's create costs
    # several times the INSERT itself (benchmarks/sharing_bench.py). The sharing row's time is the wall clock:
    # how long the event has waited to be shared, whatever moment a sweep acted as if at. On PostgreSQL both
    # rows are one statement (one round trip).
    sql, params = insert_statement(event)
    shared_at = connection.ops.adapt_datetimefield_value(timezone.now())
    share = f"INSERT INTO {connection.ops.quote_name(_SHARE_TABLE)} (event_id, created_at, batch_id)"
    if joined is not None:
        if joined.holds(CreditRecordEvent._meta.db_table):
            joined.send()  # a subject's events are read in the order of their keys: this one comes after
        joined.add((sql, params), (f"{share} SELECT id, %s, NULL FROM {{previous}}", [shared_at]))
        return event
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH event AS ({sql}) {share} SELECT id, %s, NULL FROM event RETURNING event_id",
                           [*params, shared_at])  # fmt: skip
            event.pk = cursor.fetchone()[0]
        else:
            cursor.execute(sql, params)
            event.pk = cursor.fetchone()[0]
            cursor.execute(f"{share} VALUES (%s, %s, NULL)", [event.pk, shared_at])
    event._state.adding = False
    return event


def credit_record_read_log(*, actor, subject, via: str) -> None:
    """Every reading of a subject's credit record is in the audit trail (who, whose, through what)."""
    from xinyipi.audit.services import audit_record

    with transaction.atomic():
        audit_record(actor=actor, action="records.credit_record.view", obj=subject, after={"via": via})
