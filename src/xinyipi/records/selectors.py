"""Reading a subject's credit record (R8): its events newest first, in keyset pages, each described in
Chinese (as recorded) and in English (from its type, case and matter)."""

from dataclasses import dataclass

from django.utils import translation

from xinyipi.core import clock
from xinyipi.core.paging import cursor_decode, cursor_encode, cursor_id, page_limit
from xinyipi.records.models import CreditRecordEvent


@dataclass(frozen=True)
class RecordPage:
    events: list[dict]
    next: str | None


def _english(event: CreditRecordEvent) -> str:
    with translation.override("en"):
        label = str(CreditRecordEvent.Type(event.type).label) if event.type in CreditRecordEvent.Type.values else ""
    parts = [label or event.type]
    payload = event.payload or {}
    if payload.get("number"):
        parts.append(f"case {payload['number']}")
    if payload.get("matter_code"):
        parts.append(f"matter {payload['matter_code']}")
    return ", ".join(parts)


def event_out(event: CreditRecordEvent) -> dict:
    payload = event.payload or {}
    return {
        "id": event.pk,
        "type": event.type,
        "type_label": str(event.get_type_display()),
        "at": clock.to_beijing(event.at).isoformat(),
        "at_label": clock.to_beijing(event.at).strftime("%Y-%m-%d %H:%M"),
        "actor": event.actor_label,
        "case_number": payload.get("number") or None,
        "description": {"zh": event.summary, "en": _english(event)},
    }


def credit_record_page(*, subject, cursor: str | None = None, limit: int = 50) -> RecordPage:
    """The subject's events, newest first; ``cursor`` continues after the last event of the previous page."""
    rows = CreditRecordEvent.objects.filter(subject=subject)
    if cursor:
        (last,) = cursor_decode(cursor, 1)
        rows = rows.filter(id__lt=cursor_id(last))
    limit = page_limit(limit)
    events = list(rows.order_by("-id")[: limit + 1])
    more = len(events) > limit
    events = events[:limit]
    return RecordPage(
        events=[event_out(e) for e in events], next=cursor_encode(events[-1].pk) if more and events else None
    )


def credit_record_level(*, subject) -> dict:
    """The level of the subject's newest recorded credit check (reading the record runs no new check)."""
    from xinyipi.credit.models import CreditCheck

    check = CreditCheck.objects.filter(subject=subject).order_by("-checked_at", "-id").first()
    if check is None:
        return {"level": None, "level_checked_at": None}
    return {"level": check.level, "level_checked_at": clock.to_beijing(check.checked_at).isoformat()}
