"""Statistics for the bureau (R13), counted from the cases with indexed queries.

Per breakdown: one grouped query of counts over the period's cases, one of the certificates and materials the
cases did without, and one histogram of (filing day, decision day) pairs from which the median, the limits
kept and the days saved are read. All three group in the database, so the rows fetched stay few at a million
cases; no rollup has to be kept in step with every transition.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from xinyipi.accounts.models import Department
from xinyipi.applications.models import ApplicationMaterial, Mode, Status, Verification
from xinyipi.catalog.models import Matter
from xinyipi.core.clock import BEIJING
from xinyipi.credit.models import CreditCheck
from xinyipi.stats.dbfunctions import BeijingDate, BeijingWeek, DaysBetween, Weekday

GROUPS = ("department", "matter", "mode", "credit_level")
# Every figure is counted once per cell of these columns, and each breakdown (and the totals) is a sum of cells:
# one pass over the cases serves them all. A matter belongs to one department, so cells stay few (hundreds).
CELL = ("department_id", "matter_id", "mode", "credit_level")

# A case approved once stays counted as approved whatever happened after (verification, revocation).
_APPROVED = (Status.APPROVED, Status.VERIFYING, Status.RECTIFYING, Status.VERIFIED, Status.REVOKED)
_DECIDED = (*_APPROVED, Status.REJECTED)
_COMMITMENT = Q(mode=Mode.COMMITMENT)
_TOLERANCE = Q(mode=Mode.TOLERANCE)
# A reminder (R7) is the only move that sets ``grace_due``: a tolerance case with one was late or never supplied.
_REMINDED = Q(grace_due__isnull=False)
# Rows of other tables are tested with ``IN (subquery)`` rather than joined: a join to every case's check and
# verification doubled the cost of the one pass over a million cases.
_BREACHED = Q(pk__in=Verification.objects.filter(outcome=Verification.Outcome.BREACHED).values("application_id"))
_CARD_COUNTED = Q(credit_check__in=CreditCheck.objects.filter(card_counted=True).values("id"))

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
    "commitments_breached": _COMMITMENT & _BREACHED,
    "supplements_on_time": _TOLERANCE & Q(status__in=_APPROVED) & ~_REMINDED,
    "supplements_late": _TOLERANCE & Q(status__in=_APPROVED) & _REMINDED,
    "supplements_never": _TOLERANCE & Q(status=Status.TERMINATED) & _REMINDED,
    "served_commitment": _COMMITMENT,
    "served_tolerance": _TOLERANCE,
    "served_green_channel": Q(green_channel=True),
    "served_instant": Q(mode=Mode.INSTANT),
    "served_incentive_card": _CARD_COUNTED,
    # R3/R9: a dishonest subject's case gets no convenience and goes to key review, whatever was asked for.
    "dishonest_restricted": Q(credit_level="dishonest"),
}
FIGURES = [*COUNTS, "dishonest_subjects"]
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


def _cells(cases: QuerySet) -> dict[tuple, dict]:
    """Counts per cell, in one grouped query."""
    aggregates = {
        name: Count("id", filter=condition) if condition else Count("id") for name, condition in COUNTS.items()
    }
    return {tuple(row.pop(c) for c in CELL): row for row in cases.values(*CELL).order_by().annotate(**aggregates)}


def _dishonest(cases: QuerySet) -> list[tuple]:
    """(cell, subject) of each dishonest subject's cases: distinct subjects do not add up across cells."""
    rows = cases.filter(COUNTS["dishonest_restricted"]).values_list(*CELL, "subject_id").distinct().order_by()
    return [(tuple(row[:-1]), row[-1]) for row in rows]


def _materials(cases: QuerySet) -> dict[tuple, Counter]:
    """Certificates not fetched thanks to a commitment (R4) and materials tolerated at filing (R6), per cell."""
    replaced, missing = (
        ApplicationMaterial.State.REPLACED,
        (ApplicationMaterial.State.MISSING, ApplicationMaterial.State.SUPPLIED),
    )
    rows = ApplicationMaterial.objects.filter(
        Q(state=replaced) | Q(state__in=missing, application__mode=Mode.TOLERANCE),
        application__in=cases.values("id"),
    )
    fields = [f"application__{c}" for c in CELL]
    found: dict[tuple, Counter] = {}
    for row in rows.values(*fields, "state").order_by().annotate(n=Count("id")):
        name = "certificates_not_fetched" if row["state"] == replaced else "tolerated_materials"
        found.setdefault(tuple(row[f] for f in fields), Counter())[name] += row["n"]
    return found


def _timing(cases: QuerySet) -> dict[tuple, dict]:
    """Time from filing to decision per cell: a histogram of whole Beijing days counted in the database, whether
    the promised date (``decision_due``) was kept, and the days decided before it. The statutory limit is checked
    on the histogram too: in working days (Monday to Friday from the filing weekday) or calendar days."""
    decided_on = BeijingDate("decided_at")
    kept = Q(decision_due__gte=decided_on)
    rows = (
        cases.filter(status__in=_DECIDED, decided_at__isnull=False)
        .annotate(
            days=DaysBetween(decided_on, BeijingDate("created_at")),
            # Only a case decided after its promised date needs its filing weekday (the promised limit is never
            # longer than the statutory one): the histogram stays a few rows per day count.
            weekday=Case(
                When(kept, then=Value(None)), default=Weekday(BeijingDate("created_at")), output_field=IntegerField()
            ),
            kept=ExpressionWrapper(kept, output_field=BooleanField()),
            saved=DaysBetween(F("decision_due"), decided_on),
        )
        .values(*CELL, "days", "weekday", "kept")
        .order_by()
        .annotate(n=Count("id"), saved_sum=Sum("saved"))
    )
    limits = dict(Matter.objects.values_list("id", "statutory_days"))
    units = dict(Matter.objects.values_list("id", "statutory_day_unit"))
    found: dict[tuple, dict] = {}
    for row in rows:
        cell = tuple(row[c] for c in CELL)
        group = found.setdefault(cell, _no_timing())
        n, days = row["n"], row["days"]
        group["days"][days] += n
        if row["kept"] is not None:
            group["with_due"] += n
            group["saved"] += row["saved_sum"] or 0
            group["promised"] += n if row["kept"] else 0
        if row["kept"]:
            group["statutory"] += n
            continue
        elapsed = _weekdays_after(row["weekday"], days) if units.get(row["matter_id"]) == "working" else days
        group["statutory"] += n if elapsed <= limits.get(row["matter_id"], 0) else 0
    return found


def _weekdays_after(weekday: int, days: int) -> int:
    """Monday-to-Friday days in the ``days`` days after a day of ``weekday`` (0 Sunday), that day not counted."""
    return sum(1 for k in range(1, days + 1) if (weekday + k) % 7 not in (0, 6))


def _no_timing() -> dict:
    return {"days": Counter(), "promised": 0, "statutory": 0, "saved": 0, "with_due": 0}


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


def _finish(counts: dict, materials: Counter, timing: dict) -> dict:
    row = {**counts, "certificates_not_fetched": materials["certificates_not_fetched"]}
    row["tolerated_materials"] = materials["tolerated_materials"]
    closed = row["commitments_fulfilled"] + row["commitments_breached"]
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


def _fold(cells, dishonest, materials, timing, key) -> dict:
    """Sum the cells into groups: ``key(cell)`` names a cell's group."""
    groups: dict = {}
    for cell, counts in cells.items():
        group = groups.setdefault(
            key(cell), {"counts": Counter(), "materials": Counter(), "timing": _no_timing(), "subjects": set()}
        )
        group["counts"].update(counts)
        group["materials"].update(materials.get(cell, Counter()))
        cell_timing = timing.get(cell)
        if cell_timing:
            for name in ("promised", "statutory", "saved", "with_due"):
                group["timing"][name] += cell_timing[name]
            group["timing"]["days"].update(cell_timing["days"])
    for cell, subject in dishonest:
        groups[key(cell)]["subjects"].add(subject)
    return {
        name: _finish(
            {**dict.fromkeys(COUNTS, 0), **g["counts"], "dishonest_subjects": len(g["subjects"])},
            g["materials"],
            g["timing"],
        )
        for name, g in groups.items()
    }


def stats_summary(cases: QuerySet, *, group_by: tuple[str, ...] = GROUPS) -> tuple[dict, dict[str, list[dict]]]:
    """The totals over ``cases`` (zeros when there is none) and one list of rows per breakdown in ``group_by``:
    counts, rates and the time to decision. Four grouped queries, whatever the number of breakdowns."""
    cells, dishonest, materials, timing = _cells(cases), _dishonest(cases), _materials(cases), _timing(cases)
    totals = _fold(cells, dishonest, materials, timing, lambda cell: None).get(None) or _finish(
        dict.fromkeys(FIGURES, 0), Counter(), _no_timing()
    )
    codes = {
        "department": dict(Department.objects.values_list("id", "code")),
        "matter": dict(Matter.objects.values_list("id", "code")),
    }
    keys = {
        "department": lambda cell: codes["department"].get(cell[0]),
        "matter": lambda cell: codes["matter"].get(cell[1]),
        "mode": lambda cell: cell[2],
        "credit_level": lambda cell: cell[3],
    }
    breakdowns = {}
    for name in group_by:
        folded = _fold(cells, dishonest, materials, timing, keys[name])
        breakdowns[name] = [{name: group, **folded[group]} for group in sorted(folded, key=str)]
    return totals, breakdowns


def stats_rows(cases: QuerySet, *, group_by: str) -> list[dict]:
    """One row per key of ``group_by`` among ``cases``."""
    return stats_summary(cases, group_by=(group_by,))[1][group_by]


def stats_weekly(cases: QuerySet) -> list[dict]:
    """Applications filed, decided and approved per week of filing (Monday, Beijing time)."""
    weeks = (
        cases.annotate(week=BeijingWeek("created_at"))
        .values("week")
        .order_by("week")
        .annotate(
            applications=Count("id"),
            decided=Count("id", filter=COUNTS["decided"]),
            approved=Count("id", filter=COUNTS["approved"]),
        )
    )
    return list(weeks)
