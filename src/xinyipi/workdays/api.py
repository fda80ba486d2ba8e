import datetime as dt

from ninja import Query, Router, Schema
from pydantic import Field

from xinyipi.core.errors import DomainError
from xinyipi.workdays.calendar import DateOutOfRange, add_working_days
from xinyipi.workdays.schemas import WorkingDayOut

router = Router(tags=["calendar"])


class WorkingDaysQuery(Schema):
    from_: dt.date = Field(..., alias="from", description="start date, YYYY-MM-DD; itself not counted")
    add: int = Field(..., ge=0, le=3650, description="how many working days to add")


@router.get("/working-days", response=WorkingDayOut, auth=None, summary="The Nth working day after a date")
def working_days(request, query: Query[WorkingDaysQuery]):
    try:
        deadline = add_working_days(query.from_, query.add)
    except DateOutOfRange as exc:
        raise DomainError(exc.code, exc.message, "from") from exc
    return {"date": deadline.date.isoformat(), "provisional": deadline.provisional}
