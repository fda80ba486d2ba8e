"""``/api/v1/bookings``: book 上门服务 or 帮办代办 for a subject one acts for (R10), read a booking, cancel it;
staff list, confirm and complete them. Interface only: parse, authorise, call the service, render."""

import datetime as dt

from ninja import Query, Router, Schema, Status
from pydantic import Field

from xinyipi.accounts.access import access_acting_for, require_perm
from xinyipi.api.schemas import ErrorOut
from xinyipi.bookings.schemas import BookingCancellationIn, BookingIn, BookingOut, BookingPageOut, booking_out
from xinyipi.bookings.selectors import VIEW, booking_by_id, booking_matter, booking_page
from xinyipi.bookings.services import booking_cancel, booking_confirm, booking_done, booking_request
from xinyipi.credit.selectors import credit_subject_for_code
from xinyipi.subjects.models import Subject
from xinyipi.subjects.selectors import subject_key

router = Router(tags=["bookings"])

_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_ACTION = {"response": {200: BookingOut, **_ERRORS, 409: ErrorOut}}


@router.post(
    "",
    response={201: BookingOut, **_ERRORS},
    summary="Book on-site or assisted service for a subject one acts for (the subject must hold the entitlement)",
)
def booking_create(request, payload: BookingIn):
    # Only accounts acting for some subject book; the service checks that it is this one.
    access_acting_for(request.auth)
    subject = credit_subject_for_code(payload.subject_code)
    booking = booking_request(
        actor=request.auth,
        subject=subject,
        kind=payload.kind,
        date=payload.date,
        slot=payload.slot,
        phone=payload.phone,
        address=payload.address or "",
        note=payload.note or "",
        matter=booking_matter(payload.matter_code),
    )
    return Status(201, booking_out(booking))


class BookingQuery(Schema):
    status: str | None = Field(None, max_length=20)
    kind: str | None = Field(None, max_length=30)
    subject_code: str | None = Field(None, max_length=40)
    date_from: dt.date | None = Field(None, description="only bookings for this day or later")
    cursor: str | None = Field(None, max_length=60)
    limit: int = Field(50, ge=1, le=200)


@router.get(
    "",
    response={200: BookingPageOut, **_ERRORS},
    summary="Bookings for staff, by the day and half-day asked for (keyset pages)",
)
def booking_list(request, filters: Query[BookingQuery]):
    subject = None
    if filters.subject_code:
        subject = Subject.objects.filter(code_hash=subject_key(filters.subject_code)).first()
        if subject is None:
            require_perm(request.auth, VIEW)
            return {"items": [], "next": None}
    page = booking_page(
        actor=request.auth,
        status=filters.status,
        kind=filters.kind,
        subject=subject,
        date_from=filters.date_from,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [booking_out(b) for b in page.items], "next": page.next}


@router.get("/{booking_id}", response={200: BookingOut, **_ERRORS}, summary="One booking")
def booking_get(request, booking_id: int):
    return booking_out(booking_by_id(actor=request.auth, booking_id=booking_id))


@router.post(
    "/{booking_id}/cancellation",
    **_ACTION,
    summary="Cancel a booking still ahead (the applicant; staff with a reason)",
)
def booking_cancellation(request, booking_id: int, payload: BookingCancellationIn):
    booking = booking_by_id(actor=request.auth, booking_id=booking_id, action="cancel")
    return booking_out(booking_cancel(actor=request.auth, booking=booking, reason=payload.reason))


@router.post("/{booking_id}/confirmation", **_ACTION, summary="Confirm a requested booking (service center staff)")
def booking_confirmation(request, booking_id: int):
    booking = booking_by_id(actor=request.auth, booking_id=booking_id, action="confirm")
    return booking_out(booking_confirm(actor=request.auth, booking=booking))


@router.post("/{booking_id}/completion", **_ACTION, summary="Record a confirmed booking as done (service center staff)")
def booking_completion(request, booking_id: int):
    booking = booking_by_id(actor=request.auth, booking_id=booking_id, action="done")
    return booking_out(booking_done(actor=request.auth, booking=booking))
