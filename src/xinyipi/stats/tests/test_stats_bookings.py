"""R13: on-site and assisted bookings (R10) and the special-circumstance grants, counted by hand: the bureau sees
them all; a department sees the bookings for its own matters only."""

import pytest

from xinyipi.accounts import roles
from xinyipi.applications.tests.conftest import applicant_for  # noqa: F401
from xinyipi.bookings.services import booking_cancel, booking_confirm, booking_done, booking_request
from xinyipi.bookings.tests.conftest import onsite, working_day
from xinyipi.stats.figures import stats_dashboard
from xinyipi.stats.selectors import StatsFilter


@pytest.fixture
def bookings(applicant_for, enterprise, clerk, standard_matter):  # noqa: F811
    """Three bookings of the enterprise: on-site for the department's matter (done), assisted for the same
    matter (cancelled), on-site for no matter (pending)."""
    applicant = applicant_for(enterprise)
    done = booking_request(actor=applicant, subject=enterprise, matter=standard_matter, **onsite())
    booking_done(actor=clerk, booking=booking_confirm(actor=clerk, booking=done))
    assisted = booking_request(
        actor=applicant, subject=enterprise, matter=standard_matter, **onsite(kind="assisted_service")
    )
    booking_cancel(actor=clerk, booking=assisted, reason="申请人改约")
    booking_request(actor=applicant, subject=enterprise, **onsite(date=working_day(1)))


def test_r13_bureau_counts_every_booking(bookings, bureau_admin):
    figures = stats_dashboard(bureau_admin, StatsFilter())["bookings"]
    assert (figures["onsite_bookings"], figures["assisted_bookings"]) == (2, 1)
    assert (figures["bookings_done"], figures["bookings_cancelled"], figures["special_grants"]) == (1, 1, 0)


def test_r13_a_department_counts_the_bookings_of_its_matters(bookings, reviewer, make_user, other_department):
    own = stats_dashboard(reviewer, StatsFilter())["bookings"]
    assert (own["onsite_bookings"], own["assisted_bookings"]) == (1, 1)  # the booking for no matter is not its own
    other = stats_dashboard(make_user(roles.REVIEWER, other_department), StatsFilter())["bookings"]
    assert (other["onsite_bookings"], other["assisted_bookings"]) == (0, 0)
