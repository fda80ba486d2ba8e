"""``/api/v1/applications`` (DESIGN.md §6.1): file, read (with ``history``), list, supplement, decide, verify,
withdraw. Interface only: parse, authorise, call the service, render."""

from ninja import Query, Router, Schema, Status
from pydantic import Field

from xinyipi.accounts.access import access_application_by_id, access_filing
from xinyipi.api.schemas import ErrorOut
from xinyipi.applications.models import Channel
from xinyipi.applications.schemas import (
    ApplicationDetailOut,
    ApplicationIn,
    ApplicationOut,
    ApplicationPageOut,
    CorrectionIn,
    CorrectionRequestIn,
    DecisionIn,
    ReturnIn,
    ReturnResolutionIn,
    SupplementIn,
    VerificationIn,
    WithdrawalIn,
    application_out,
)
from xinyipi.applications.selectors import application_history, application_page, matter_for_filing
from xinyipi.applications.services import (
    application_correction_answer,
    application_correction_request,
    application_decide,
    application_file,
    application_return,
    application_return_resolve,
    application_supplement,
    application_verify,
    application_withdraw,
)
from xinyipi.credit.selectors import credit_subject_for_code
from xinyipi.subjects.models import Subject
from xinyipi.subjects.selectors import subject_key

router = Router(tags=["applications"])

_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_ACTION_ERRORS = {**_ERRORS, 409: ErrorOut}


# Every move on one case answers with the case and its history as they are after the move.
_ACTION = {"response": {200: ApplicationDetailOut, **_ACTION_ERRORS}, "by_alias": True}


def _detail(request, application_id: int) -> dict:
    application = access_application_by_id(request.auth, application_id)
    return application_out(application, history=application_history(application=application))


def _act(request, application_id: int, action: str, service, **arguments) -> dict:
    """Load the case the caller may ``action`` (403 for a caller who never does it, 404 outside its scope),
    run ``service`` on it as the caller (the service checks the move), and answer with the case as it is now."""
    application = access_application_by_id(request.auth, application_id, action=action)
    service(actor=request.auth, application=application, **arguments)
    return _detail(request, application_id)


@router.post(
    "",
    response={201: ApplicationOut, **_ERRORS},
    summary="File a case (credit check first; only the modes the subject and the matter allow)",
)
def application_create(request, payload: ApplicationIn):
    actor = request.auth
    access_filing(actor)
    subject = credit_subject_for_code(payload.subject_code)
    clerk = access_filing(actor, subject)
    matter = matter_for_filing(payload.matter_code)
    application = application_file(
        actor=actor,
        matter=matter,
        subject=subject,
        mode=payload.mode,
        materials=payload.materials,
        commitment=payload.commitment.model_dump() if payload.commitment else None,
        supplement_pledge=payload.supplement_pledge.model_dump() if payload.supplement_pledge else None,
        channel=Channel.WINDOW if clerk else Channel.ONLINE,
        incentive_card=payload.incentive_card,
        # The API carries no files: what an applicant files through it comes on paper to the window.
        paper=None if clerk else payload.materials,
    )
    # The case was made in this request by this actor: no second access check, the parts are at hand.
    return Status(201, application_out(application))


class ApplicationQuery(Schema):
    status: str | None = None
    mode: str | None = None
    matter_code: str | None = Field(None, max_length=50)
    subject_code: str | None = Field(None, max_length=40)
    green_channel: bool | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


@router.get("", response={200: ApplicationPageOut, **_ERRORS}, summary="Cases, newest first (keyset pages)")
def application_list(request, filters: Query[ApplicationQuery]):
    subject = None
    if filters.subject_code:
        subject = Subject.objects.filter(code_hash=subject_key(filters.subject_code)).first()
        if subject is None:
            return {"items": [], "next": None}
    page = application_page(
        actor=request.auth,
        status=filters.status,
        mode=filters.mode,
        matter_code=filters.matter_code,
        subject=subject,
        green_channel=filters.green_channel,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [application_out(a) for a in page.items], "next": page.next}


@router.get(
    "/{application_id}",
    response={200: ApplicationDetailOut, **_ERRORS},
    by_alias=True,
    summary="One case with its history",
)
def application_get(request, application_id: int):
    return _detail(request, application_id)


@router.post(
    "/{application_id}/supplements",
    **_ACTION,
    summary="Supply missing materials; the case is approved at once when nothing is missing",
)
def application_supplements(request, application_id: int, payload: SupplementIn):
    return _act(request, application_id, "supplement", application_supplement, materials=payload.materials)


@router.post(
    "/{application_id}/decision",
    **_ACTION,
    summary="Approve or reject (reviewers of the matter's department)",
)
def application_decision(request, application_id: int, payload: DecisionIn):
    return _act(request, application_id, "decide", application_decide, outcome=payload.outcome, reason=payload.reason)


@router.post(
    "/{application_id}/verification",
    **_ACTION,
    summary=(
        "Record the verification of a commitment: fulfilled → verified, nonconforming → rectifying "
        "(a second nonconforming → revoked), breached → revoked and a listing proposed"
    ),
)
def application_verification(request, application_id: int, payload: VerificationIn):
    return _act(
        request, application_id, "verify", application_verify, outcome=payload.outcome, evidence=payload.evidence
    )


@router.post(
    "/{application_id}/withdrawal",
    **_ACTION,
    summary="Withdraw a case that is still open (the applicant)",
)
def application_withdrawal(request, application_id: int, payload: WithdrawalIn):
    return _act(request, application_id, "withdraw", application_withdraw, reason=payload.reason)


@router.post(
    "/{application_id}/correction-request",
    **_ACTION,
    summary=(
        "Issue the one correction notice (补正材料通知书, 行政许可法 Art. 32): every material to correct and why; "
        "the decision clock stops until the answer (reviewer of the department, or the window at acceptance)"
    ),
)
def application_correction_request_post(request, application_id: int, payload: CorrectionRequestIn):
    return _act(
        request,
        application_id,
        "request_correction",
        application_correction_request,
        items=[item.model_dump() for item in payload.items],
        note=payload.note,
    )


@router.post(
    "/{application_id}/correction",
    **_ACTION,
    summary="Answer the correction notice (every listed material); the case goes back to review",
)
def application_correction_post(request, application_id: int, payload: CorrectionIn):
    return _act(
        request,
        application_id,
        "supplement",
        application_correction_answer,
        materials=payload.materials,
        note=payload.note,
    )


@router.post(
    "/{application_id}/return",
    **_ACTION,
    summary="Return a case under review to the window, before any decision (reviewer of the department)",
)
def application_return_post(request, application_id: int, payload: ReturnIn):
    return _act(request, application_id, "return", application_return, reason=payload.reason)


@router.post(
    "/{application_id}/return-resolution",
    **_ACTION,
    summary="The window answers a returned case: resubmit to review, or not accept (termination notice)",
)
def application_return_resolution_post(request, application_id: int, payload: ReturnResolutionIn):
    return _act(
        request,
        application_id,
        "resubmit",
        application_return_resolve,
        outcome=payload.outcome,
        reason=payload.reason,
    )
