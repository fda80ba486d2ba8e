"""Working-day arithmetic (行政许可法 Art. 82; 民法典 Arts. 201, 203).

Periods are counted in working days and the start day is not counted. Weekends are rest days unless the
holiday table marks them as adjusted working days (调休); statutory holidays are rest days. A year the
table does not cover is counted by weekends alone and the result is flagged ``provisional``.
"""

import datetime as dt
import threading
import time
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from xinyipi.core.errors import DomainError

_CACHE_SECONDS = 60.0


class DateOutOfRange(DomainError):
    """The counted day would fall after 9999-12-31, the last date Python (and the database) can hold."""

    def __init__(self):
        super().__init__("date_out_of_range", _("起算日加上工作日数后超出了可计算的日期范围（9999-12-31 之前）。"))


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    provisional: bool


class _Table:
    """The holiday table held in memory; refreshed at most every minute and at once after local edits."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded_at = -1e9
        self._special: dict[dt.date, bool] = {}
        self._covered: set[int] = set()

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_at = -1e9

    def snapshot(self) -> tuple[dict[dt.date, bool], set[int]]:
        with self._lock:
            if time.monotonic() - self._loaded_at > _CACHE_SECONDS:
                from xinyipi.workdays.models import CalendarYear, Holiday

                self._special = {
                    day: kind == Holiday.Kind.WORK for day, kind in Holiday.objects.values_list("date", "kind")
                }
                self._covered = set(CalendarYear.objects.filter(covered=True).values_list("year", flat=True))
                self._loaded_at = time.monotonic()
            return self._special, self._covered


table = _Table()


def is_working_day(day: dt.date) -> bool:
    special, _covered = table.snapshot()
    if day in special:
        return special[day]
    return day.weekday() < 5


def year_covered(year: int) -> bool:
    return year in table.snapshot()[1]


def add_working_days(start: dt.date, count: int) -> Deadline:
    """The ``count``-th working day after ``start`` (``start`` itself never counts); 0 gives ``start``.

    Raises ``DateOutOfRange`` when that day would lie beyond 9999-12-31.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    special, covered = table.snapshot()
    day = start
    provisional = False
    remaining = count
    while remaining > 0:
        if day == dt.date.max:
            raise DateOutOfRange()
        day += dt.timedelta(days=1)
        if day.year not in covered:
            provisional = True
        working = special.get(day, day.weekday() < 5)
        if working:
            remaining -= 1
    return Deadline(date=day, provisional=provisional)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
    special, _covered = table.snapshot()
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if special.get(day, day.weekday() < 5):
            count += 1
    return count
