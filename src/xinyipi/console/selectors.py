"""What the console's home shows each person: counts and warnings for their own work."""

from xinyipi.applications.views_support import COUNT_CAP, application_counts
from xinyipi.workdays.selectors import calendar_warnings


def console_overview(*, actor) -> dict:
    overview = {"warnings": [], "counts": application_counts(actor=actor), "count_cap": COUNT_CAP}
    if actor.is_superuser or actor.has_perm("workdays.change_holiday"):
        overview["warnings"].extend(calendar_warnings())
    return overview
