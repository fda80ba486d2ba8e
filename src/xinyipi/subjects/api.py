from ninja import Router, Status

from xinyipi.accounts.access import access_subject_by_code, require_perm
from xinyipi.api.schemas import ErrorOut
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
