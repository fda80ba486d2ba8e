"""Reads of the city list."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from xinyipi.accounts.access import require_perm
from xinyipi.core.errors import DomainError
from xinyipi.supervision.models import BlacklistEntry

MAX_PAGE = 200


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
    require_perm(actor, "supervision.view_blacklistentry")
    limit = max(1, min(limit, MAX_PAGE))
    rows = BlacklistEntry.objects.select_related("subject").order_by("-id")
    if subject is not None:
        rows = rows.filter(subject=subject)
    if status:
        if status not in BlacklistEntry.Status.values:
            raise DomainError("invalid_status", _("状态不正确。"), "status")
        rows = rows.filter(status=status)
    if cursor:
        if not cursor.isdigit():
            raise DomainError("invalid_cursor", _("分页游标无效，请使用上一页返回的 next 值。"), "cursor")
        rows = rows.filter(id__lt=int(cursor))
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return BlacklistPage(items=page, next=str(page[-1].pk) if more and page else None)


def subject_is_listed(*, subject) -> bool:
    return BlacklistEntry.objects.filter(subject=subject, status=BlacklistEntry.Status.LISTED).exists()
