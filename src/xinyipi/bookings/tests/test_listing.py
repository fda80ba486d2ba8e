"""R9: from the moment a listing takes effect the subject's pending bookings are cancelled, with the reason,
and the applicant is told; a booking racing the listing does not survive it."""

import datetime as dt

import pytest

from xinyipi.audit.models import AuditEntry
from xinyipi.bookings import services
from xinyipi.bookings.models import ServiceBooking
from xinyipi.bookings.services import booking_confirm, booking_done, booking_request, bookings_cancel_for_listing
from xinyipi.bookings.tests.conftest import onsite
from xinyipi.core import clock
from xinyipi.core.errors import DomainError
from xinyipi.notifications.models import Notification
from xinyipi.supervision.models import BlacklistEntry
from xinyipi.supervision.services import blacklist_entry_list, blacklist_propose

pytestmark = pytest.mark.django_db


def listed(subject) -> BlacklistEntry:
    """Propose ``subject`` and let the objection period pass: the listing takes effect (now, as the sweep)."""
    entry = blacklist_propose(subject=subject, reason="pledge_breached", case=None, evidence="", actor=None)
    BlacklistEntry.objects.filter(pk=entry.pk).update(objection_due=clock.today() - dt.timedelta(days=1))
    return blacklist_entry_list(entry_id=entry.pk)


def test_r9_listing_cancels_pending_bookings(book, confirmed, clerk, applicant, enterprise, make_enterprise):
    requested = book(slot="afternoon")
    finished = booking_done(actor=clerk, booking=booking_confirm(actor=clerk, booking=book(kind="assisted_service")))
    others = make_enterprise()
    entry = listed(enterprise)

    for booking in (requested, confirmed):
        stored = ServiceBooking.objects.get(pk=booking.pk)
        assert stored.status == "cancelled" and stored.cancelled_for == entry and stored.cancelled_by is None
        assert "黑名单" in stored.cancellation_reason and entry.reason_text in stored.cancellation_reason
    assert ServiceBooking.objects.get(pk=finished.pk).status == "done"  # a service given is not undone
    told = Notification.objects.filter(kind="booking_cancelled", user=applicant, channel="in_app")
    assert told.count() == 2 and all("黑名单" in n.body for n in told)
    assert Notification.objects.filter(kind="booking_cancelled", channel="sms", subject=enterprise).count() == 2
    assert AuditEntry.objects.filter(action="bookings.service_booking.cancel_for_listing").count() == 2
    assert not Notification.objects.filter(subject=others, kind="booking_cancelled").exists()

    # From then on the subject is dishonest: no new booking.
    with pytest.raises(DomainError) as refused:
        booking_request(actor=applicant, subject=enterprise, **onsite())
    assert refused.value.code == "entitlement_missing"


def test_r9_cancellation_runs_only_inside_the_listing_transaction(enterprise):
    entry = blacklist_propose(subject=enterprise, reason="pledge_breached", case=None, evidence="", actor=None)
    from django.db import transaction

    connection = transaction.get_connection()
    in_atomic = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError):
            bookings_cancel_for_listing(subject=enterprise, actor=None, entry=entry)
    finally:
        connection.in_atomic_block = in_atomic


def test_r9_listing_between_check_and_booking_refuses_the_booking(applicant, enterprise, monkeypatch):
    """The listing commits after the booking's check was made and before its row is written: the booking's
    own transaction sees the listing and refuses (it would otherwise escape the cancellation)."""
    check_for = services.booking_credit_check

    def check_then_listing(*, actor, subject):
        check = check_for(actor=actor, subject=subject)
        listed(subject)
        return check

    monkeypatch.setattr(services, "booking_credit_check", check_then_listing)
    with pytest.raises(DomainError) as refused:
        booking_request(actor=applicant, subject=enterprise, **onsite())
    assert refused.value.code == "entitlement_missing" and "黑名单" in str(refused.value.message)
    assert not ServiceBooking.objects.exists()
    assert not Notification.objects.filter(kind="booking_requested").exists()
