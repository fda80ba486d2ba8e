"""办件编号 (case numbers): ``XINYIPI_CASE_NUMBER_FORMAT``, by default ``{实施编码}{yyyyMMdd}{NNNN}``
(govservice-standards.md §2.2: the fallback format of the regional case-number service).

The sequence counts per *scope*: the number as formatted with everything but ``seq``. With the default
format that is one matter on one day, so the sequence restarts each day. It is taken with one
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement in the filing transaction: two filings at once
get distinct numbers on SQLite and PostgreSQL alike (no gaps are promised: a refused filing may use one).
"""

import datetime as dt
import re
import string

from django.conf import settings
from django.db import connection

from xinyipi.applications.models import CaseCounter

_SEQ = re.compile(r"\{seq(?::[^}]*)?\}")
_FIELDS = {"matter_code", "department_code", "date", "seq"}


class CaseNumberFormatError(ValueError):
    pass


def number_format_check(fmt: str) -> str:
    """The format if it is usable, else ``CaseNumberFormatError`` saying why."""
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(fmt) if name is not None}
    except ValueError as exc:
        raise CaseNumberFormatError(f"XINYIPI_CASE_NUMBER_FORMAT {fmt!r}: {exc}") from exc
    if "seq" not in names:
        raise CaseNumberFormatError("XINYIPI_CASE_NUMBER_FORMAT must contain {seq}")
    unknown = names - _FIELDS
    if unknown:
        raise CaseNumberFormatError(f"XINYIPI_CASE_NUMBER_FORMAT: unknown fields {sorted(unknown)}")
    sample = fmt.format(matter_code="X" * 31, department_code="X" * 18, date=dt.date(2026, 12, 31), seq=9999)
    if len(sample) > 60:
        raise CaseNumberFormatError("XINYIPI_CASE_NUMBER_FORMAT gives numbers longer than 60 characters")
    return fmt


def _next_seq(scope: str) -> int:
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, last) VALUES (%s, 1) "
            f"ON CONFLICT (scope) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [scope],
        )
        return cursor.fetchone()[0]


def case_number_next(*, matter, on: dt.date) -> str:
    """The next case number for ``matter`` filed on ``on`` (Beijing date). Call inside the filing transaction."""
    fmt = number_format_check(settings.APPLICATIONS["CASE_NUMBER_FORMAT"])
    fields = {"matter_code": matter.code, "department_code": matter.department.code, "date": on}
    scope = _SEQ.sub("#", fmt).format(**fields)[:100]
    return fmt.format(seq=_next_seq(scope), **fields)
