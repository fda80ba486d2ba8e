from typing import Literal

from ninja import Schema
from pydantic import Field

from xinyipi.supervision.models import BlacklistEntry, CreditRepair, Objection


class ObjectionOut(Schema):
    status: str = Field(..., json_schema_extra={"enum": Objection.Status.values})
    statement: str
    filed_at: str
    decided_at: str | None
    outcome: str | None = Field(..., json_schema_extra={"enum": ["uphold", "dismiss", None]})
    reason: str
    files: list[dict] = Field(default_factory=list, description="name, size, type and SM3 of each file")


class BlacklistEntryOut(Schema):
    id: int
    subject_code: str = Field(..., description="the enterprise's USCC; a person's ID number masked")
    subject_name: str
    reason: str = Field(..., json_schema_extra={"enum": BlacklistEntry.Reason.values})
    reason_text: str
    severity: str = Field(..., json_schema_extra={"enum": BlacklistEntry.Severity.values})
    case_id: int | None
    proposed_at: str
    objection_due: str
    listed_at: str | None
    publicity_until: str | None
    status: str = Field(..., json_schema_extra={"enum": BlacklistEntry.Status.values})
    objection: ObjectionOut | None = Field(None, description="the entry's latest objection, if any")


class BlacklistPageOut(Schema):
    items: list[BlacklistEntryOut]
    next: str | None


class ObjectionIn(Schema):
    statement: str = Field(..., max_length=5000)


class ObjectionDecisionIn(Schema):
    outcome: Literal["uphold", "dismiss"]
    reason: str = Field("", max_length=2000)


class CreditRepairIn(Schema):
    subject_code: str = Field(..., max_length=40)
    statement: str = Field(..., max_length=5000)
    entry_id: int | None = None


class CreditRepairDecisionIn(Schema):
    outcome: Literal["approve", "refuse"]
    reason: str = Field("", max_length=2000)


class CreditRepairOut(Schema):
    id: int
    subject_code: str
    subject_name: str
    entry_id: int
    status: str = Field(..., json_schema_extra={"enum": CreditRepair.Status.values})
    statement: str
    requested_at: str
    due: str = Field(..., description="the day by which a credit officer decides (YYYY-MM-DD)")
    commitment_sm3: str
    commitment_signed_at: str
    decided_at: str | None
    outcome: str | None = Field(..., json_schema_extra={"enum": ["approve", "refuse", None]})
    reason: str


class CreditRepairPageOut(Schema):
    items: list[CreditRepairOut]
    next: str | None


def _moment(value) -> str | None:
    from xinyipi.core import clock

    return clock.to_beijing(value).isoformat() if value else None


def _files(rows) -> list[dict]:
    return [{"name": f.file_name, "size": f.file_size, "type": f.file_type, "sm3": f.file_sm3} for f in rows]


def objection_out(objection: Objection | None) -> dict | None:
    if objection is None:
        return None
    return {
        "status": objection.status,
        "statement": objection.statement,
        "filed_at": _moment(objection.filed_at),
        "decided_at": _moment(objection.decided_at),
        "outcome": objection.outcome,
        "reason": objection.reason,
        "files": _files(objection.files.all()),
    }


def blacklist_entry_out(entry: BlacklistEntry) -> dict:
    # ``objections`` is prefetched by the list; one entry reads its own.
    objections = sorted(entry.objections.all(), key=lambda o: o.pk)
    return {
        "id": entry.pk,
        "subject_code": entry.subject.code_display,
        "subject_name": entry.subject.name,
        "reason": entry.reason,
        "reason_text": entry.reason_text,
        "severity": entry.severity,
        "case_id": entry.case_id,
        "proposed_at": _moment(entry.proposed_at),
        "objection_due": entry.objection_due.isoformat(),
        "listed_at": _moment(entry.listed_at),
        "publicity_until": entry.publicity_until.isoformat() if entry.publicity_until else None,
        "status": entry.status,
        "objection": objection_out(objections[-1] if objections else None),
    }


def credit_repair_out(repair: CreditRepair) -> dict:
    outcome = {CreditRepair.Status.APPROVED: "approve", CreditRepair.Status.REFUSED: "refuse"}.get(repair.status)
    return {
        "id": repair.pk,
        "subject_code": repair.subject.code_display,
        "subject_name": repair.subject.name,
        "entry_id": repair.entry_id,
        "status": repair.status,
        "statement": repair.statement,
        "requested_at": _moment(repair.requested_at),
        "due": repair.due.isoformat(),
        "commitment_sm3": repair.commitment_sm3,
        "commitment_signed_at": _moment(repair.commitment_signed_at),
        "decided_at": _moment(repair.decided_at),
        "outcome": outcome,
        "reason": repair.reason,
    }
