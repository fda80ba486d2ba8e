"""``GET /api/v1/stats`` (DESIGN.md §6.1, R13): rows of counts and rates per department, matter, mode or
credit level."""

import datetime as dt
from typing import Literal

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from xinyipi.api.schemas import ErrorOut
from xinyipi.core.errors import DomainError
from xinyipi.stats.figures import stats_counted
from xinyipi.stats.selectors import StatsFilter, stats_rows

router = Router(tags=["stats"])


class StatsQuery(Schema):
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    group_by: Literal["department", "matter", "mode", "credit_level"] = "department"


class StatsRowOut(Schema):
    department: str | None = None
    matter: str | None = None
    mode: str | None = None
    credit_level: str | None = None
    applications: int
    decided: int
    approved: int
    rejected: int
    certificates_waived: int = Field(description="Commitment cases approved (cases, not certificates).")
    certificates_not_fetched: int = Field(description="Certificates replaced by a commitment letter (R4).")
    materials_tolerated: int = Field(description="Cases filed under tolerance (cases, not materials).")
    tolerated_materials: int = Field(description="Materials missing at filing under tolerance (R6).")
    commitments_fulfilled: int
    commitments_nonconforming: int
    commitments_breached: int
    supplements_on_time: int
    supplements_late: int
    supplements_never: int
    served_commitment: int
    served_tolerance: int
    served_green_channel: int
    served_instant: int
    served_incentive_card: int
    dishonest_restricted: int = Field(description="Cases of subjects rated dishonest, sent to key review (R3/R9).")
    dishonest_subjects: int = Field(
        description="Distinct dishonest subjects among them: stopped from every convenience."
    )
    decided_within_promised: int
    decided_within_statutory: int
    approval_rate: float | None = None
    fulfilment_rate: float | None = None
    breach_rate: float | None = None
    days_saved_per_case: float | None = Field(None, description="Mean calendar days decided before the promised date.")
    median_days_to_decision: float | None = None


class StatsOut(Schema):
    items: list[StatsRowOut]


@router.get(
    "",
    response={200: StatsOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Counts and rates per department, matter, mode or credit level over a period (R13)",
    exclude_none=True,
)
def stats_get(request, query: Query[StatsQuery]):
    counted = stats_counted(request.auth, StatsFilter(date_from=query.date_from, date_to=query.date_to))
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise DomainError("period_invalid", _("统计起始日期不能晚于截止日期。"), field="from")
    return {"items": stats_rows(counted, group_by=query.group_by)}
