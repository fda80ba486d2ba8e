"""Statistics for the bureau (R13), read from the rollup the moves keep (``rollup.py``, ``models.py``).

Per breakdown: one grouped query of the days' figures per cell (department, matter, mode, credit level) over
the period, one of the histogram of days to decision, and one of the dishonest subjects' cases (distinct
subjects do not add up across days). At a million cases they read tens of thousands of rows, not the cases.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import BooleanField, QuerySet, Sum
from django.db.models.expressions import RawSQL

from xinyipi.accounts.models import Department
from xinyipi.applications.models import Application, Status
from xinyipi.catalog.models import Matter
from xinyipi.core.clock import BEIJING
from xinyipi.stats.models import FIGURES as ROLLED_UP
from xinyipi.stats.models import DayFigures, DecisionDays

GROUPS = ("department", "matter", "mode", "credit_level")
# Every figure is summed once per cell of these columns, and each breakdown (and the totals) is a sum of cells:
# one pass over the period's rows serves them all. A matter belongs to one department, so cells stay few.
CELL = ("department_id", "matter_id", "mode", "credit_level")
# The case counts (the rollup's other columns are the materials and the decision sums ``_finish`` reads).
COUNTS = ROLLED_UP[: ROLLED_UP.index("certificates_not_fetched")]
FIGURES = [*COUNTS, "dishonest_subjects"]
CONVENIENCES = ["commitment", "tolerance", "green_channel", "instant", "incentive_card"]
TIMING = ["decided_within_promised", "decided_within_statutory", "days_saved_per_case", "median_days_to_decision"]
# Narrows a queryset of cases or rollup rows (each has department, matter and mode) to what the reader may count.
Narrow = Callable[[QuerySet], QuerySet]


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


def narrowed(rows: QuerySet, chosen: StatsFilter) -> QuerySet:
    """Cases or rollup rows of the chosen department, matter and mode (by key: no join to read the codes, so
    the readers' indexes, which begin with the department and matter, serve the filter)."""
    if chosen.department:
        rows = rows.filter(
            department_id=Department.objects.filter(code=chosen.department).values_list("id", flat=True).first()
        )
    if chosen.matter:
        rows = rows.filter(matter_id=Matter.objects.filter(code=chosen.matter).values_list("id", flat=True).first())
    if chosen.mode:
        rows = rows.filter(mode=chosen.mode)
    return rows


def cases_in_scope(cases: QuerySet, chosen: StatsFilter) -> QuerySet:
    """The filed cases of the chosen department, matter and mode, whenever filed."""
    return narrowed(cases.exclude(status=Status.DRAFT), chosen)


def days_in_period(rows: QuerySet, *, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """Rollup rows of the days of filing in the period (both ends included; an open end is unbounded)."""
    if date_from is not None:
        rows = rows.filter(day__gte=date_from)
    if date_to is not None:
        rows = rows.filter(day__lte=date_to)
    return rows


@dataclass(frozen=True)
class Counted:
    """What the figures are read from: the reader's scope (``narrow``) and the period of filing."""

    narrow: Narrow
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def rows(self, model) -> QuerySet:
        period = {"date_from": self.date_from, "date_to": self.date_to}
        return days_in_period(self.narrow(model.objects.all()), **period)

    def cases(self) -> QuerySet:
        cases = self.narrow(Application.objects.exclude(status=Status.DRAFT))
        return in_period(cases, "created_at", date_from=self.date_from, date_to=self.date_to)


def _cells(counted: Counted) -> dict[tuple, Counter]:
    """The rolled-up figures per cell, in one grouped query."""
    rows = counted.rows(DayFigures).values(*CELL).order_by().annotate(**{f"sum_{f}": Sum(f) for f in ROLLED_UP})
    return {tuple(row[c] for c in CELL): Counter({f: row[f"sum_{f}"] for f in ROLLED_UP}) for row in rows}


def _histogram(counted: Counted) -> dict[tuple, Counter]:
    """Cases decided after each number of days, per cell."""
    found: dict[tuple, Counter] = {}
    rows = counted.rows(DecisionDays).values_list(*CELL, "days").order_by().annotate(sum_n=Sum("n"))
    for *cell, days, n in rows:
        if n:
            found.setdefault(tuple(cell), Counter())[days] += n
    return found


# The dishonest subjects' cases, written into the SQL rather than bound: SQLite reads the partial index
# ``application_dishonest_idx`` (which holds every column read here) only when the query repeats its condition.
_DISHONEST = RawSQL(f'"{Application._meta.db_table}"."credit_level" = \'dishonest\'', [], BooleanField())


def _dishonest(counted: Counted) -> list[tuple]:
    """(cell, subject) of each dishonest subject's cases: distinct subjects do not add up across cells."""
    rows = counted.cases().filter(_DISHONEST).values_list("department_id", "matter_id", "mode", "subject_id")
    return [
        ((department, matter, mode, "dishonest"), subject)
        for department, matter, mode, subject in rows.distinct().order_by()
    ]


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


def _finish(sums: Counter, days: Counter, subjects: int) -> dict:
    row = {name: sums[name] for name in COUNTS} | {"dishonest_subjects": subjects}
    row |= {name: sums[name] for name in ("certificates_not_fetched", "tolerated_materials")}
    closed = row["commitments_fulfilled"] + row["commitments_breached"]
    with_due = sums["decided_with_due"]
    row |= {
        "approval_rate": _rate(row["approved"], row["decided"]),
        "fulfilment_rate": _rate(row["commitments_fulfilled"], closed),
        "breach_rate": _rate(row["commitments_breached"], closed),
        "decided_within_promised": sums["decided_within_promised"],
        "decided_within_statutory": sums["decided_within_statutory"],
        "days_saved_per_case": round(sums["days_saved"] / with_due, 2) if with_due else None,
        "median_days_to_decision": _median(days),
    }
    return row


def _fold(cells: dict, histogram: dict, dishonest: list, key) -> dict:
    """Sum the cells into groups: ``key(cell)`` names a cell's group."""
    groups: dict = {}
    for cell, sums in cells.items():
        group = groups.setdefault(key(cell), {"sums": Counter(), "days": Counter(), "subjects": set()})
        group["sums"].update(sums)
        group["days"].update(histogram.get(cell, Counter()))
    for cell, subject in dishonest:
        groups[key(cell)]["subjects"].add(subject)
    return {
        name: _finish(g["sums"], g["days"], len(g["subjects"]))
        for name, g in groups.items()
        if g["sums"]["applications"]
    }


def stats_summary(counted: Counted, *, group_by: tuple[str, ...] = GROUPS) -> tuple[dict, dict[str, list[dict]]]:
    """The totals (zeros when there is no case) and one list of rows per breakdown in ``group_by``: counts,
    rates and the time to decision. Three grouped queries, whatever the number of breakdowns."""
    cells, histogram, dishonest = _cells(counted), _histogram(counted), _dishonest(counted)
    totals = _fold(cells, histogram, dishonest, lambda cell: None).get(None) or _finish(Counter(), Counter(), 0)
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
        folded = _fold(cells, histogram, dishonest, keys[name])
        breakdowns[name] = [{name: group, **folded[group]} for group in sorted(folded, key=str)]
    return totals, breakdowns


def stats_rows(counted: Counted, *, group_by: str) -> list[dict]:
    """One row per key of ``group_by`` among the counted cases."""
    return stats_summary(counted, group_by=(group_by,))[1][group_by]


def stats_weekly(counted: Counted) -> list[dict]:
    """Applications filed, decided and approved per week of filing (Monday, Beijing time)."""
    weeks = (
        counted.rows(DayFigures)
        .values("week")
        .order_by("week")
        .annotate(applications=Sum("applications"), decided=Sum("decided"), approved=Sum("approved"))
    )
    return [row for row in weeks if row["applications"]]
