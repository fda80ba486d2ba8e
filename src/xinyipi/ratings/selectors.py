"""Reads of 好差评: a case's ratings and the events still to rate, the follow-up queue, the period's summary for
the statistics, and the period's rows for the national upload."""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from xinyipi.applications.models import Status
from xinyipi.core import clock
from xinyipi.ratings.models import BAD_SCORE, FollowUp, Level, Rating, ServiceEvent


def _beijing_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.BEIJING)


def ratings_in_period(ratings: QuerySet, *, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """Ratings given in the period (Beijing dates, both ends included; an open end is unbounded)."""
    if date_from is not None:
        ratings = ratings.filter(created_at__gte=_beijing_start(date_from))
    if date_to is not None:
        ratings = ratings.filter(created_at__lt=_beijing_start(date_to + dt.timedelta(days=1)))
    return ratings


def case_service_events(application) -> list[str]:
    """The service events the case has had, in order: filing once submitted, a supplement once one was made,
    the decision once decided (国办发〔2019〕51号: one rating per service, online "一事一评")."""
    if application.status == Status.DRAFT:
        return []
    events = [ServiceEvent.FILING]
    if any(m.supplied_at for m in application.materials.all()):
        events.append(ServiceEvent.SUPPLEMENT)
    if application.decided_at:
        events.append(ServiceEvent.DECISION)
    return events


def case_ratings(application) -> dict:
    """The case's ratings (with their follow-ups) and the service events not rated yet."""
    ratings = list(
        Rating.objects.filter(application=application).select_related("follow_up").order_by("created_at", "id")
    )
    rated = {r.event for r in ratings}
    return {
        "ratings": ratings,
        "unrated": [e for e in case_service_events(application) if e not in rated],
    }


FOLLOW_UP_STATES = ("open", "overdue", "closed")


def follow_up_queue(follow_ups: QuerySet, *, state: str, today: dt.date | None = None) -> QuerySet:
    """One tab of the queue: ``open`` (due today or later), ``overdue`` (its due day has ended), ``closed``
    (answered). Oldest due first; answered ones newest first."""
    today = today or clock.today()
    follow_ups = follow_ups.select_related("rating__application__matter", "rating__application__subject", "department")
    if state == "closed":
        return follow_ups.filter(status=FollowUp.Status.ANSWERED).order_by("-answered_at", "-id")
    follow_ups = follow_ups.filter(status=FollowUp.Status.OPEN)
    if state == "overdue":
        return follow_ups.filter(due_date__lt=today).order_by("due_date", "id")
    return follow_ups.filter(due_date__gte=today).order_by("due_date", "id")


def follow_up_counts(follow_ups: QuerySet, *, today: dt.date | None = None) -> dict:
    """``{"open": n, "overdue": n, "closed": n}`` in one query."""
    today = today or clock.today()
    is_open = Q(status=FollowUp.Status.OPEN)
    return follow_ups.aggregate(
        open=Count("id", filter=is_open & Q(due_date__gte=today)),
        overdue=Count("id", filter=is_open & Q(due_date__lt=today)),
        closed=Count("id", filter=Q(status=FollowUp.Status.ANSWERED)),
    )


def ratings_summary(
    *,
    cases: QuerySet | None = None,
    department=None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
) -> dict:
    """The period's ratings of ``cases`` (or of ``department``'s cases, or all): the count per national level,
    the 差评 among them, and their follow-ups open, overdue (past due, unanswered) and closed — as they stand now.

    ``{"ratings": n, "levels": {5: n, 4: n, 3: n, 2: n, 1: n}, "bad": n,
    "follow_ups": {"open": n, "overdue": n, "closed": n}}``
    """
    ratings = Rating.objects.all()
    if cases is not None:
        ratings = ratings.filter(application__in=cases.values("pk"))
    if department is not None:
        ratings = ratings.filter(application__department=department)
    ratings = ratings_in_period(ratings, date_from=date_from, date_to=date_to)
    per_level = dict(ratings.values_list("score").annotate(n=Count("id")).order_by())
    levels = {level: per_level.get(level, 0) for level in sorted(Level.values, reverse=True)}
    return {
        "ratings": sum(levels.values()),
        "levels": levels,
        "bad": sum(n for level, n in levels.items() if level <= BAD_SCORE),
        "follow_ups": follow_up_counts(FollowUp.objects.filter(rating__in=ratings.values("pk")), today=today),
    }


def ratings_for_export(*, date_from: dt.date, date_to: dt.date) -> QuerySet:
    """The period's ratings with what the national upload reads from their cases, in the order given."""
    return (
        ratings_in_period(Rating.objects.all(), date_from=date_from, date_to=date_to)
        .select_related("application__matter", "application__subject", "application__department")
        .order_by("created_at", "id")
    )
