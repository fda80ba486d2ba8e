"""Reads of bookings: access to one booking, the staff queue (keyset pages, no COUNT), an applicant's own
bookings, and whether a credit check lets the subject book each kind (and why not)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from xinyipi.accounts.access import (
    BOOKING_HANDLE,
    BOOKING_VIEW,
    access_booking_by_id,
    bookings_for_actor,
    is_signed_in,
    require_perm,
)
from xinyipi.bookings.models import Kind, ServiceBooking, Slot, SpecialGrant, Status
from xinyipi.catalog.models import Matter
from xinyipi.core.errors import DomainError, NotFound
from xinyipi.core.paging import bad_cursor, cursor_id, page_limit
from xinyipi.credit.categories import Entitlement, Level
from xinyipi.credit.models import CreditCheck

VIEW = BOOKING_VIEW
HANDLE = BOOKING_HANDLE


# ---------------------------------------------------------------------------------------------------
# The entitlement a booking needs (R3, R10)


def entitlement_refusal(*, check: CreditCheck, kind: str) -> str:
    """Why ``check`` does not let its subject book ``kind`` ('' when it does)."""
    if check.allows(kind):
        return ""
    level = str(Level(check.level).label) if check.level in Level.values else check.level
    reason = _("“%(name)s”的信用等级为“%(level)s”，按信用政策不享受“%(entitlement)s”。") % {
        "name": check.subject.name,
        "level": level,
        "entitlement": Entitlement(kind).label,
    }
    if not check.complete:
        reason += _("本次信用核查不完整：未能查询的信用来源可能影响该便利措施，完整核查前暂不能预约。")
    return reason


@dataclass(frozen=True)
class KindOffer:
    kind: str
    label: str
    allowed: bool
    reason: str


def booking_offers(*, check: CreditCheck) -> list[KindOffer]:
    """Each kind of booking, allowed or refused with its reason, for the subject of ``check``; a kind the
    credit does not allow is allowed once on an open special-circumstances grant."""
    granted = set(
        SpecialGrant.objects.filter(subject_id=check.subject_id, status=SpecialGrant.Status.OPEN).values_list(
            "kind", flat=True
        )
    )
    offers = []
    for kind in Kind:
        reason = entitlement_refusal(check=check, kind=kind.value)
        if reason and kind.value in granted:
            offers.append(
                KindOffer(kind=kind.value, label=str(kind.label), allowed=True, reason=_("因特殊情况准予预约一次。"))
            )
            continue
        offers.append(KindOffer(kind=kind.value, label=str(kind.label), allowed=not reason, reason=reason))
    return offers


def special_grants_recent(*, limit: int = 50) -> list:
    """The newest special-circumstances grants, with their subject and who granted each."""
    return list(SpecialGrant.objects.select_related("subject", "granted_by").order_by("-granted_at", "-id")[:limit])


def booking_matter(code: str | None) -> Matter | None:
    """The matter in use a booking is for (``None`` when no code is given); 404 ``matter_not_found``."""
    code = (code or "").strip()
    if not code:
        return None
    matter = Matter.objects.filter(code=code, status=Matter.Status.IN_USE).first()
    if matter is None:
        raise NotFound("matter_not_found", _("未找到该事项。"), "matter_code")
    return matter


def booking_matters() -> list[Matter]:
    """Matters in use, by name, for the booking form's choice of matter."""
    return list(Matter.objects.filter(status=Matter.Status.IN_USE).order_by("name", "code").only("code", "name"))


# ---------------------------------------------------------------------------------------------------
# One booking


def booking_by_id(*, actor, booking_id: int, action: str = "view") -> ServiceBooking:
    """One booking for an account acting for its subject or staff who may read bookings; any other booking
    is "not found" (an applicant is not told that another subject's booking exists). ``accounts.access``
    decides."""
    return access_booking_by_id(actor, booking_id, action=action)


# ---------------------------------------------------------------------------------------------------
# Lists


@dataclass(frozen=True)
class BookingPage:
    items: list[ServiceBooking]
    next: str | None


def _cursor_of(booking: ServiceBooking) -> str:
    return f"{booking.preferred_date.isoformat()}.{booking.slot}.{booking.pk}"


def _after_cursor(cursor: str) -> Q:
    """Rows after ``cursor`` in the queue's order (date, morning before afternoon, id)."""
    try:
        day, slot, pk = cursor.split(".")
        day, pk = dt.date.fromisoformat(day), cursor_id(pk)
        if slot not in Slot.values:
            raise ValueError(slot)
    except ValueError as exc:
        raise bad_cursor() from exc
    # "morning" sorts after "afternoon": the queue orders slots descending, so "after" means a smaller slot.
    return (
        Q(preferred_date__gt=day) | Q(preferred_date=day, slot__lt=slot) | Q(preferred_date=day, slot=slot, id__gt=pk)
    )


def booking_page(
    *,
    actor,
    status: str | None = None,
    kind: str | None = None,
    subject=None,
    date_from: dt.date | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> BookingPage:
    """Bookings for staff, by the day and half-day asked for, then in the order they came (keyset pages).

    The green channel does not apply here: a visit is planned for the day the applicant chose. Bookings are
    the service center's, not a department's, so every member of staff who may read them sees them all.
    """
    require_perm(actor, VIEW)
    limit = page_limit(limit)
    rows = bookings_for_actor(actor).select_related("subject", "matter", "requested_by")
    if status:
        if status not in Status.values:
            raise DomainError("invalid_status", _("状态不正确。"), "status")
        rows = rows.filter(status=status)
    if kind:
        if kind not in Kind.values:
            raise DomainError("invalid_kind", _("服务类别应为上门服务或帮办代办。"), "kind")
        rows = rows.filter(kind=kind)
    if subject is not None:
        rows = rows.filter(subject=subject)
    if date_from is not None:
        rows = rows.filter(preferred_date__gte=date_from)
    if cursor:
        rows = rows.filter(_after_cursor(cursor))
    page = list(rows.order_by("preferred_date", "-slot", "id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return BookingPage(items=page, next=_cursor_of(page[-1]) if more and page else None)


def bookings_of_applicant(*, user, limit: int = 50) -> list[ServiceBooking]:
    """The bookings of every subject ``user`` acts for, the latest asked first."""
    if not is_signed_in(user):
        return []
    return list(
        bookings_for_actor(user, applicant_only=True)
        .select_related("subject", "matter")
        .order_by("-requested_at", "-id")[:limit]
    )
