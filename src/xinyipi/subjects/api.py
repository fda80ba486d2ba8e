from ninja import Query, Router, Schema, Status
from pydantic import Field

from xinyipi.accounts.access import access_credit_record, access_subject_by_code, require_perm
from xinyipi.api.schemas import ErrorOut
from xinyipi.records.schemas import CreditRecordOut
from xinyipi.records.selectors import credit_record_level, credit_record_page
from xinyipi.records.services import credit_record_read_log
from xinyipi.subjects.schemas import SubjectIn, SubjectOut
from xinyipi.subjects.services import subject_register

router = Router(tags=["subjects"])

_ERRORS = {401: ErrorOut, 403: ErrorOut}


@router.post(
    "",
    response={201: SubjectOut, 409: ErrorOut, 422: ErrorOut, **_ERRORS},
    summary="Register an enterprise or a person",
)
def subject_create(request, payload: SubjectIn):
    require_perm(request.auth, "subjects.add_subject")
    return Status(201, subject_register(actor=request.auth, **payload.model_dump()))


@router.get("/{code}", response={200: SubjectOut, 404: ErrorOut, **_ERRORS}, summary="A subject by its full code")
def subject_get(request, code: str):
    return access_subject_by_code(request.auth, code)


class RecordQuery(Schema):
    cursor: str | None = Field(None, max_length=40)
    limit: int = Field(50, ge=1, le=200)


@router.get(
    "/{code}/credit-record",
    response={200: CreditRecordOut, 404: ErrorOut, 422: ErrorOut, **_ERRORS},
    summary="The subject's credit record (R8): its events newest first, in keyset pages",
)
def subject_credit_record(request, code: str, filters: Query[RecordQuery]):
    subject = access_credit_record(request.auth, code)
    page = credit_record_page(subject=subject, cursor=filters.cursor, limit=filters.limit)
    credit_record_read_log(actor=request.auth, subject=subject, via="api")
    return {
        "subject_code": subject.code_display,
        **credit_record_level(subject=subject),
        "events": page.events,
        "next": page.next,
    }
