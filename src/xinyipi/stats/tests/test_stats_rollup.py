"""R13: the rollup the moves keep equals one summed afresh from the cases — after months of demo history that
reaches every status, after a listing withdraws the green channel, and with filings at once on real
connections; ``stats_rebuild`` writes it and ``--check`` finds a difference."""

import datetime as dt
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.applications.demo_history import load_demo_history
from xinyipi.applications.models import Application, Status
from xinyipi.applications.tests.factories import standard_case, tolerance_case
from xinyipi.applications.tests.test_deadlines import after, at, refresh
from xinyipi.core import clock
from xinyipi.core.clock import BEIJING
from xinyipi.core.demo import load_demo
from xinyipi.stats.figures import stats_dashboard
from xinyipi.stats.models import FIGURES, DayFigures, DecisionDays
from xinyipi.stats.rollup import CaseFacts, figures_of, rollup_differences, rollup_kept, rollup_rebuild, weekdays_after
from xinyipi.stats.selectors import StatsFilter
from xinyipi.supervision.models import BlacklistEntry

FILED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING)


def _totals(actor, chosen: StatsFilter | None = None) -> dict:
    figures = stats_dashboard(actor, chosen or StatsFilter())
    return {"totals": figures["totals"], "weekly": figures["weekly"], "breakdowns": figures["breakdowns"]}


@pytest.mark.django_db
def test_r13_rollup_kept_through_months_of_history_equals_a_rebuild(bureau_admin):
    with transaction.atomic():
        load_demo()
    load_demo_history(per_day=(1, 3), enterprises=16, persons=8)
    reached = set(Application.objects.values_list("status", flat=True))
    assert {Status.VERIFIED, Status.REVOKED, Status.TERMINATED, Status.REJECTED, Status.WITHDRAWN} <= reached
    assert rollup_differences() == []
    figures, histogram = rollup_kept()
    assert sum(c["applications"] for c in figures.values()) == Application.objects.exclude(status="draft").count()
    assert sum(histogram.values()) == Application.objects.filter(decided_at__isnull=False).count()
    kept = _totals(bureau_admin)
    month = StatsFilter(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 1, 31))
    kept_month = _totals(bureau_admin, month)
    rollup_rebuild()
    assert _totals(bureau_admin) == kept and _totals(bureau_admin, month) == kept_month


@pytest.mark.django_db
def test_r13_r9_a_listing_takes_the_green_channel_off_the_figures(clerk, tolerance_matter, standard_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    deadlines_sweep(now=after(application.supplement_due))
    deadlines_sweep(now=after(refresh(application).grace_due))
    entry = BlacklistEntry.objects.get(case=application)
    with clock.acting_at(at(entry.objection_due, 10)):
        review = standard_case(clerk, standard_matter, enterprise)
    day = clock.to_beijing(review.created_at).date()
    assert DayFigures.objects.get(day=day, matter=standard_matter).served_green_channel == 1
    deadlines_sweep(now=after(entry.objection_due))
    assert not refresh(review).green_channel
    assert DayFigures.objects.get(day=day, matter=standard_matter).served_green_channel == 0
    assert rollup_differences() == []


@pytest.mark.django_db
def test_r13_check_names_a_difference_and_rebuild_mends_it(clerk, standard_matter, enterprise):
    with clock.acting_at(FILED):
        standard_case(clerk, standard_matter, enterprise)
    call_command("stats_rebuild", "--check")
    DayFigures.objects.update(applications=5)
    DecisionDays.objects.create(
        day=FILED.date(), department=standard_matter.department, matter=standard_matter, mode="standard",
        credit_level="good", days=3, n=1,
    )  # fmt: skip
    with pytest.raises(CommandError) as caught:
        call_command("stats_rebuild", "--check")
    assert "applications: kept 5, cases 1" in str(caught.value)
    assert "days to decision: kept 1, cases 0" in str(caught.value)
    call_command("stats_rebuild")
    assert rollup_differences() == []
    assert DayFigures.objects.get().applications == 1 and not DecisionDays.objects.exists()


def test_r13_a_case_counts_by_its_facts():
    filed = dt.date(2026, 3, 6)  # a Friday
    base = {"day": filed, "department_id": 1, "matter_id": 1, "credit_level": "good", "statutory_days": 3}
    late = CaseFacts(
        **base, mode="tolerance", status=Status.APPROVED, reminded=True, decided_on=dt.date(2026, 3, 11),
        decision_due=dt.date(2026, 3, 10), statutory_working=True, materials_missing=2,
    )  # fmt: skip
    assert figures_of(late) == {
        "applications": 1, "decided": 1, "approved": 1, "materials_tolerated": 1, "supplements_late": 1,
        "served_tolerance": 1, "tolerated_materials": 2, "decided_with_due": 1, "days_saved": -1,
        "decided_within_statutory": 1,
    }  # fmt: skip
    # Five calendar days from a Friday are three working days (Monday to Wednesday); six are four.
    assert weekdays_after(filed, 5) == 3 and weekdays_after(filed, 6) == 4
    breached = CaseFacts(**base, mode="commitment", status=Status.REVOKED, breached=True, certificates_replaced=1)
    assert figures_of(breached)["commitments_breached"] == 1 and figures_of(breached)["certificates_waived"] == 1
    assert figures_of(CaseFacts(**base, mode="standard", status=Status.DRAFT)) == {}


def _together(calls):
    barrier = threading.Barrier(len(calls))
    errors = []

    def worker(call):
        try:
            barrier.wait(timeout=30)
            call()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_r13_concurrent_filings_of_one_cell_all_count(clerk, standard_matter, make_enterprise):
    subjects = [make_enterprise() for _ in range(12)]

    def file(subject):
        with clock.acting_at(FILED):
            standard_case(clerk, standard_matter, subject)

    errors = _together([(lambda s=s: file(s)) for s in subjects])
    assert errors == []
    assert DayFigures.objects.get(day=FILED.date(), matter=standard_matter).applications == 12
    assert rollup_differences() == []


def test_r13_the_day_row_has_a_column_for_every_figure():
    from django.db import models

    columns = tuple(f.name for f in DayFigures._meta.local_fields if type(f) is models.IntegerField)
    assert columns == FIGURES


@pytest.mark.django_db
def test_r13_a_move_that_changes_the_days_to_decision_moves_the_case_in_the_histogram(standard_matter):
    """A decided case whose decision moves: its figures change, it leaves one bar of the histogram for another.
    On PostgreSQL the three upserts go as one statement."""
    from django.test.utils import CaptureQueriesContext

    from xinyipi.stats.rollup import rollup_move

    filed = dt.date(2026, 3, 2)
    base = {"day": filed, "department_id": standard_matter.department_id, "matter_id": standard_matter.pk,
            "credit_level": "good", "mode": "standard"}  # fmt: skip
    before = CaseFacts(**base, status=Status.APPROVED, decided_on=dt.date(2026, 3, 4))
    after = CaseFacts(**base, status=Status.REJECTED, decided_on=dt.date(2026, 3, 6))
    with transaction.atomic():
        rollup_move(None, before)
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        rollup_move(before, after)
    upserts = [q["sql"] for q in captured if "INSERT" in q["sql"]]
    assert len(upserts) == (1 if connection.vendor == "postgresql" else 3)
    day = DayFigures.objects.get(day=filed)
    assert (day.applications, day.decided, day.approved, day.rejected) == (1, 1, 0, 1)
    bars = dict(DecisionDays.objects.values_list("days", "n"))
    assert bars == {2: 0, 4: 1}
