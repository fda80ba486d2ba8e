"""R10: a subject holding the entitlement books 上门服务 or 帮办代办; one that does not is told which and why.
Bad input is refused naming the field, and changes nothing. The moves of a booking follow its table."""

import datetime as dt

import pytest

from xinyipi.accounts import roles
from xinyipi.audit.models import AuditEntry
from xinyipi.bookings.models import ServiceBooking
from xinyipi.bookings.policy import booking_policy_on
from xinyipi.bookings.services import TRANSITIONS, booking_cancel, booking_confirm, booking_done, booking_request
from xinyipi.bookings.tests.conftest import onsite, rest_day, working_day
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, InvalidTransition, NotFound, NotPermitted, ValidationFailed
from xinyipi.credit.models import CreditCheck
from xinyipi.notifications.models import Notification
from xinyipi.workdays.calendar import table as calendar_table
from xinyipi.workdays.models import Holiday

pytestmark = pytest.mark.django_db


def written() -> tuple[int, int, int, int]:
    """What a refused request must leave as it was: bookings, checks, audit entries, messages."""
    return (
        ServiceBooking.objects.count(),
        CreditCheck.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


# R10: who may book ----------------------------------------------------------------------------------------


def test_r10_good_subject_books_onsite_service(applicant, enterprise, standard_matter):
    values = onsite()
    booking = booking_request(actor=applicant, subject=enterprise, matter=standard_matter, **values)
    booking.refresh_from_db()
    assert booking.status == "requested" and booking.kind == "onsite_service"
    assert booking.preferred_date == values["date"] and booking.slot == "morning"
    assert booking.contact_phone == "13947000001"  # normalised
    assert booking.address == values["address"] and booking.matter == standard_matter
    assert booking.requested_by == applicant
    check = booking.credit_check
    assert check.subject == enterprise and check.purpose == "application" and check.allows("onsite_service")
    entry = AuditEntry.objects.get(action="bookings.service_booking.request")
    assert entry.object_id == str(booking.pk) and entry.after["credit_level"] == "good"
    told = Notification.objects.filter(subject=enterprise, kind="booking_requested")
    assert {n.channel for n in told} == {"sms", "in_app"}
    assert all(values["date"].isoformat() in n.body and "上午" in n.body for n in told)


def test_r10_good_subject_books_assisted_service_without_an_address(applicant, person, applicant_for):
    agent = applicant_for(person)
    booking = booking_request(
        actor=agent, subject=person, **onsite(kind="assisted_service", address="", slot="afternoon")
    )
    assert booking.kind == "assisted_service" and booking.address == "" and booking.slot == "afternoon"


def test_r10_recent_complete_check_is_reused(applicant, enterprise, book):
    first = book()
    second = book(slot="afternoon")
    assert first.credit_check_id == second.credit_check_id
    assert CreditCheck.objects.filter(subject=enterprise).count() == 1


def test_r10_ordinary_subject_refused_naming_the_entitlement_and_why(applicant, enterprise, make_ordinary):
    make_ordinary(enterprise)
    with pytest.raises(DomainError) as refused:
        booking_request(actor=applicant, subject=enterprise, **onsite())
    error = refused.value
    assert error.code == "entitlement_missing" and error.status == 422 and error.field == "kind"
    assert error.extra == {"entitlement": "onsite_service", "level": "ordinary"}
    assert "上门服务" in str(error.message) and "一般" in str(error.message)
    assert not ServiceBooking.objects.exists()
    # The query itself is recorded (R8), with its purpose.
    assert CreditCheck.objects.get(subject=enterprise).purpose == "application"


def test_r10_dishonest_subject_refused_both_services(applicant, enterprise, make_dishonest):
    make_dishonest(enterprise)
    for kind in ("onsite_service", "assisted_service"):
        with pytest.raises(DomainError) as refused:
            booking_request(actor=applicant, subject=enterprise, **onsite(kind=kind))
        assert refused.value.code == "entitlement_missing" and refused.value.extra["level"] == "dishonest"
        assert "失信" in str(refused.value.message)
    assert not ServiceBooking.objects.exists()


def test_r10_only_an_account_acting_for_the_subject_books(enterprise, make_enterprise, applicant_for, clerk):
    stranger = applicant_for(make_enterprise())
    for actor in (stranger, clerk):
        with pytest.raises(NotPermitted):
            booking_request(actor=actor, subject=enterprise, **onsite())
    assert not ServiceBooking.objects.exists()


def test_r10_second_pending_booking_of_the_same_half_day_refused(book):
    book()
    with pytest.raises(DomainError) as refused:
        book()
    assert refused.value.code == "booking_exists" and refused.value.field == "date"
    assert ServiceBooking.objects.count() == 1


# Bad input: named field, nothing changed --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"date": "rest"}, "not_working_day", "date"),
        ({"date": "yesterday"}, "date_too_early", "date"),
        ({"date": "today"}, "date_too_early", "date"),
        ({"date": "beyond"}, "date_too_late", "date"),
        ({"date": "2026-02-30"}, "invalid_date", "date"),
        ({"date": ""}, "date_required", "date"),
        ({"address": "  "}, "address_required", "address"),
        ({"phone": "0470-3221234"}, "invalid_mobile", "phone"),
        ({"phone": "1234"}, "invalid_mobile", "phone"),
        ({"kind": "green_channel"}, "invalid_kind", "kind"),
        ({"slot": "evening"}, "invalid_slot", "slot"),
        ({"note": "说" * 2001}, "value_too_long", "note"),
    ],
)
def test_bad_input_refused_naming_the_field_and_nothing_changed(applicant, enterprise, overrides, code, field):
    today = clock.today()
    days = {
        "rest": rest_day(),
        "yesterday": today - dt.timedelta(days=1),
        "today": today,
        "beyond": today + dt.timedelta(days=booking_policy_on(today).horizon_days + 1),
    }
    if overrides.get("date") in days:
        overrides = {**overrides, "date": days[overrides["date"]]}
    before = written()
    with pytest.raises(ValidationFailed) as refused:
        booking_request(actor=applicant, subject=enterprise, **onsite(**overrides))
    assert (refused.value.code, refused.value.field) == (code, field)
    assert written() == before  # not even a credit check: input is checked first


def test_statutory_holiday_is_not_a_working_day(applicant, enterprise):
    day = working_day(skip=3)
    Holiday.objects.update_or_create(date=day, defaults={"kind": Holiday.Kind.REST, "name": "测试假日"})
    calendar_table.invalidate()
    with pytest.raises(ValidationFailed) as refused:
        booking_request(actor=applicant, subject=enterprise, **onsite(date=day))
    assert refused.value.code == "not_working_day"


def test_every_fault_is_listed_at_once(applicant, enterprise):
    with pytest.raises(ValidationFailed) as refused:
        booking_request(actor=applicant, subject=enterprise, **onsite(date=rest_day(), address="", phone="x"))
    assert {e.field for e in refused.value.errors} == {"date", "address", "phone"}


def test_booking_window_is_dated_policy_with_a_reference():
    policy = booking_policy_on(clock.today())
    assert policy.earliest_days == 1 and policy.horizon_days == 30
    assert "上门服务、帮办代办" in policy.reference
    today = dt.date(2026, 5, 4)
    assert policy.window(today) == (dt.date(2026, 5, 5), dt.date(2026, 6, 3))


# Moves ----------------------------------------------------------------------------------------------------


def test_moves_follow_the_table():
    assert {
        "requested": {"confirmed", "cancelled"},
        "confirmed": {"done", "cancelled"},
        "done": set(),
        "cancelled": set(),
    } == TRANSITIONS


def test_clerk_confirms_then_records_done_and_the_applicant_is_told(book, clerk, enterprise):
    booking = booking_confirm(actor=clerk, booking=book())
    stored = ServiceBooking.objects.get(pk=booking.pk)
    assert stored.status == "confirmed" and stored.confirmed_by == clerk and stored.confirmed_at is not None
    confirmed_sms = Notification.objects.get(subject=enterprise, kind="booking_confirmed", channel="sms")
    assert "已确认" in confirmed_sms.body and stored.address in confirmed_sms.body
    booking_done(actor=clerk, booking=stored)
    stored.refresh_from_db()
    assert stored.status == "done" and stored.done_by == clerk
    actions = list(AuditEntry.objects.filter(object_id=str(stored.pk)).values_list("action", flat=True))
    assert {"bookings.service_booking.confirm", "bookings.service_booking.done"} <= set(actions)


def test_done_only_after_confirmation_and_nothing_after_done(book, clerk):
    booking = book()
    with pytest.raises(InvalidTransition) as refused:
        booking_done(actor=clerk, booking=booking)
    assert refused.value.code == "invalid_transition" and refused.value.status == 409
    booking = booking_done(actor=clerk, booking=booking_confirm(actor=clerk, booking=booking))
    with pytest.raises(InvalidTransition):
        booking_cancel(actor=clerk, booking=booking, reason="重复")
    assert ServiceBooking.objects.get(pk=booking.pk).status == "done"


def test_a_stale_copy_loses(book, clerk, make_user, department):
    booking = book()
    stale = ServiceBooking.objects.get(pk=booking.pk)
    booking_confirm(actor=clerk, booking=booking)
    with pytest.raises(InvalidTransition) as refused:
        booking_confirm(actor=make_user(roles.WINDOW_CLERK, department), booking=stale)
    assert "已确认" in str(refused.value.message)


def test_applicant_cancels_without_a_reason(confirmed, applicant, enterprise, applicant_for):
    other_agent = applicant_for(enterprise, relation="agent")
    booking = booking_cancel(actor=other_agent, booking=confirmed)  # any account acting for the subject
    stored = ServiceBooking.objects.get(pk=booking.pk)
    assert stored.status == "cancelled" and stored.cancelled_by == other_agent and stored.cancellation_reason == ""
    assert Notification.objects.filter(kind="booking_cancelled", user=applicant).exists()


def test_staff_cancel_needs_a_reason_which_the_applicant_is_told(book, clerk, applicant):
    booking = book()
    before = written()
    with pytest.raises(DomainError) as refused:
        booking_cancel(actor=clerk, booking=booking, reason="  ")
    assert (refused.value.code, refused.value.field) == ("reason_required", "reason")
    assert written() == before and ServiceBooking.objects.get(pk=booking.pk).status == "requested"
    booking_cancel(actor=clerk, booking=booking, reason="该地址不在本市服务范围内")
    message = Notification.objects.get(kind="booking_cancelled", user=applicant, channel="in_app")
    assert "该地址不在本市服务范围内" in message.body


@pytest.mark.parametrize("role", [roles.REVIEWER, roles.CREDIT_OFFICER, roles.BUREAU_ADMIN, roles.AUDITOR, None])
def test_only_window_staff_confirm_complete_or_cancel(book, make_user, department, role):
    booking = book()
    actor = make_user(role, department)
    for move in (booking_confirm, booking_done):
        with pytest.raises(NotPermitted):
            move(actor=actor, booking=booking)
    # Staff who read bookings are refused; to anyone else another subject's booking is not found.
    with pytest.raises(NotPermitted if actor.has_perm("bookings.view_servicebooking") else NotFound):
        booking_cancel(actor=actor, booking=booking, reason="无权")
    assert ServiceBooking.objects.get(pk=booking.pk).status == "requested"


def test_applicant_cannot_confirm_own_booking(book, applicant):
    with pytest.raises(NotPermitted):
        booking_confirm(actor=applicant, booking=book())
