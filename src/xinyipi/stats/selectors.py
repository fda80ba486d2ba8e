"""Statistics for the bureau (R13), counted from the cases with indexed queries.

One grouped query per figure set over the period's cases: the department, matter and subject indexes
bound the scan, so no rollup has to be kept in step with every transition.
"""

import datetime as dt
import statistics

from django.db.models import Count, Q, QuerySet

from xinyipi.applications.models import Mode, Status

GROUPS = {"department": "department__code", "matter": "matter__code", "mode": "mode"}

# A case approved once stays counted as approved whatever happened after (verification, revocation).
_APPROVED = (Status.APPROVED, Status.VERIFYING, Status.RECTIFYING, Status.VERIFIED, Status.REVOKED)
_DECIDED = (*_APPROVED, Status.REJECTED)


def _beijing_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def cases_in_period(cases: QuerySet, *, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """Cases filed in the period (Beijing dates, both ends included; an open end is unbounded)."""
    cases = cases.exclude(status=Status.DRAFT)
    if date_from is not None:
        cases = cases.filter(created_at__gte=_beijing_start(date_from))
    if date_to is not None:
        cases = cases.filter(created_at__lt=_beijing_start(date_to + dt.timedelta(days=1)))
    return cases


def stats_rows(cases: QuerySet, *, group_by: str) -> list[dict]:
    """One row per key of ``group_by`` among ``cases``: counts, rates and the median days to decision."""
    key = GROUPS[group_by]
    counted = (
        cases.values(key)
        .order_by(key)
        .annotate(
            applications=Count("id"),
            decided=Count("id", filter=Q(status__in=_DECIDED)),
            approved=Count("id", filter=Q(status__in=_APPROVED)),
            certificates_waived=Count("id", filter=Q(mode=Mode.COMMITMENT, status__in=_APPROVED)),
            materials_tolerated=Count("id", filter=Q(mode=Mode.TOLERANCE)),
            commitments_fulfilled=Count("id", filter=Q(mode=Mode.COMMITMENT, status=Status.VERIFIED)),
            commitments_breached=Count("id", filter=Q(mode=Mode.COMMITMENT, status=Status.REVOKED)),
        )
    )
    waits: dict[str, list[float]] = {}
    decided = cases.filter(status__in=_DECIDED, decided_at__isnull=False).values_list(key, "created_at", "decided_at")
    for group, created_at, decided_at in decided.iterator(chunk_size=5000):
        waits.setdefault(group, []).append((decided_at - created_at).total_seconds() / 86400)
    rows = []
    for row in counted:
        group = row.pop(key)
        commitments_closed = row["commitments_fulfilled"] + row["commitments_breached"]
        group_waits = waits.get(group)
        rows.append(
            {
                group_by: group,
                **row,
                "approval_rate": round(row["approved"] / row["decided"], 4) if row["decided"] else None,
                "fulfilment_rate": (
                    round(row["commitments_fulfilled"] / commitments_closed, 4) if commitments_closed else None
                ),
                "breach_rate": round(row["commitments_breached"] / commitments_closed, 4)
                if commitments_closed
                else None,
                "median_days_to_decision": round(statistics.median(group_waits), 2) if group_waits else None,
            }
        )
    return rows
