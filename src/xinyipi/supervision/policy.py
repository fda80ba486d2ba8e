"""Dated policy values of the city list's due process, read from ``policy/listing.yaml``."""

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

POLICY_FILE = Path(__file__).resolve().parent / "policy" / "listing.yaml"


class PolicyFileError(ValueError):
    """The policy file is malformed; raised when it is read, so a bad edit never half-applies."""


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


@cache
def _versions(path: Path = POLICY_FILE) -> tuple[ListingPolicy, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    versions = []
    for entry in raw.get("versions") or []:
        try:
            policy = ListingPolicy(
                valid_from=entry["valid_from"],
                list_name=str(entry["list_name"]).strip(),
                effects=str(entry["effects"]).strip(),
                basis=str(entry["basis"]).strip(),
                objection_days=int(entry["objection_days"]),
                objection_reference=str(entry["objection_reference"]).strip(),
                publicity_months=int(entry["publicity_months"]),
                publicity_reference=str(entry["publicity_reference"]).strip(),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PolicyFileError(f"{path.name}: incomplete version {entry!r}: {exc}") from exc
        if not isinstance(policy.valid_from, dt.date):
            raise PolicyFileError(f"{path.name}: valid_from must be a date")
        if policy.objection_days < 1 or policy.publicity_months < 1:
            raise PolicyFileError(f"{path.name} {policy.valid_from}: periods must be positive")
        if not (policy.list_name and policy.basis and policy.objection_reference and policy.publicity_reference):
            raise PolicyFileError(f"{path.name} {policy.valid_from}: name, basis and references are required")
        versions.append(policy)
    if not versions:
        raise PolicyFileError(f"{path.name}: no version")
    versions.sort(key=lambda v: v.valid_from)
    if len({v.valid_from for v in versions}) != len(versions):
        raise PolicyFileError(f"{path.name}: two versions start on the same day")
    return tuple(versions)


def listing_policy_on(on: dt.date) -> ListingPolicy:
    versions = _versions()
    current = [v for v in versions if v.valid_from <= on]
    return current[-1] if current else versions[0]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months; the last day of a shorter month when the day does not exist."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
