"""Append to a subject's credit record. Call inside the transaction of the change it records."""

from django.db import models, transaction

from xinyipi.core import clock
from xinyipi.records.models import CreditRecordEvent


def record_append(
    *,
    subject,
    type: str,
    summary: str,
    payload: dict | None = None,
    source: models.Model | None = None,
    actor=None,
    at=None,
) -> CreditRecordEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_append must run inside the transaction of the change it records")
    if type not in CreditRecordEvent.Type.values:
        raise ValueError(f"unknown credit-record event type {type!r}")
    return CreditRecordEvent.objects.create(
        subject=subject,
        type=type,
        at=at or clock.now(),
        summary=summary[:500],
        payload=payload or {},
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "",
        actor_label=actor.get_username() if getattr(actor, "is_authenticated", False) else "system",
    )


def credit_record_read_log(*, actor, subject, via: str) -> None:
    """Every reading of a subject's credit record is in the audit trail (who, whose, through what)."""
    from xinyipi.audit.services import audit_record

    with transaction.atomic():
        audit_record(actor=actor, action="records.credit_record.view", obj=subject, after={"via": via})
