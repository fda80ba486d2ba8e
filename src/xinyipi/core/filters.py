"""Values of a list page's filters read from its query string: each refused with a message naming the field
(``DomainError`` with ``field``), so a page answers 400 with the reason instead of ignoring or crashing."""

import datetime as dt

from django.utils.translation import gettext as _

from xinyipi.core import clock
from xinyipi.core.errors import DomainError

TEXT_MAX = 100


def query_text(params, name: str, label: str, *, max_length: int = TEXT_MAX) -> str:
    value = (params.get(name) or "").strip()
    if len(value) > max_length:
        raise DomainError("invalid_filter", _("%(f)s不能超过 %(n)s 个字符。") % {"f": label, "n": max_length}, name)
    return value


def query_choice(params, name: str, label: str, values) -> str:
    value = (params.get(name) or "").strip()
    if value and value not in values:
        raise DomainError("invalid_filter", _("%(f)s不正确，请从列表中选择。") % {"f": label}, name)
    return value


def query_day(params, name: str, label: str) -> dt.date | None:
    """A date typed as YYYY-MM-DD (a Beijing calendar day), or None when left empty."""
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise DomainError(
            "invalid_date",
            _("%(f)s“%(v)s”不是有效日期，请按 年-月-日 填写，如 2026-03-01。") % {"f": label, "v": value[:20]},
            name,
        ) from exc


def check_period(start: dt.date | None, end: dt.date | None, *, field: str, start_label: str, end_label: str) -> None:
    if start and end and start > end:
        raise DomainError("invalid_date", _("%(a)s不能晚于%(b)s。") % {"a": start_label, "b": end_label}, field)


def beijing_start(day: dt.date) -> dt.datetime:
    """The first moment of ``day`` in Beijing: a period of days ``[a, b]`` is ``[start(a), start(b + 1))``."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.BEIJING)


def beijing_end(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in Beijing (exclusive end of a period ending on ``day``)."""
    return beijing_start(day + dt.timedelta(days=1))
