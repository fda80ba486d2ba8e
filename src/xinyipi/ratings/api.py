"""``POST /api/v1/applications/{id}/rating`` (DESIGN.md §6.1): the applicant's agent rates online; a staff member
with access to the case records a rating from the window's rating device — staff who serve at a window (the
综合受理窗口, a department's reviewers for its cases), not the credit officers or the bureau (403)."""

import datetime as dt

from ninja import Router, Schema, Status
from pydantic import Field

from xinyipi.accounts.access import access_application_by_id, acts_for
from xinyipi.api.schemas import ErrorOut
from xinyipi.ratings.models import Rating
from xinyipi.ratings.services import rating_record

router = Router(tags=["ratings"])


class RatingIn(Schema):
    score: int = Field(description="5 非常满意 … 1 非常不满意")
    comment: str = ""
    event: str | None = Field(None, description="filing | supplement | decision; default: the case's latest")


class RatingOut(Schema):
    id: int
    score: int
    comment: str
    event: str
    follow_up_due: dt.date | None = None


@router.post(
    "/{application_id}/rating",
    response={201: RatingOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Rate a service event of the case (好差评); a score ≤ 2 opens a follow-up; a second rating → 409",
)
def rating_post(request, application_id: int, payload: RatingIn):
    application = access_application_by_id(request.auth, application_id, action="rate")
    source = Rating.Source.ONLINE if acts_for(request.auth, application.subject_id) else Rating.Source.WINDOW
    rating = rating_record(
        actor=request.auth,
        application=application,
        score=payload.score,
        comment=payload.comment,
        event=payload.event,
        source=source,
    )
    follow_up = getattr(rating, "follow_up", None) if rating.is_bad else None
    return Status(
        201,
        {
            "id": rating.pk,
            "score": rating.score,
            "comment": rating.comment,
            "event": rating.event,
            "follow_up_due": follow_up.due_date if follow_up else None,
        },
    )
