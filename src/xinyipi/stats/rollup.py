"""What one case adds to the statistics (R13), and keeping the rollup tables in step with every move.

A case adds to the row of its filing day and cell (``DayFigures``) the figures ``figures_of`` reads from its
facts, and, once decided, one to the histogram of days to decision (``DecisionDays``). A move changes a few
facts: the change to the figures is the difference of the figures before and after, added by one upsert in
the move's own transaction (``rollup_move``). Filing adds the case whole; ``rollup_rebuild`` sums every case
afresh with the same function, so a kept table and a rebuilt one can be compared (the tests do).

On PostgreSQL the upsert locks the cell's row of the day until the move commits: two moves of one cell on one
day wait for each other only for the rest of the first one's transaction, so the services call it last.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import cache

from django.db import connection, transaction

from xinyipi.applications.models import ApplicationMaterial, Mode, Status, Verification
from xinyipi.core import clock
from xinyipi.core.rows import JoinedWrites
from xinyipi.stats.models import FIGURES, DayFigures, DecisionDays

# A case approved once stays counted as approved whatever happened after (verification, revocation).
APPROVED = frozenset({Status.APPROVED, Status.VERIFYING, Status.RECTIFYING, Status.VERIFIED, Status.REVOKED})
DECIDED = APPROVED | {Status.REJECTED}
TOLERATED_STATES = frozenset({ApplicationMaterial.State.MISSING, ApplicationMaterial.State.SUPPLIED})


@dataclass(frozen=True)
class CaseFacts:
    """What of one case the figures read. ``card_counted``, ``certificates_replaced`` and ``materials_missing``
    are fixed at filing: filing passes them, a later move leaves them at zero before and after alike."""

    day: dt.date
    department_id: int
    matter_id: int
    mode: str
    credit_level: str
    status: str
    green_channel: bool = False
    reminded: bool = False  # R7: a reminder set the grace date (a supplement late or never brought)
    rectified: bool = False  # R7: found nonconforming once, a rectification ordered
    breached: bool = False  # R7: a verification found the commitment false
    decided_on: dt.date | None = None
    decision_due: dt.date | None = None
    statutory_days: int = 0
    statutory_working: bool = False
    card_counted: bool = False
    certificates_replaced: int = 0
    materials_missing: int = 0

    @property
    def cell(self) -> tuple:
        return (self.day, self.department_id, self.matter_id, self.mode, self.credit_level)


def figures_of(facts: CaseFacts | None) -> Counter:
    """The figures one case adds to its day's row (none for a draft, which is no application yet)."""
    if facts is None or facts.status == Status.DRAFT:
        return Counter()
    status, mode = facts.status, facts.mode
    commitment, tolerance = mode == Mode.COMMITMENT, mode == Mode.TOLERANCE
    approved = status in APPROVED
    found = Counter(
        applications=1,
        decided=status in DECIDED,
        approved=approved,
        rejected=status == Status.REJECTED,
        certificates_waived=commitment and approved,
        materials_tolerated=tolerance,
        commitments_fulfilled=commitment and status == Status.VERIFIED,
        commitments_nonconforming=commitment and facts.rectified,
        commitments_breached=commitment and facts.breached,
        supplements_on_time=tolerance and approved and not facts.reminded,
        supplements_late=tolerance and approved and facts.reminded,
        supplements_never=tolerance and status == Status.TERMINATED and facts.reminded,
        served_commitment=commitment,
        served_tolerance=tolerance,
        served_green_channel=facts.green_channel,
        served_instant=mode == Mode.INSTANT,
        served_incentive_card=facts.card_counted,
        dishonest_restricted=facts.credit_level == "dishonest",
        certificates_not_fetched=facts.certificates_replaced,
        tolerated_materials=facts.materials_missing if tolerance else 0,
    )
    days = days_to_decision(facts)
    if days is not None:
        kept = facts.decision_due is not None and facts.decision_due >= facts.decided_on
        if facts.decision_due is not None:
            found["decided_with_due"] += 1
            found["decided_within_promised"] += kept
            found["days_saved"] += (facts.decision_due - facts.decided_on).days
        elapsed = weekdays_after(facts.day, days) if facts.statutory_working else days
        found["decided_within_statutory"] += kept or elapsed <= facts.statutory_days
    return Counter({name: int(n) for name, n in found.items() if n})


def days_to_decision(facts: CaseFacts | None) -> int | None:
    """Calendar days from filing to decision (Beijing days), or None while undecided."""
    if facts is None or facts.status not in DECIDED or facts.decided_on is None:
        return None
    return (facts.decided_on - facts.day).days


def weekdays_after(day: dt.date, days: int) -> int:
    """Monday-to-Friday days in the ``days`` days after ``day``, that day not counted: the statutory limit in
    working days, as the figures count it (holidays and make-up days are not told apart)."""
    return sum(1 for k in range(1, days + 1) if (day + dt.timedelta(days=k)).isoweekday() <= 5)


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def application_facts(application, **facts) -> CaseFacts:
    """The facts of ``application`` as the object holds them, with ``facts`` overriding."""
    decided_at = facts.pop("decided_at", application.decided_at)
    values = {
        "day": clock.to_beijing(application.created_at).date(),
        "department_id": application.department_id,
        "matter_id": application.matter_id,
        "mode": application.mode,
        "credit_level": application.credit_level,
        "status": application.status,
        "green_channel": application.green_channel,
        "reminded": application.grace_due is not None,
        "rectified": application.rectification_due is not None,
        "decided_on": clock.to_beijing(decided_at).date() if decided_at else None,
        "decision_due": application.decision_due,
    }
    return CaseFacts(**(values | facts))


def statutory_limit(application) -> dict:
    """The matter's statutory limit, from the matter the object holds if it was read, else in one query."""
    from xinyipi.catalog.models import Matter

    matter = application._state.fields_cache.get("matter")
    if matter is None:
        days, unit = Matter.objects.filter(pk=application.matter_id).values_list(
            "statutory_days", "statutory_day_unit"
        )[0]
    else:
        days, unit = matter.statutory_days, matter.statutory_day_unit
    return {"statutory_days": days, "statutory_working": unit == "working"}


def transition_facts(application, to: str, changes: dict) -> tuple[CaseFacts, CaseFacts]:
    """The facts before and after moving ``application`` (as read) to ``to`` with ``changes``."""
    before = application_facts(application)
    after = {"status": to}
    if "grace_due" in changes:
        after["reminded"] = changes["grace_due"] is not None
    if "rectification_due" in changes:
        after["rectified"] = changes["rectification_due"] is not None
    if "decision_due" in changes:
        after["decision_due"] = changes["decision_due"]
    if "decided_at" in changes:
        after["decided_at"] = changes["decided_at"]
        after |= statutory_limit(application)
    if to == Status.REVOKED and application.mode == Mode.COMMITMENT:
        after["breached"] = Verification.objects.filter(
            application_id=application.pk, outcome=Verification.Outcome.BREACHED
        ).exists()
    return before, application_facts(application, **after)


@cache
def _upserts(vendor: str) -> tuple[str, str]:
    quote = connection.ops.quote_name
    keys = ["day", "department_id", "matter_id", "mode", "credit_level"]
    day_table, days_table = DayFigures._meta.db_table, DecisionDays._meta.db_table
    columns = [*keys, "week", *FIGURES]
    day_sql = (
        f"INSERT INTO {day_table} ({', '.join(map(quote, columns))}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(map(quote, keys))}) DO UPDATE SET "
        + ", ".join(f"{quote(f)} = {day_table}.{quote(f)} + excluded.{quote(f)}" for f in FIGURES)
    )
    days_columns = [*keys, "days", "n"]
    days_sql = (
        f"INSERT INTO {days_table} ({', '.join(map(quote, days_columns))}) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT ({', '.join(map(quote, [*keys, 'days']))}) DO UPDATE SET n = {days_table}.n + excluded.n"
    )
    return day_sql, days_sql


def rollup_move(before: CaseFacts | None, after: CaseFacts, *, joined: JoinedWrites | None = None) -> None:
    """Add to the rollup what a move changed in one case's figures, in the caller's transaction: at most one
    upsert of the day's row and one of the histogram (when the move decides the case). With ``joined``
    (``core.rows.writes_joined``) they go out with a later statement."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("rollup_move must run inside the transaction of the move")
    delta = figures_of(after)
    delta.subtract(figures_of(before))
    days = (days_to_decision(before), days_to_decision(after))
    day_sql, days_sql = _upserts(connection.vendor)
    statements = []
    if any(delta.values()):
        statements.append((day_sql, [*after.cell, week_of(after.day), *(delta[f] for f in FIGURES)]))
    if days[0] != days[1]:
        for facts, value, n in ((before, days[0], -1), (after, days[1], 1)):
            if value is not None:
                statements.append((days_sql, [*facts.cell, value, n]))
    if joined is None and len(statements) > 1 and connection.vendor == "postgresql":
        together = JoinedWrites(connection)  # one statement: their rows differ (the day's, histograms of two days)
        together.add(*statements)
        together.send()
        return
    if joined is not None:
        if joined.holds(DayFigures._meta.db_table) or joined.holds(DecisionDays._meta.db_table):
            joined.send()  # an earlier move's upserts may change the same rows, which one statement must not
        joined.add(*statements)
        return
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def application_moved(application, before: CaseFacts) -> None:
    """The rollup after a service changed ``application`` outside a transition (its object updated)."""
    rollup_move(before, application_facts(application))


def figures_of_cases(rows) -> tuple[dict[tuple, Counter], Counter]:
    """The rollup of ``rows`` of case facts: the figures per (day, cell), and the histogram per (cell, days)."""
    figures: dict[tuple, Counter] = {}
    histogram: Counter = Counter()
    for facts in rows:
        figures.setdefault(facts.cell, Counter()).update(figures_of(facts))
        days = days_to_decision(facts)
        if days is not None:
            histogram[(*facts.cell, days)] += 1
    return figures, histogram


def stored_facts(chunk: int = 20_000):
    """The facts of every filed case, read in chunks of ``chunk`` cases by primary key."""
    from django.db.models import Count, Q

    from xinyipi.applications.models import Application
    from xinyipi.catalog.models import Matter

    limits = {
        pk: {"statutory_days": days, "statutory_working": unit == "working"}
        for pk, days, unit in Matter.objects.values_list("pk", "statutory_days", "statutory_day_unit")
    }
    fields = [
        "pk", "created_at", "department_id", "matter_id", "mode", "credit_level", "status", "green_channel",
        "grace_due", "rectification_due", "decided_at", "decision_due", "matter_id", "credit_check__card_counted",
    ]  # fmt: skip
    last = 0
    while True:
        cases = list(
            Application.objects.exclude(status=Status.DRAFT).filter(pk__gt=last).order_by("pk").values(*fields)[:chunk]
        )
        if not cases:
            return
        low, high = cases[0]["pk"], cases[-1]["pk"]
        materials = {
            row["application_id"]: row
            for row in ApplicationMaterial.objects.filter(application_id__gte=low, application_id__lte=high)
            .values("application_id")
            .order_by()
            .annotate(
                replaced=Count("id", filter=Q(state=ApplicationMaterial.State.REPLACED)),
                missing=Count("id", filter=Q(state__in=TOLERATED_STATES)),
            )
        }
        breached = set(
            Verification.objects.filter(
                application_id__gte=low, application_id__lte=high, outcome=Verification.Outcome.BREACHED
            ).values_list("application_id", flat=True)
        )
        for case in cases:
            counted = materials.get(case["pk"], {})
            yield CaseFacts(
                day=clock.to_beijing(case["created_at"]).date(),
                department_id=case["department_id"],
                matter_id=case["matter_id"],
                mode=case["mode"],
                credit_level=case["credit_level"],
                status=case["status"],
                green_channel=case["green_channel"],
                reminded=case["grace_due"] is not None,
                rectified=case["rectification_due"] is not None,
                breached=case["pk"] in breached,
                decided_on=clock.to_beijing(case["decided_at"]).date() if case["decided_at"] else None,
                decision_due=case["decision_due"],
                card_counted=bool(case["credit_check__card_counted"]),
                certificates_replaced=counted.get("replaced", 0),
                materials_missing=counted.get("missing", 0),
                **limits[case["matter_id"]],
            )
        last = high


_KEYS = ("day", "department_id", "matter_id", "mode", "credit_level")


def rollup_kept() -> tuple[dict[tuple, Counter], Counter]:
    """The rollup as the moves kept it, in the shape of ``figures_of_cases`` (rows of zeros left out)."""
    figures = {}
    for row in DayFigures.objects.values(*_KEYS, *FIGURES).iterator(chunk_size=5_000):
        counts = Counter({f: row[f] for f in FIGURES if row[f]})
        if counts:
            figures[tuple(row[k] for k in _KEYS)] = counts
    histogram = Counter({tuple(key): n for *key, n in DecisionDays.objects.values_list(*_KEYS, "days", "n") if n})
    return figures, histogram


def rollup_differences(limit: int = 20) -> list[str]:
    """Where the kept rollup differs from one summed afresh from the cases (at most ``limit`` lines)."""
    kept_figures, kept_histogram = rollup_kept()
    figures, histogram = figures_of_cases(stored_facts())
    found = []
    for cell in sorted(kept_figures.keys() | figures.keys(), key=str):
        kept, fresh = kept_figures.get(cell, Counter()), figures.get(cell, Counter())
        for name in FIGURES:
            if kept[name] != fresh[name]:
                found.append(f"{cell} {name}: kept {kept[name]}, cases {fresh[name]}")
    for key in sorted(kept_histogram.keys() | histogram.keys(), key=str):
        if kept_histogram[key] != histogram[key]:
            found.append(f"{key} days to decision: kept {kept_histogram[key]}, cases {histogram[key]}")
    return found[:limit]


def rollup_rebuild(batch: int = 5_000) -> dict:
    """Write both rollup tables afresh from the cases, in one transaction that holds the tables against
    moves meanwhile (a move's upsert waits for it, then adds its change to the rebuilt row)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {DayFigures._meta.db_table}, {DecisionDays._meta.db_table} IN EXCLUSIVE MODE"
                )
        DecisionDays.objects.all().delete()
        DayFigures.objects.all().delete()
        figures, histogram = figures_of_cases(stored_facts())
        keys = _KEYS
        DayFigures.objects.bulk_create(
            (
                DayFigures(**dict(zip(keys, cell, strict=True)), week=week_of(cell[0]), **counts)
                for cell, counts in figures.items()
            ),
            batch_size=batch,
        )
        DecisionDays.objects.bulk_create(
            (DecisionDays(**dict(zip(keys, key[:-1], strict=True)), days=key[-1], n=n) for key, n in histogram.items()),
            batch_size=batch,
        )
    return {"days": len(figures), "histogram": len(histogram)}
