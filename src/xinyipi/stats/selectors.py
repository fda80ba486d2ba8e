"""Statistics for the bureau (R13), counted from the cases with indexed queries.

Per breakdown: one grouped query of counts over the period's cases, one of the certificates and materials the
cases did without, and one histogram of (filing day, decision day) pairs from which the median, the limits
kept and the days saved are read. All three group in the database, so the rows fetched stay few at a million
cases; no rollup has to be kept in step with every transition.
"""

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate, TruncWeek

from xinyipi.applications.models import ApplicationMaterial, Mode, Status
from xinyipi.catalog.models import Matter
from xinyipi.core.clock import BEIJING
from xinyipi.workdays.calendar import working_days_between

GROUPS = {
    "department": "department__code",
    "matter": "matter__code",
    "mode": "mode",
    "credit_level": "credit_level",
}

# A case approved once stays counted as approved whatever happened after (verification, revocation).
_APPROVED = (Status.APPROVED, Status.VERIFYING, Status.RECTIFYING, Status.VERIFIED, Status.REVOKED)
_DECIDED = (*_APPROVED, Status.REJECTED)
_COMMITMENT = Q(mode=Mode.COMMITMENT)
_TOLERANCE = Q(mode=Mode.TOLERANCE)
# A reminder (R7) is the only move that sets ``grace_due``: a tolerance case with one was late or never supplied.
_REMINDED = Q(grace_due__isnull=False)

# Counts over the cases, each one filtered aggregate of the same scan.
COUNTS = {
    "applications": Q(),
    "decided": Q(status__in=_DECIDED),
    "approved": Q(status__in=_APPROVED),
    "rejected": Q(status=Status.REJECTED),
    "certificates_waived": _COMMITMENT & Q(status__in=_APPROVED),
    "materials_tolerated": _TOLERANCE,
    "commitments_fulfilled": _COMMITMENT & Q(status=Status.VERIFIED),
    # R7: found nonconforming once (a rectification was ordered), whatever the re-check found.
    "commitments_nonconforming": _COMMITMENT & Q(rectification_due__isnull=False),
    "commitments_breached": _COMMITMENT & Q(verification__outcome="breached"),
    "supplements_on_time": _TOLERANCE & Q(status__in=_APPROVED) & ~_REMINDED,
    "supplements_late": _TOLERANCE & Q(status__in=_APPROVED) & _REMINDED,
    "supplements_never": _TOLERANCE & Q(status=Status.TERMINATED) & _REMINDED,
    "served_commitment": _COMMITMENT,
    "served_tolerance": _TOLERANCE,
    "served_green_channel": Q(green_channel=True),
    "served_instant": Q(mode=Mode.INSTANT),
    "served_incentive_card": Q(credit_check__card_counted=True),
    # R3/R9: a dishonest subject's case gets no convenience and goes to key review, whatever was asked for.
    "dishonest_restricted": Q(credit_level="dishonest"),
}
CONVENIENCES = ["commitment", "tolerance", "green_channel", "instant", "incentive_card"]
TIMING = ["decided_within_promised", "decided_within_statutory", "days_saved_per_case", "median_days_to_decision"]


@dataclass(frozen=True)
class StatsFilter:
    """What the bureau chose: a period of filing (Beijing dates, both ends included) and optional scope keys."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    department: str | None = None
    matter: str | None = None
    mode: str | None = None

    @property
    def narrowed(self) -> bool:
        return bool(self.department or self.matter or self.mode)


def beijing_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=BEIJING)


def in_period(queryset: QuerySet, field: str, *, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """Rows whose ``field`` falls in the period (Beijing dates, both ends included; an open end is unbounded)."""
    if date_from is not None:
        queryset = queryset.filter(**{f"{field}__gte": beijing_start(date_from)})
    if date_to is not None:
        queryset = queryset.filter(**{f"{field}__lt": beijing_start(date_to + dt.timedelta(days=1))})
    return queryset


def cases_in_scope(cases: QuerySet, chosen: StatsFilter) -> QuerySet:
    """The filed cases of the chosen department, matter and mode, whenever filed."""
    cases = cases.exclude(status=Status.DRAFT)
    if chosen.department:
        cases = cases.filter(department__code=chosen.department)
    if chosen.matter:
        cases = cases.filter(matter__code=chosen.matter)
    if chosen.mode:
        cases = cases.filter(mode=chosen.mode)
    return cases


def cases_in_period(cases: QuerySet, *, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """Cases filed in the period (Beijing dates, both ends included; an open end is unbounded)."""
    return in_period(cases.exclude(status=Status.DRAFT), "created_at", date_from=date_from, date_to=date_to)


def _counts(cases: QuerySet, key: str | None) -> dict:
    aggregates = {
        name: Count("id", filter=condition) if condition else Count("id") for name, condition in COUNTS.items()
    }
    aggregates["dishonest_subjects"] = Count("subject", distinct=True, filter=COUNTS["dishonest_restricted"])
    if key is None:
        row = cases.aggregate(**aggregates)
        return {None: row} if row["applications"] else {}
    return {row.pop(key): row for row in cases.values(key).order_by(key).annotate(**aggregates)}


def _materials(cases: QuerySet, key: str | None) -> dict[object, Counter]:
    """Certificates not fetched thanks to a commitment (R4) and materials tolerated at filing (R6), per group."""
    rows = ApplicationMaterial.objects.filter(
        Q(state=ApplicationMaterial.State.REPLACED)
        | Q(
            state__in=(ApplicationMaterial.State.MISSING, ApplicationMaterial.State.SUPPLIED),
            application__mode=Mode.TOLERANCE,
        ),
        application__in=cases.values("id"),
    )
    group = f"application__{key}" if key else None
    fields = [group, "state"] if group else ["state"]
    found: dict[object, Counter] = {}
    for row in rows.values(*fields).order_by(*fields).annotate(n=Count("id")):
        name = (
            "certificates_not_fetched" if row["state"] == ApplicationMaterial.State.REPLACED else "tolerated_materials"
        )
        found.setdefault(row.get(group), Counter())[name] += row["n"]
    return found


@functools.lru_cache(maxsize=65536)
def _working_days(start: dt.date, end: dt.date) -> int:
    return working_days_between(start, end)


def _elapsed(filed: dt.date, decided: dt.date, unit: str) -> int:
    return _working_days(filed, decided) if unit == Matter.DayUnit.WORKING else max((decided - filed).days, 0)


def _timing(cases: QuerySet, key: str | None) -> dict[object, dict]:
    """Time from filing to decision, from a histogram of whole Beijing days counted in the database."""
    decided = cases.filter(status__in=_DECIDED, decided_at__isnull=False).annotate(
        filed_on=TruncDate("created_at", tzinfo=BEIJING), decided_on=TruncDate("decided_at", tzinfo=BEIJING)
    )
    fields = ["filed_on", "decided_on", "decision_due", "matter__statutory_days", "matter__statutory_day_unit"]
    if key:
        fields.insert(0, key)
    found: dict[object, dict] = {}
    for row in decided.values(*fields).order_by().annotate(n=Count("id")):
        group = found.setdefault(
            row.get(key) if key else None, {"days": Counter(), "promised": 0, "statutory": 0, "saved": 0, "with_due": 0}
        )
        filed_on, decided_on, n = row["filed_on"], row["decided_on"], row["n"]
        group["days"][(decided_on - filed_on).days] += n
        if row["decision_due"] is not None:
            group["with_due"] += n
            group["saved"] += (row["decision_due"] - decided_on).days * n
            group["promised"] += n if decided_on <= row["decision_due"] else 0
        statutory = _elapsed(filed_on, decided_on, row["matter__statutory_day_unit"]) <= row["matter__statutory_days"]
        group["statutory"] += n if statutory else 0
    return found


def _median(days: Counter) -> float | None:
    total = sum(days.values())
    if not total:
        return None
    ordered = sorted(days.items())

    def nth(index: int) -> int:
        seen = 0
        for value, n in ordered:
            seen += n
            if index < seen:
                return value
        raise IndexError(index)

    middle = total // 2
    return float(nth(middle)) if total % 2 else (nth(middle - 1) + nth(middle)) / 2


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _finish(counts: dict, materials: Counter, timing: dict | None) -> dict:
    row = {**counts, "certificates_not_fetched": materials["certificates_not_fetched"]}
    row["tolerated_materials"] = materials["tolerated_materials"]
    closed = row["commitments_fulfilled"] + row["commitments_breached"]
    timing = timing or {"days": Counter(), "promised": 0, "statutory": 0, "saved": 0, "with_due": 0}
    row |= {
        "approval_rate": _rate(row["approved"], row["decided"]),
        "fulfilment_rate": _rate(row["commitments_fulfilled"], closed),
        "breach_rate": _rate(row["commitments_breached"], closed),
        "decided_within_promised": timing["promised"],
        "decided_within_statutory": timing["statutory"],
        "days_saved_per_case": round(timing["saved"] / timing["with_due"], 2) if timing["with_due"] else None,
        "median_days_to_decision": _median(timing["days"]),
    }
    return row


def stats_rows(cases: QuerySet, *, group_by: str) -> list[dict]:
    """One row per key of ``group_by`` among ``cases``: counts, rates and the time to decision."""
    key = GROUPS[group_by]
    counts, materials, timing = _counts(cases, key), _materials(cases, key), _timing(cases, key)
    return [
        {group_by: group, **_finish(row, materials.get(group, Counter()), timing.get(group))}
        for group, row in counts.items()
    ]


def stats_totals(cases: QuerySet) -> dict:
    """The same figures over every case of ``cases`` (zeros when there is none)."""
    counts = _counts(cases, None).get(None) or dict.fromkeys([*COUNTS, "dishonest_subjects"], 0)
    return _finish(counts, _materials(cases, None).get(None, Counter()), _timing(cases, None).get(None))


def stats_weekly(cases: QuerySet) -> list[dict]:
    """Applications filed, decided and approved per week of filing (Monday, Beijing time)."""
    weeks = (
        cases.annotate(week=TruncWeek("created_at", tzinfo=BEIJING))
        .values("week")
        .order_by("week")
        .annotate(
            applications=Count("id"),
            decided=Count("id", filter=COUNTS["decided"]),
            approved=Count("id", filter=COUNTS["approved"]),
        )
    )
    return [
        {**row, "week": row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]} for row in weeks
    ]
