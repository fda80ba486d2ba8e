"""Holiday data from the ``chinesecalendar`` package, which lags each new year's State Council notice."""

import chinese_calendar
from chinese_calendar import constants

PACKAGE_SOURCE = f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
}


def package_rows() -> list[tuple]:
    """(date, kind, Chinese name) for every rest day and adjusted working day the package knows."""
    rows = [(day, "rest", HOLIDAY_NAMES.get(name, name)) for day, name in constants.holidays.items()]
    rows += [(day, "work", HOLIDAY_NAMES.get(name, name) + "调休") for day, name in constants.workdays.items()]
    return sorted(rows)


def package_years() -> list[int]:
    return sorted({day.year for day, _kind, _name in package_rows()})
