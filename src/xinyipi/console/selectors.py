"""What the console's home shows each person: counts and warnings for their own work."""

from xinyipi.applications.selectors import COUNT_CAP, application_queue_counts
from xinyipi.workdays.selectors import calendar_warnings


def console_overview(*, actor) -> dict:
    overview = {"warnings": [], "counts": application_queue_counts(actor=actor), "count_cap": COUNT_CAP}
    if actor.is_superuser or actor.has_perm("workdays.change_holiday"):
        overview["warnings"].extend(calendar_warnings())
    return overview
