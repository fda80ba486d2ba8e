"""Reads of the working-day calendar."""

from django.utils.translation import gettext as _

from xinyipi.core import clock
from xinyipi.workdays.calendar import year_covered
from xinyipi.workdays.models import CalendarYear, Holiday


def years_needing_schedule() -> list[int]:
    """This year if uncovered, and next year once its schedule is normally out (from 1 November)."""
    today = clock.today()
    years = [today.year]
    if today.month >= 11:
        years.append(today.year + 1)
    return [y for y in years if not year_covered(y)]


def calendar_warnings() -> list[str]:
    return [
        _(
            "%(year)d 年的节假日安排尚未录入：落在该年的期限暂按周末计算并标记为“暂定”。"
            "请在国务院办公厅通知发布后于“系统管理 › 节假日与调休”中录入，并将该年度标记为已录入。"
        )
        % {"year": year}
        for year in years_needing_schedule()
    ]


def holidays_for_year(year: int) -> list[Holiday]:
    return list(Holiday.objects.filter(date__year=year).order_by("date"))


def calendar_years() -> list[CalendarYear]:
    return list(CalendarYear.objects.order_by("-year"))
