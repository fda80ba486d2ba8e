"""Reads of the outbox, of inboxes and of the workers' liveness.

Lists are keyset-paginated on ``id`` (no COUNT per page).
"""

from django.db import models
from django.db.models import DurationField, ExpressionWrapper, F
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext as _

from xinyipi.accounts.access import require_perm
from xinyipi.core.errors import NotFound
from xinyipi.notifications.models import InAppMessage, Notification, WorkerHeartbeat

PAGE_SIZE = 50
# What the failures page shows unless told otherwise: what needs an administrator's eye.
PROBLEM_STATUSES = (Notification.Status.FAILED, Notification.Status.DEAD)


def notification_list(
    *, actor, statuses=PROBLEM_STATUSES, channel: str = "", before: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[Notification], int | None]:
    """Outbox rows, newest first, for those holding ``notifications.view_notification``.

    Returns the page and the ``before`` cursor of the next page (``None`` on the last one).
    """
    require_perm(actor, "notifications.view_notification")
    rows = Notification.objects.filter(status__in=list(statuses)).select_related("subject").order_by("-id")
    if channel:
        rows = rows.filter(channel=channel)
    if before is not None:
        rows = rows.filter(id__lt=before)
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, (page[-1].pk if more else None)


def notification_status_counts(*, actor) -> dict[str, int]:
    """How many rows wait, are in flight, failed or are dead (sent rows, the bulk, are not counted)."""
    require_perm(actor, "notifications.view_notification")
    counts = dict.fromkeys([s for s in Notification.Status.values if s != Notification.Status.SENT], 0)
    rows = (
        Notification.objects.exclude(status=Notification.Status.SENT)
        .values("status")
        .annotate(n=models.Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def notification_by_id(*, actor, notification_id: int, perm: str = "notifications.view_notification") -> Notification:
    require_perm(actor, perm)
    row = Notification.objects.filter(pk=notification_id).first()
    if row is None:
        raise NotFound()
    return row


def notifications_for_source(source: models.Model) -> list[Notification]:
    """Every message about one object (a case, a listing), oldest first: e.g. to show a reminder's delivery."""
    return list(
        Notification.objects.filter(source_type=source._meta.label_lower, source_id=str(source.pk)).order_by("id")
    )


def in_app_messages_for(
    *, user, unread_only: bool = False, before: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[InAppMessage], int | None]:
    """A user's own inbox, newest first (the console's inbox page and the portal use this)."""
    if user is None or not user.is_authenticated:
        return [], None
    rows = InAppMessage.objects.filter(user=user).order_by("-id")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    if before is not None:
        rows = rows.filter(id__lt=before)
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, (page[-1].pk if more else None)


# Where a message's source is read, in the portal (the applicant's pages) and in the console (staff pages).
_SOURCE_PAGES = {
    "applications.application": ("portal:my_case", "applications:detail"),
    "supervision.blacklistentry": ("supervision:my_credit", "supervision:entry_detail"),
    "bookings.servicebooking": ("bookings:my_bookings", "bookings:queue"),
    "bookings.specialgrant": ("bookings:my_bookings", "bookings:special_grants"),
}
_SOURCE_WORDS = {
    "supervision.blacklistentry": _("查看信用监管事项"),
    "bookings.servicebooking": _("查看预约"),
    "bookings.specialgrant": _("查看预约"),
}


def in_app_message_links(rows: list[InAppMessage], *, portal: bool) -> list[InAppMessage]:
    """``rows`` with ``link`` set to ``{"url", "label"}`` of the page of what each message is about — a case by
    its number (one query for the page), in the portal or the console — or None where there is none."""
    from xinyipi.applications.models import Application

    case_ids = {int(m.source_id) for m in rows if m.source_type == "applications.application" and m.source_id.isdigit()}
    numbers = dict(Application.objects.filter(pk__in=case_ids).values_list("pk", "number")) if case_ids else {}
    for message in rows:
        message.link = None
        pages = _SOURCE_PAGES.get(message.source_type)
        if pages is None or not message.source_id.isdigit():
            continue
        pk = int(message.source_id)
        url_name = pages[0] if portal else pages[1]
        if message.source_type == "applications.application":
            if pk not in numbers:
                continue
            label = _("办件 %(number)s") % {"number": numbers[pk]}
        else:
            label = str(_SOURCE_WORDS[message.source_type])
        takes_pk = url_name in ("portal:my_case", "applications:detail", "supervision:entry_detail")
        message.link = {"url": reverse(url_name, args=[pk] if takes_pk else []), "label": label}
    return rows


def in_app_unread_count(*, user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return InAppMessage.objects.filter(user=user, read_at__isnull=True).count()


def worker_heartbeat_age() -> float | None:
    """Seconds since the freshest heartbeat of any running worker (database clock); ``None`` when none runs.

    A worker beats every ``run_worker --heartbeat`` seconds (default 5) and is taken for dead after three
    missed beats, so an age past that means no worker delivers messages or runs periodic jobs.
    """
    row = (
        WorkerHeartbeat.objects.annotate(age=ExpressionWrapper(Now() - F("beat_at"), output_field=DurationField()))
        .order_by("-beat_at")
        .values_list("age", flat=True)
        .first()
    )
    return None if row is None else max(row.total_seconds(), 0.0)
