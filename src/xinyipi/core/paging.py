"""Keyset pages (no OFFSET, no COUNT): the page size bound, the opaque cursor, and the one error for a cursor
the client did not get from us. Every list with a ``cursor`` parameter reads it through here."""

import base64
import binascii

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xinyipi.core.errors import DomainError

MAX_PAGE = 200
_ID_DIGITS = 18  # a positive bigint has at most 19 digits; more is never one of ours


def bad_cursor() -> DomainError:
    return DomainError("invalid_cursor", _("分页游标无效，请使用上一页返回的 next 值。"), "cursor")


def page_limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_PAGE))


def cursor_encode(*parts) -> str:
    raw = "|".join("" if p is None else str(p) for p in parts)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(cursor: str, count: int) -> list[str]:
    """The ``count`` parts of a cursor made by ``cursor_encode``."""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise bad_cursor() from exc
    parts = raw.split("|")
    if len(parts) != count:
        raise bad_cursor()
    return parts


def query_number(text: str, *, digits: int = _ID_DIGITS) -> int | None:
    """A whole number from a page's query string (a ``before`` id, a page number, a year): ASCII digits, at
    most ``digits`` of them, else ``None``. ``str.isdigit`` alone also accepts "²", which ``int`` refuses,
    and an overlong number overflows the database's integers: either would be an error page."""
    if text.isascii() and text.isdigit() and len(text) <= digits:
        return int(text)
    return None


def cursor_id(text: str) -> int:
    """A row id from a cursor: ``query_number``, or ``invalid_cursor``."""
    number = query_number(text)
    if number is None:
        raise bad_cursor()
    return number


def id_page(rows: QuerySet, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """Rows newest first, keyset on id with the plain id as cursor; returns the page and the next cursor."""
    if cursor:
        rows = rows.filter(id__lt=cursor_id(cursor))
    limit = page_limit(limit)
    page = list(rows.order_by("-id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, (str(page[-1].pk) if more and page else None)
