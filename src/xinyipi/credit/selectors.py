"""Reads of the credit app: the local store, past checks, the card registry's local table."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinyipi.accounts.access import access_credit_check_by_id, credit_checks_for_actor
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, NotFound
from xinyipi.core.rows import row_select
from xinyipi.credit.categories import Category
from xinyipi.credit.models import CreditCheck, CreditRecord
from xinyipi.subjects.models import Subject
from xinyipi.subjects.selectors import subject_key
from xinyipi.subjects.validators import guess_kind, validate_subject_code
from xinyipi.supervision.models import BlacklistEntry

_RECORD_COLUMNS = (
    "category",
    "source",
    "record_id",
    "document_number",
    "authority",
    "decided_on",
    "publicity_until",
    "ends_on",
    "severity",
    "grade",
    "summary",
)


def _records_sql() -> str:
    table = CreditRecord._meta.db_table
    columns = ", ".join(CreditRecord._meta.get_field(c).column for c in _RECORD_COLUMNS)
    return f"SELECT {columns} FROM {table} WHERE code_key = %s AND code_hash = %s AND status = %s"


def _iso(value) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else value.isoformat()


def credit_records_in_effect(*, code_hash: str, on: dt.date) -> list[dict]:
    """The local store's records of one subject that count on ``on``, as findings.

    Only the newest tax-credit grade counts (each year's assessment replaces the last one). One indexed
    query in plain SQL: it runs in every check, where building the ORM query cost more than running it.
    """
    with connection.cursor() as cursor:
        cursor.execute(_records_sql(), [CreditRecord.key_of(code_hash), code_hash, CreditRecord.Status.ACTIVE])
        rows = cursor.fetchall()
    findings = []
    newest_grade = None
    on_iso = on.isoformat()
    for row in rows:
        record = dict(zip(_RECORD_COLUMNS, row, strict=True))
        for key in ("decided_on", "publicity_until", "ends_on"):
            record[key] = _iso(record[key])
        # ISO dates compare as strings: in effect when decided by then and neither period is over.
        if (record["decided_on"] and record["decided_on"] > on_iso) or any(
            record[key] and record[key] < on_iso for key in ("publicity_until", "ends_on")
        ):
            continue
        record["list_source"] = record.pop("source")
        if record["category"] == Category.TAX_CREDIT_GRADE:
            if newest_grade is None or (record["decided_on"] or "") > (newest_grade["decided_on"] or ""):
                newest_grade = record
            continue
        findings.append(record)
    if newest_grade is not None:
        findings.append(newest_grade)
    return findings


def subject_rows_probe(model, *, subject_id: int, **where) -> tuple[str, list]:
    """A ``SELECT 1 … LIMIT 1`` (and its parameters) finding a row of ``model`` of this subject (and ``where``):
    the probe of a source that rarely has anything to say (city list, manual entries), in plain SQL, so that
    it costs a check almost nothing (``CreditSource.probe``)."""
    conditions = ["subject_id = %s"]
    params: list = [subject_id]
    for name, value in where.items():
        field, _sep, op = name.partition("__")
        column = model._meta.get_field(field).column
        if op == "in":
            conditions.append(f"{column} IN ({', '.join(['%s'] * len(value))})")
            params.extend(value)
            continue
        if isinstance(value, dt.datetime):
            value = connection.ops.adapt_datetimefield_value(value)
        conditions.append(f"{column} {'>=' if op == 'gte' else '='} %s")
        params.append(value)
    return f"SELECT 1 FROM {model._meta.db_table} WHERE {' AND '.join(conditions)} LIMIT 1", params


_SUBJECT_BY_KEY_SQL = f"FROM {Subject._meta.db_table} WHERE code_hash = %s LIMIT 1"


def credit_subject_for_code(raw_code: str, *, field: str = "subject_code") -> Subject:
    """The registered subject with this code. A code that is no valid USCC nor ID number → 422; an unknown
    one → 404 ``subject_not_found``."""
    raw_code = (raw_code or "").strip()
    if not raw_code:
        raise DomainError("subject_code_required", _("请输入统一社会信用代码或居民身份证号码。"), field)
    validate_subject_code(guess_kind(raw_code), raw_code, field=field)
    # Asked at the start of every filing and check: the statement written out (the ORM's building of it costs
    # several times the indexed read), the fields converted as the ORM would.
    subject = row_select(Subject, _SUBJECT_BY_KEY_SQL, [subject_key(raw_code)])
    if subject is None:
        raise NotFound("subject_not_found", _("该主体尚未登记，请先登记申请主体。"), field)
    return subject


def credit_check_reusable(
    *, subject: Subject, max_age_seconds: float, incentive_card: str | None = None
) -> CreditCheck | None:
    """The newest complete check of ``subject`` younger than ``max_age_seconds`` made with the same card
    (or, when ``incentive_card`` is None, with none), else None. A card is re-checked at each use (R3), so
    a check made with a card is not reused without it, nor a check without a card for one presented."""
    since = clock.now() - dt.timedelta(seconds=max_age_seconds)
    card = "".join((incentive_card or "").split()).upper() or None
    # Most filings find none: a probe on the (subject, checked_at) index in plain SQL, the row only if found.
    table = CreditCheck._meta.db_table
    conditions = "subject_id = %s AND checked_at >= %s AND complete = %s AND incentive_card "
    params = [subject.pk, connection.ops.adapt_datetimefield_value(since), True]
    if card is None:
        conditions += "IS NULL"
    else:
        conditions += "= %s"
        params.append(card)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {conditions} ORDER BY checked_at DESC, id DESC LIMIT 1", params)
        row = cursor.fetchone()
    if row is None:
        return None
    check = CreditCheck.objects.get(pk=row[0])
    # An entry proposed (a breach found, R3/R7), listed or ended since makes the check stale at once
    # (R9: "from that moment").
    changed = BlacklistEntry.objects.filter(subject=subject).filter(
        Q(proposed_at__gte=check.checked_at) | Q(listed_at__gte=check.checked_at) | Q(ended_at__gte=check.checked_at)
    )
    return None if changed.exists() else check


def credit_checks_for(*, subject: Subject, limit: int = 10) -> list[CreditCheck]:
    """A subject's most recent checks, newest first (for its console page)."""
    return list(
        CreditCheck.objects.filter(subject=subject).select_related("actor").order_by("-checked_at", "-id")[:limit]
    )


def credit_check_by_id(*, actor, check_id: int) -> CreditCheck:
    """One check for someone allowed to read checks (``accounts.access``); the caller logs the access (R8)."""
    return access_credit_check_by_id(actor, check_id)


@dataclass(frozen=True)
class CheckPage:
    items: list[CreditCheck]
    next_before: int | None


def credit_check_list(
    *, actor, subject_code: str = "", level: str = "", before_id: int | None = None, limit: int = 50
) -> CheckPage:
    """Newest first, keyset-paginated on id (no COUNT); filtered by a whole code and/or a level."""
    rows = credit_checks_for_actor(actor).select_related("subject", "actor").order_by("-id")
    if subject_code.strip():
        rows = rows.filter(subject__code_hash=subject_key(subject_code))
    if level:
        rows = rows.filter(level=level)
    if before_id is not None:
        rows = rows.filter(id__lt=before_id)
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return CheckPage(items=page, next_before=page[-1].id if more else None)


def credit_subject_for_card(raw_number: str, *, field: str = "query") -> tuple[Subject, str]:
    """``(holder, normalised number)`` for a card typed in alone at the window. The card's own validity
    is judged by the check itself; here only "which subject holds it" is asked of the card registry."""
    from xinyipi.credit.sources.base import SourceUnavailable
    from xinyipi.credit.sources.contrib.incentive_card.plugin import normalise_card_number
    from xinyipi.credit.sources.registry import registry

    number = normalise_card_number(raw_number)
    try:
        card, _cached = registry["incentive_card"].lookup(number)
    except SourceUnavailable as exc:
        raise DomainError(
            "card_registry_unavailable",
            _("激励卡登记库暂时无法查询，请输入申请主体的代码进行核查。"),
            field,
        ) from exc
    if card is None:
        raise NotFound("card_not_found", _("未找到纳税信用联合激励卡 %(number)s。") % {"number": number}, field)
    subject = Subject.objects.filter(code_hash=card.holder_code_hash).first()
    if subject is None:
        raise NotFound(
            "subject_not_found",
            _("激励卡的持卡主体（%(name)s）尚未登记，请先登记申请主体。") % {"name": card.holder_name},
            field,
        )
    return subject, number


def looks_like_subject_code(raw: str) -> bool:
    """18 characters after normalising: read as a code (and validated as one), else as a card number."""
    from xinyipi.subjects.validators import normalise

    return len(normalise(raw)) == 18
