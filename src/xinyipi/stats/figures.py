"""Everything the dashboard, the Excel export and the monthly report show, read once from one filter (R13)."""

from django.db.models import QuerySet

from xinyipi.accounts.access import sees_every_case, stats_rows_for_actor
from xinyipi.applications.models import Application
from xinyipi.stats.selectors import (
    CONVENIENCES,
    Counted,
    StatsFilter,
    cases_in_scope,
    narrowed,
    stats_summary,
    stats_weekly,
)
from xinyipi.stats.selectors_events import booking_figures, rating_figures, supervision_figures

BREAKDOWNS = ("department", "matter", "mode", "credit_level")


def stats_scope(actor, chosen: StatsFilter) -> tuple[QuerySet, bool]:
    """The cases ``actor`` may count, narrowed to the chosen department, matter and mode (any filing date),
    and whether they are every case of the city (rows tied to no case then count too)."""
    scope = cases_in_scope(stats_rows_for_actor(actor, Application.objects.all()), chosen)
    return scope, sees_every_case(actor) and not chosen.narrowed


def stats_counted(actor, chosen: StatsFilter) -> Counted:
    """The cases and rollup rows ``actor`` may count in the chosen period and scope (R13)."""
    stats_rows_for_actor(actor, Application.objects.none())  # refuse now, not at the first read
    return Counted(
        narrow=lambda rows: narrowed(stats_rows_for_actor(actor, rows), chosen),
        date_from=chosen.date_from,
        date_to=chosen.date_to,
    )


def stats_dashboard(actor, chosen: StatsFilter) -> dict:
    """Headline totals, the weekly trend, each breakdown, the convenience shares and the figures around cases."""
    scope, whole = stats_scope(actor, chosen)
    counted = stats_counted(actor, chosen)
    period = {"date_from": chosen.date_from, "date_to": chosen.date_to}
    totals, breakdowns = stats_summary(counted, group_by=BREAKDOWNS)
    own = chosen.department or (None if sees_every_case(actor) else getattr(actor.department, "code", None))
    return {
        "totals": totals,
        "shares": {
            name: round(totals[f"served_{name}"] / totals["applications"], 4) if totals["applications"] else None
            for name in CONVENIENCES
        },
        "weekly": stats_weekly(counted),
        "breakdowns": breakdowns,
        "supervision": supervision_figures(scope, whole=whole, **period),
        "bookings": booking_figures(department=own, matter=chosen.matter, whole=whole, **period),
        "ratings": rating_figures(scope, whole=whole, **period),
    }
