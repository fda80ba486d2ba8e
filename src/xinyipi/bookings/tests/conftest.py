"""Fixtures of the booking tests: the case-workflow fixtures (subjects of each credit level, applicants,
matters), days to book, and a booking in each state."""

import datetime as dt

import pytest

from xinyipi.applications.tests.conftest import (  # noqa: F401
    _local_sources_only,
    api_as,
    applicant_for,
    enterprise,
    make_dishonest,
    make_enterprise,
    make_ordinary,
    person,
    standard_matter,
)
from xinyipi.bookings.services import booking_confirm, booking_request
from xinyipi.core import clock
from xinyipi.workdays.calendar import is_working_day


def working_day(skip: int = 0) -> dt.date:
    """The (``skip`` + 1)th working day from the day after tomorrow on (always inside the booking window)."""
    day = clock.today() + dt.timedelta(days=2)
    while True:
        if is_working_day(day):
            if skip == 0:
                return day
            skip -= 1
        day += dt.timedelta(days=1)


def rest_day() -> dt.date:
    """The first weekend day from tomorrow on (inside the window: 30 days hold four weekends)."""
    day = clock.today() + dt.timedelta(days=1)
    while day.weekday() < 5:
        day += dt.timedelta(days=1)
    return day


def onsite(**overrides) -> dict:
    """What an applicant fills in for an on-site visit (valid unless overridden)."""
    values = {
        "kind": "onsite_service",
        "date": working_day(),
        "slot": "morning",
        "phone": "139 4700 0001",
        "address": "扎兰屯市兴华街道布特哈大街 18 号",
        "note": "办理食品经营许可，需核查经营场所",
    }
    values.update(overrides)
    return values


@pytest.fixture
def applicant(applicant_for, enterprise):  # noqa: F811 (fixtures imported above)
    return applicant_for(enterprise)


@pytest.fixture
def book(applicant, enterprise):  # noqa: F811
    """``book(**overrides)`` — the applicant books an on-site visit for the enterprise."""
    return lambda **overrides: booking_request(actor=applicant, subject=enterprise, **onsite(**overrides))


@pytest.fixture
def confirmed(book, clerk):
    return booking_confirm(actor=clerk, booking=book())
