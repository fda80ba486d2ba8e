"""``/api/v1/blacklist`` and ``/api/v1/credit-repairs`` (DESIGN.md §6.1): the city list's entries with their
objections, and credit repair requests."""

from ninja import Query, Router, Schema, Status
from pydantic import Field

from xinyipi.accounts.access import access_acting_for, blacklist_entries_for_actor
from xinyipi.api.schemas import ErrorOut
from xinyipi.core.errors import NotFound
from xinyipi.credit.selectors import credit_subject_for_code
from xinyipi.subjects.models import Subject
from xinyipi.subjects.selectors import subject_key
from xinyipi.supervision.schemas import (
    BlacklistEntryOut,
    BlacklistPageOut,
    CreditRepairDecisionIn,
    CreditRepairIn,
    CreditRepairOut,
    CreditRepairPageOut,
    ObjectionDecisionIn,
    ObjectionIn,
    blacklist_entry_out,
    credit_repair_out,
)
from xinyipi.supervision.selectors import (
    OBJECTION_DECIDE,
    REPAIR_DECIDE,
    REPAIR_RECORD,
    blacklist_page,
    entry_by_id,
    entry_for_subject_side,
    repair_by_id,
    repair_queue,
)
from xinyipi.supervision.services.objections import objection_decide, objection_file
from xinyipi.supervision.services.repairs import credit_repair_decide, credit_repair_request

router = Router(tags=["blacklist"])
repairs_router = Router(tags=["credit-repairs"])

_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class BlacklistQuery(Schema):
    subject_code: str | None = Field(None, max_length=40, description="the subject's full USCC or ID number")
    status: str | None = None
    cursor: str | None = Field(None, max_length=40)
    limit: int = Field(50, ge=1, le=200)


@router.get(
    "",
    response={200: BlacklistPageOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Entries of the city list, newest first (keyset pages)",
)
def blacklist_list(request, filters: Query[BlacklistQuery]):
    blacklist_entries_for_actor(request.auth)  # staff only, before the code is looked up
    subject = None
    if filters.subject_code:
        subject = Subject.objects.filter(code_hash=subject_key(filters.subject_code)).first()
        if subject is None:
            return {"items": [], "next": None}
    page = blacklist_page(
        actor=request.auth, subject=subject, status=filters.status or "", cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [blacklist_entry_out(e) for e in page.items], "next": page.next}


@router.post(
    "/{entry_id}/objection",
    response={200: BlacklistEntryOut, **_ERRORS},
    summary="Object to a proposed listing within its objection period (the subject's agent, or the window)",
)
def blacklist_objection(request, entry_id: int, payload: ObjectionIn):
    entry, at_window = entry_for_subject_side(actor=request.auth, entry_id=entry_id)
    entry = objection_file(entry=entry, actor=request.auth, statement=payload.statement, at_window=at_window)
    return blacklist_entry_out(entry)


@router.post(
    "/{entry_id}/objection-decision",
    response={200: BlacklistEntryOut, **_ERRORS},
    summary="Answer the open objection: uphold withdraws the proposal; dismiss (reason required) lets it stand",
)
def blacklist_objection_decision(request, entry_id: int, payload: ObjectionDecisionIn):
    entry = entry_by_id(actor=request.auth, entry_id=entry_id, perm=OBJECTION_DECIDE)
    entry = objection_decide(entry=entry, actor=request.auth, outcome=payload.outcome, reason=payload.reason)
    return blacklist_entry_out(entry)


class RepairQuery(Schema):
    status: str | None = "requested"
    cursor: str | None = Field(None, max_length=80)
    limit: int = Field(50, ge=1, le=200)


@repairs_router.get(
    "",
    response={200: CreditRepairPageOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Repair requests by due date, earliest first (keyset pages)",
)
def credit_repair_list(request, filters: Query[RepairQuery]):
    page = repair_queue(actor=request.auth, status=filters.status or "", cursor=filters.cursor, limit=filters.limit)
    return {"items": [credit_repair_out(r) for r in page.items], "next": page.next}


@repairs_router.post(
    "",
    response={201: CreditRepairOut, **_ERRORS},
    summary="Ask for credit repair of a listing (the subject's agent, or the window); too early → 422 repair_too_early",
)
def credit_repair_create(request, payload: CreditRepairIn):
    actor = request.auth
    at_window = actor.has_perm(REPAIR_RECORD)
    if not at_window:
        access_acting_for(actor)  # the window, or an account acting for some subject: 403 for any other
    subject = credit_subject_for_code(payload.subject_code)
    if not at_window:
        access_acting_for(actor, subject)
    entry = None
    if payload.entry_id is not None:
        entry = subject.blacklist_entries.filter(pk=payload.entry_id).first()
        if entry is None:
            raise NotFound("blacklist_entry_not_found", "", "entry_id")
    repair = credit_repair_request(
        subject=subject, actor=actor, statement=payload.statement, entry=entry, at_window=at_window
    )
    return Status(201, credit_repair_out(repair))


@repairs_router.post(
    "/{repair_id}/decision",
    response={200: CreditRepairOut, **_ERRORS},
    summary="Approve (the listing ends at once) or refuse (reason required) a repair request",
)
def credit_repair_decision(request, repair_id: int, payload: CreditRepairDecisionIn):
    repair = repair_by_id(actor=request.auth, repair_id=repair_id, perm=REPAIR_DECIDE)
    repair = credit_repair_decide(repair=repair, actor=request.auth, outcome=payload.outcome, reason=payload.reason)
    return credit_repair_out(repair)
