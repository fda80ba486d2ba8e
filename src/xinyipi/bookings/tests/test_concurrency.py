"""Two people at once, on real connections: exactly one wins. Run on SQLite (the default) and on PostgreSQL
(``DATABASE_URL=postgres://…``)."""

import pytest

from xinyipi.accounts import roles
from xinyipi.applications.tests.test_concurrency import run_together
from xinyipi.audit.models import AuditEntry
from xinyipi.bookings.models import ServiceBooking
from xinyipi.bookings.services import booking_confirm, booking_request
from xinyipi.bookings.tests.conftest import onsite
from xinyipi.core.errors import DomainError, InvalidTransition
from xinyipi.notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_clerks_confirming_one_booking_exactly_one_wins(book, clerk, make_user, department):
    second = make_user(roles.WINDOW_CLERK, department)
    booking = book()
    # Both read the booking before either confirms (as two open queue pages would).
    copies = [ServiceBooking.objects.get(pk=booking.pk) for _ in range(2)]
    results = run_together(
        lambda: booking_confirm(actor=clerk, booking=copies[0]),
        lambda: booking_confirm(actor=second, booking=copies[1]),
    )
    winners = [r for r in results if isinstance(r, ServiceBooking)]
    losers = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "invalid_transition" and losers[0].status == 409
    stored = ServiceBooking.objects.get(pk=booking.pk)
    assert stored.status == "confirmed" and stored.confirmed_by == winners[0].confirmed_by
    assert AuditEntry.objects.filter(action="bookings.service_booking.confirm").count() == 1
    assert Notification.objects.filter(kind="booking_confirmed", channel="sms").count() == 1


def test_the_same_half_day_booked_twice_at_once_is_booked_once(applicant, enterprise, book):
    book(slot="afternoon")  # the credit check both requests reuse, made beforehand
    values = onsite()
    results = run_together(
        lambda: booking_request(actor=applicant, subject=enterprise, **values),
        lambda: booking_request(actor=applicant, subject=enterprise, **values),
    )
    made = [r for r in results if isinstance(r, ServiceBooking)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert refused[0].code == "booking_exists"
    assert ServiceBooking.objects.filter(slot="morning").count() == 1
