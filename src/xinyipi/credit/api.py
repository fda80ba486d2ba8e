"""``/api/v1/credit-checks`` (DESIGN.md §6.1): run a check, read one (each read is recorded, R8)."""

from ninja import Router, Status

from xinyipi.accounts.access import access_credit_check_by_id, require_perm
from xinyipi.api.schemas import ErrorOut
from xinyipi.credit.schemas import CreditCheckIn, CreditCheckOut, credit_check_out
from xinyipi.credit.selectors import credit_subject_for_code
from xinyipi.credit.services import credit_check_access_log, credit_check_run

router = Router(tags=["credit-checks"])

_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.post(
    "",
    response={200: CreditCheckOut, 422: ErrorOut, **_ERRORS},
    summary="Check a subject's credit with every configured source",
)
def credit_check_create(request, payload: CreditCheckIn):
    require_perm(request.auth, "credit.add_creditcheck")
    subject = credit_subject_for_code(payload.subject_code)
    check = credit_check_run(
        subject=subject, purpose=payload.purpose, actor=request.auth, incentive_card=payload.incentive_card
    )
    return Status(200, credit_check_out(check))


@router.get("/{check_id}", response={200: CreditCheckOut, **_ERRORS}, summary="One credit check (the read is recorded)")
def credit_check_get(request, check_id: int):
    check = access_credit_check_by_id(request.auth, check_id)
    credit_check_access_log(check=check, actor=request.auth, channel="api")
    return Status(200, credit_check_out(check))
