from ninja import Schema
from pydantic import Field

from xinyipi.supervision.models import BlacklistEntry


class BlacklistEntryOut(Schema):
    id: int
    subject_code: str = Field(..., description="the enterprise's USCC; a person's ID number masked")
    subject_name: str
    reason: str = Field(..., json_schema_extra={"enum": BlacklistEntry.Reason.values})
    reason_text: str
    case_id: int | None
    proposed_at: str
    objection_due: str
    listed_at: str | None
    publicity_until: str | None
    status: str = Field(..., json_schema_extra={"enum": BlacklistEntry.Status.values})


class BlacklistPageOut(Schema):
    items: list[BlacklistEntryOut]
    next: str | None


def blacklist_entry_out(entry: BlacklistEntry) -> dict:
    from xinyipi.core import clock

    return {
        "id": entry.pk,
        "subject_code": entry.subject.code_display,
        "subject_name": entry.subject.name,
        "reason": entry.reason,
        "reason_text": entry.reason_text,
        "case_id": entry.case_id,
        "proposed_at": clock.to_beijing(entry.proposed_at).isoformat(),
        "objection_due": entry.objection_due.isoformat(),
        "listed_at": clock.to_beijing(entry.listed_at).isoformat() if entry.listed_at else None,
        "publicity_until": entry.publicity_until.isoformat() if entry.publicity_until else None,
        "status": entry.status,
    }
