"""Dated policy values of the city list's due process, read from ``policy/listing.yaml``."""

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from xinyipi.core.dated import dated_versions, version_on

POLICY_FILE = Path(__file__).resolve().parent / "policy" / "listing.yaml"


@dataclass(frozen=True)
class ListingPolicy:
    valid_from: dt.date
    list_name: str
    effects: str
    basis: str
    objection_days: int
    objection_reference: str
    publicity_months: int
    publicity_reference: str


def _build(entry: dict) -> ListingPolicy:
    return ListingPolicy(
        valid_from=entry["valid_from"],
        list_name=str(entry["list_name"]).strip(),
        effects=str(entry["effects"]).strip(),
        basis=str(entry["basis"]).strip(),
        objection_days=int(entry["objection_days"]),
        objection_reference=str(entry["objection_reference"]).strip(),
        publicity_months=int(entry["publicity_months"]),
        publicity_reference=str(entry["publicity_reference"]).strip(),
    )


def _check(policy: ListingPolicy) -> str | None:
    if policy.objection_days < 1 or policy.publicity_months < 1:
        return "periods must be positive"
    if not (policy.list_name and policy.basis and policy.objection_reference and policy.publicity_reference):
        return "name, basis and references are required"
    return None


@cache
def _versions(path: Path = POLICY_FILE) -> tuple[ListingPolicy, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dated_versions(raw.get("versions"), source=path.name, build=_build, check=_check)


def listing_policy_on(on: dt.date) -> ListingPolicy:
    return version_on(_versions(), on)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months; the last day of a shorter month when the day does not exist."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
