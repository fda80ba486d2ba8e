"""办件编号 (case numbers) and 文号 (document numbers).

Case numbers: ``XINYIPI_CASE_NUMBER_FORMAT``, by default ``{实施编码}{yyyyMMdd}{NNNN}``
(govservice-standards.md §2.2: the fallback format of the regional case-number service).

The sequence counts per *scope*: the number as formatted with everything but ``seq``. With the default
format that is one matter on one day, so the sequence restarts each day. It is taken with one
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement in the filing transaction: two filings at once
get distinct numbers on SQLite and PostgreSQL alike (no gaps are promised: a refused filing may use one).

Document numbers follow the official form of a 发文字号 (GB/T 9704-2012 §7.2.4: 机关代字、年份、发文顺序号, the
year in 六角括号): ``扎市监许〔2026〕12号``. The 机关代字 is the department's ``DocumentPrefix`` (admin-edited);
the sequence counts per prefix and calendar year (Beijing) in the same counter table, taken the same way.
"""

import datetime as dt
import functools
import re
import string

from django.conf import settings
from django.db import transaction

from xinyipi.applications.models import CaseCounter, DocumentPrefix

_SEQ = re.compile(r"\{seq(?::[^}]*)?\}")
_FIELDS = {"matter_code", "department_code", "date", "seq"}


class CaseNumberFormatError(ValueError):
    pass


@functools.lru_cache(maxsize=16)  # checked once per format text: every filing asks
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
    connection = transaction.get_connection()
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


# 机关代字 of the demo departments (``load_demo``): 扎兰屯市 + the department's usual abbreviation + 许 (许可).
DEMO_PREFIXES = {
    "市场监管局": "扎市监许",
    "卫健委": "扎卫健许",
    "交通运输局": "扎交许",
    "住建局": "扎住建许",
    "生态环境分局": "扎环许",
    "文旅体局": "扎文旅许",
    "人社局": "扎人社许",
    "民政局": "扎民许",
    "应急管理局": "扎应急许",
    "公安局": "扎公许",
    "政数局": "扎政数许",
}
_TRIM = ("分局", "局", "委员会", "委", "办公室", "办")


def document_prefix_fallback(department) -> str:
    """The 机关代字 of a department without a ``DocumentPrefix``: 扎 + its short name (less the city's name and
    局/委…) + 许."""
    short = (department.short_name or department.name or "").strip()
    short = short.removeprefix("扎兰屯市") or short
    for tail in _TRIM:
        if short.endswith(tail) and len(short) > len(tail):
            short = short[: -len(tail)]
            break
    return f"扎{short[:6]}许"


def document_number_format(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}〔{year}〕{seq}号"


def document_prefix_for(department) -> str:
    """The department's 机关代字: its ``DocumentPrefix``, else the fallback."""
    row = DocumentPrefix.objects.filter(department_id=department.pk).values_list("prefix", flat=True).first()
    return row or document_prefix_fallback(department)


def document_number_next(*, department, on: dt.date) -> str:
    """The next document number of ``department`` in the year of ``on`` (Beijing date). Call inside the
    transaction that issues the document: concurrent issues get distinct numbers.

    One statement on the hot path (an instant approval issues its decision): the prefix is read inside the
    counter's ``INSERT … SELECT … ON CONFLICT DO UPDATE … RETURNING`` (``WHERE true`` lets SQLite parse the
    upsert after a SELECT), and the scope it returns carries it back."""
    connection = transaction.get_connection()
    counters = connection.ops.quote_name(CaseCounter._meta.db_table)
    prefixes = connection.ops.quote_name(DocumentPrefix._meta.db_table)
    year = str(on.year)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {counters} (scope, last) "
            f"SELECT 'doc:' || COALESCE((SELECT prefix FROM {prefixes} WHERE department_id = %s), %s) || ':' || %s, 1 "
            f"WHERE true ON CONFLICT (scope) DO UPDATE SET last = {counters}.last + 1 RETURNING scope, last",
            [department.pk, document_prefix_fallback(department), year],
        )
        scope, seq = cursor.fetchone()
    prefix = scope[len("doc:") : -(len(year) + 1)]
    return document_number_format(prefix, on.year, seq)
