"""R13 figures of what happens around the cases in a period: listings, objections and repairs (R9/R11),
on-site and assisted bookings with the special-circumstance grants (R10), and 好差评 ratings with their
follow-ups. Each is counted when it happened (proposed, filed, requested, rated), not when its case was filed.

``whole``: the reader sees every department and chose no department, matter or mode, so rows tied to no
case (a listing entered by hand, a booking for no matter, a grant) count too; otherwise only the rows of the
cases in ``scope``.
"""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from xinyipi.bookings.models import ServiceBooking, SpecialGrant
from xinyipi.core import clock
from xinyipi.ratings.models import BAD_SCORE, FollowUp, Level, Rating
from xinyipi.stats.selectors import in_period
from xinyipi.supervision.models import BlacklistEntry, CreditRepair, Objection


def _scoped(rows: QuerySet, case_field: str, scope: QuerySet, whole: bool) -> QuerySet:
    """``rows`` whose case is in ``scope``: each row's case looked up by key (``EXISTS``), not the scope's
    cases listed (``IN``), which would read a department's hundred thousand cases for a few listings."""
    return rows if whole else rows.filter(Exists(scope.filter(pk=OuterRef(case_field))))


def supervision_figures(scope: QuerySet, *, whole: bool, date_from: dt.date | None, date_to: dt.date | None) -> dict:
    """Listings proposed and put into effect, objections and their outcomes, repairs and their outcomes."""
    period = {"date_from": date_from, "date_to": date_to}
    proposed = in_period(_scoped(BlacklistEntry.objects.all(), "case", scope, whole), "proposed_at", **period)
    listed = in_period(
        _scoped(BlacklistEntry.objects.filter(listed_at__isnull=False), "case", scope, whole), "listed_at", **period
    )
    objections = in_period(_scoped(Objection.objects.all(), "entry__case", scope, whole), "filed_at", **period)
    repairs = in_period(_scoped(CreditRepair.objects.all(), "entry__case", scope, whole), "requested_at", **period)
    return {
        "listings_proposed": proposed.count(),
        "listings_listed": listed.count(),
        **objections.aggregate(
            objections=Count("id"),
            objections_upheld=Count("id", filter=Q(status=Objection.Status.UPHELD)),
            objections_dismissed=Count("id", filter=Q(status=Objection.Status.DISMISSED)),
        ),
        **repairs.aggregate(
            repairs=Count("id"),
            repairs_approved=Count("id", filter=Q(status=CreditRepair.Status.APPROVED)),
            repairs_refused=Count("id", filter=Q(status=CreditRepair.Status.REFUSED)),
        ),
    }


def booking_figures(
    *, department: str | None, matter: str | None, whole: bool, date_from: dt.date | None, date_to: dt.date | None
) -> dict:
    """On-site and assisted bookings asked for in the period (and done, cancelled), and special grants. A
    booking belongs to a matter's department, not to a mode: narrowed to a mode alone, none count."""
    bookings = in_period(ServiceBooking.objects.all(), "requested_at", date_from=date_from, date_to=date_to)
    if not whole:
        if not (department or matter):
            bookings = bookings.none()
        if department:
            bookings = bookings.filter(matter__department__code=department)
        if matter:
            bookings = bookings.filter(matter__code=matter)
    figures = bookings.aggregate(
        onsite_bookings=Count("id", filter=Q(kind=ServiceBooking.Kind.ONSITE_SERVICE)),
        assisted_bookings=Count("id", filter=Q(kind=ServiceBooking.Kind.ASSISTED_SERVICE)),
        bookings_done=Count("id", filter=Q(status="done")),
        bookings_cancelled=Count("id", filter=Q(status="cancelled")),
        bookings_special=Count("id", filter=Q(special_grant__isnull=False)),
    )
    grants = in_period(SpecialGrant.objects.all(), "granted_at", date_from=date_from, date_to=date_to)
    figures["special_grants"] = grants.count() if whole else 0
    return figures


def rating_figures(scope: QuerySet, *, whole: bool, date_from: dt.date | None, date_to: dt.date | None) -> dict:
    """好差评 in the period by level, and the 差评 follow-ups: open on time, open overdue, answered."""
    ratings = in_period(
        _scoped(Rating.objects.all(), "application", scope, whole), "created_at", date_from=date_from, date_to=date_to
    )
    by_level = dict(ratings.values_list("score").order_by("score").annotate(n=Count("id")))
    follow_ups = FollowUp.objects.filter(rating__in=ratings.filter(score__lte=BAD_SCORE).values("id"))
    today = clock.today()
    return {
        "ratings": sum(by_level.values()),
        "ratings_by_level": {level: by_level.get(level, 0) for level in sorted(Level.values, reverse=True)},
        **follow_ups.aggregate(
            follow_ups_open=Count("id", filter=Q(status=FollowUp.Status.OPEN, due_date__gte=today)),
            follow_ups_overdue=Count("id", filter=Q(status=FollowUp.Status.OPEN, due_date__lt=today)),
            follow_ups_closed=Count("id", filter=Q(status=FollowUp.Status.ANSWERED)),
        ),
    }
