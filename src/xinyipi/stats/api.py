"""``GET /api/v1/stats`` (DESIGN.md §6.1, R13): rows of counts and rates per department, matter or mode."""

import datetime as dt
from typing import Literal

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from xinyipi.accounts.access import stats_cases_for_actor
from xinyipi.api.schemas import ErrorOut
from xinyipi.core.errors import DomainError
from xinyipi.stats.selectors import cases_in_period, stats_rows

router = Router(tags=["stats"])


class StatsQuery(Schema):
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    group_by: Literal["department", "matter", "mode"] = "department"


class StatsRowOut(Schema):
    department: str | None = None
    matter: str | None = None
    mode: str | None = None
    applications: int
    decided: int
    approved: int
    certificates_waived: int
    materials_tolerated: int
    commitments_fulfilled: int
    commitments_breached: int
    approval_rate: float | None = None
    fulfilment_rate: float | None = None
    breach_rate: float | None = None
    median_days_to_decision: float | None = None


class StatsOut(Schema):
    items: list[StatsRowOut]


@router.get(
    "",
    response={200: StatsOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Counts and rates per department, matter or mode over a period (R13)",
    exclude_none=True,
)
def stats_get(request, query: Query[StatsQuery]):
    cases = stats_cases_for_actor(request.auth)
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise DomainError("period_invalid", _("统计起始日期不能晚于截止日期。"), field="from")
    cases = cases_in_period(cases, date_from=query.date_from, date_to=query.date_to)
    return {"items": stats_rows(cases, group_by=query.group_by)}
