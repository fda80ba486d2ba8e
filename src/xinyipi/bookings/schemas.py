import datetime as dt

from ninja import Schema
from pydantic import Field

from xinyipi.bookings.models import Kind, ServiceBooking, Slot, Status
from xinyipi.core import clock


class BookingIn(Schema):
    subject_code: str = Field(..., max_length=40, description="the subject's full USCC or ID number")
    kind: str = Field(..., max_length=30, json_schema_extra={"enum": Kind.values})
    matter_code: str | None = Field(None, max_length=50, description="the matter the service is for (实施编码)")
    date: dt.date = Field(..., description="a working day from tomorrow on, within the booking horizon")
    slot: str = Field(..., max_length=20, json_schema_extra={"enum": Slot.values})
    address: str | None = Field(None, max_length=300, description="required for onsite_service")
    phone: str = Field(..., max_length=30, description="a mainland mobile number staff call to arrange it")
    note: str | None = Field(None, max_length=2000)


class BookingCancellationIn(Schema):
    reason: str = Field("", max_length=2000, description="required when staff cancel; optional for the applicant")


class BookingOut(Schema):
    id: int
    subject_code: str = Field(..., description="the enterprise's USCC; a person's ID number masked")
    subject_name: str
    kind: str = Field(..., json_schema_extra={"enum": Kind.values})
    matter_code: str | None
    date: str
    slot: str = Field(..., json_schema_extra={"enum": Slot.values})
    address: str
    phone: str
    note: str
    status: str = Field(..., json_schema_extra={"enum": Status.values})
    credit_check_id: int
    requested_at: str
    confirmed_at: str | None
    done_at: str | None
    cancelled_at: str | None
    cancellation_reason: str


class BookingPageOut(Schema):
    items: list[BookingOut]
    next: str | None


def _moment(value) -> str | None:
    return clock.to_beijing(value).isoformat() if value else None


def booking_out(booking: ServiceBooking) -> dict:
    return {
        "id": booking.pk,
        "subject_code": booking.subject.code_display,
        "subject_name": booking.subject.name,
        "kind": booking.kind,
        "matter_code": booking.matter.code if booking.matter_id else None,
        "date": booking.preferred_date.isoformat(),
        "slot": booking.slot,
        "address": booking.address,
        "phone": booking.contact_phone,
        "note": booking.note,
        "status": booking.status,
        "credit_check_id": booking.credit_check_id,
        "requested_at": _moment(booking.requested_at),
        "confirmed_at": _moment(booking.confirmed_at),
        "done_at": _moment(booking.done_at),
        "cancelled_at": _moment(booking.cancelled_at),
        "cancellation_reason": booking.cancellation_reason,
    }
