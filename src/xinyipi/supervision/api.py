"""``/api/v1/blacklist`` (DESIGN.md §6.1): the city list's entries, for staff. Objections come later."""

from ninja import Query, Router, Schema
from pydantic import Field

from xinyipi.accounts.access import blacklist_entries_for_actor
from xinyipi.api.schemas import ErrorOut
from xinyipi.subjects.models import Subject
from xinyipi.subjects.selectors import subject_key
from xinyipi.supervision.schemas import BlacklistPageOut, blacklist_entry_out
from xinyipi.supervision.selectors import blacklist_page

router = Router(tags=["blacklist"])


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
