"""Reads of the city list."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from xinyipi.accounts.access import blacklist_entries_for_actor
from xinyipi.core import clock
from xinyipi.core.errors import DomainError
from xinyipi.core.paging import id_page
from xinyipi.supervision.models import BlacklistEntry


def blacklist_due_listings(*, on: dt.date) -> list[int]:
    """Ids of proposals whose objection period ended before ``on`` (partial index on ``objection_due``)."""
    return list(
        BlacklistEntry.objects.filter(status=BlacklistEntry.Status.PROPOSED, objection_due__lt=on)
        .order_by("objection_due", "id")
        .values_list("id", flat=True)
    )


def blacklist_due_expiries(*, on: dt.date) -> list[int]:
    """Ids of listings whose publicity period ended before ``on`` (partial index on ``publicity_until``)."""
    return list(
        BlacklistEntry.objects.filter(status=BlacklistEntry.Status.LISTED, publicity_until__lt=on)
        .order_by("publicity_until", "id")
        .values_list("id", flat=True)
    )


@dataclass(frozen=True)
class BlacklistPage:
    items: list[BlacklistEntry]
    next: str | None


def blacklist_page(
    *, actor, subject=None, status: str = "", cursor: str | None = None, limit: int = 50
) -> BlacklistPage:
    """Entries newest first (keyset on id, no COUNT), for staff who may read the list."""
    rows = blacklist_entries_for_actor(actor).select_related("subject")
    if subject is not None:
        rows = rows.filter(subject=subject)
    if status:
        if status not in BlacklistEntry.Status.values:
            raise DomainError("invalid_status", _("状态不正确。"), "status")
        rows = rows.filter(status=status)
    page, following = id_page(rows, cursor=cursor, limit=limit)
    return BlacklistPage(items=page, next=following)


def subject_is_listed(*, subject) -> bool:
    return BlacklistEntry.objects.filter(subject=subject, status=BlacklistEntry.Status.LISTED).exists()


@dataclass(frozen=True)
class PublicListing:
    """One entry as the public sees it (R12): a person's name masked, an ID number never shown whole."""

    id: int
    subject_name: str
    subject_code: str
    is_person: bool
    reason: str
    listed_on: dt.date
    publicity_until: dt.date | None


def mask_person_name(name: str) -> str:
    """王雅琴 → 王*琴, 李明 → 李*: enough to tell entries apart, not enough to expose a person."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def blacklist_public_page(*, query: str = "", cursor: str | None = None, limit: int = 50) -> BlacklistPage:
    """Entries in effect, newest first, for the public publication page (no permission needed). A listing
    whose publicity period has ended is not shown, even before the daily sweep has expired it."""
    from django.db.models import Q

    from xinyipi.subjects.selectors import subject_key

    in_publicity = Q(publicity_until__isnull=True) | Q(publicity_until__gte=clock.today())
    rows = BlacklistEntry.objects.filter(in_publicity, status=BlacklistEntry.Status.LISTED).select_related("subject")
    query = query.strip()[:100]
    if query:
        # Enterprises by name; anyone by the exact code (persons are never searchable by name).
        rows = rows.filter(
            Q(subject__kind="enterprise", subject__name__icontains=query) | Q(subject__code_hash=subject_key(query))
        )
    page, following = id_page(rows, cursor=cursor, limit=limit)
    items = [
        PublicListing(
            id=entry.pk,
            subject_name=mask_person_name(entry.subject.name) if entry.subject.is_person else entry.subject.name,
            subject_code=entry.subject.code_display,
            is_person=entry.subject.is_person,
            reason=entry.get_reason_display(),
            listed_on=clock.to_beijing(entry.listed_at).date() if entry.listed_at else None,
            publicity_until=entry.publicity_until,
        )
        for entry in page
    ]
    return BlacklistPage(items=items, next=following)
