"""The one place that reads the time, so that sweeps and tests can act "as if at" another moment."""

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.utils import timezone

BEIJING = ZoneInfo("Asia/Shanghai")
_frozen: ContextVar[dt.datetime | None] = ContextVar("xinyipi_clock", default=None)


def now() -> dt.datetime:
    """The current instant (aware), or the instant set by ``acting_at``."""
    return _frozen.get() or timezone.now()


def today() -> dt.date:
    """Today's date in Beijing, where every deadline of the service center is counted."""
    return now().astimezone(BEIJING).date()


def to_beijing(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(BEIJING)


@contextmanager
def acting_at(moment: dt.datetime):
    """Run a block as if the clock read ``moment`` (the sweep's ``--now``)."""
    if timezone.is_naive(moment):
        raise ValueError("acting_at needs an aware datetime")
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
