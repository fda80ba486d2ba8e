"""Findings from any source, in one shape, and when a record is in effect on a given day."""

import datetime as dt

from xinyipi.credit.categories import FINDING_LABELS, STORE_CATEGORIES

FINDING_FIELDS = (
    "category",
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


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def in_effect(*, decided_on, publicity_until, ends_on, status: str = "active", on: dt.date) -> bool:
    """A record counts on ``on`` when it is active, already decided, and neither its publicity period
    nor its own term has ended (publication stops at the maximum period: 令2025年第36号)."""
    if status not in ("active", "", None):
        return False
    decided, until, ends = _date(decided_on), _date(publicity_until), _date(ends_on)
    if decided is not None and decided > on:
        return False
    if until is not None and until < on:
        return False
    return not (ends is not None and ends < on)


def finding_from_external(record: dict, *, source: str, on: dt.date) -> dict | None:
    """A record from an HTTP interface as a finding, or None when it is not in effect or not understood."""
    category = record.get("category")
    if category not in STORE_CATEGORIES:
        return None
    try:
        effective = in_effect(
            decided_on=record.get("decided_on"),
            publicity_until=record.get("publicity_until"),
            ends_on=record.get("ends_on"),
            status=record.get("status", "active"),
            on=on,
        )
    except ValueError:
        return None
    if not effective:
        return None
    finding = {
        key: record.get(key) or ("" if key not in {"decided_on", "publicity_until", "ends_on"} else None)
        for key in FINDING_FIELDS
    }
    finding["source"] = source
    return finding


def finding_label(category: str) -> str:
    return str(FINDING_LABELS.get(category, category))
