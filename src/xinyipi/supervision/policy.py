"""Dated policy values of the city list's due process, read from ``policy/listing.yaml``."""

import datetime as dt
import re
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


_FOLD = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


def _text(value) -> str:
    """A YAML text as written: a folded block turns line breaks into spaces, which Chinese does not have."""
    return _FOLD.sub("", str(value).strip())


def _build(entry: dict) -> ListingPolicy:
    return ListingPolicy(
        valid_from=entry["valid_from"],
        list_name=_text(entry["list_name"]),
        effects=_text(entry["effects"]),
        basis=_text(entry["basis"]),
        objection_days=int(entry["objection_days"]),
        objection_reference=_text(entry["objection_reference"]),
        publicity_months=int(entry["publicity_months"]),
        publicity_reference=_text(entry["publicity_reference"]),
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


REPAIR_FILE = Path(__file__).resolve().parent / "policy" / "repair.yaml"


@dataclass(frozen=True)
class SeverityPeriods:
    severity: str
    repair_after_months: int
    publicity_months: int
    reference: str


@dataclass(frozen=True)
class RepairPolicy:
    valid_from: dt.date
    reference: str
    decision_days: int
    decision_reference: str
    severities: dict[str, SeverityPeriods]
    commitment: str

    def periods(self, severity: str) -> SeverityPeriods:
        return self.severities[severity]


def _build_repair(entry: dict) -> RepairPolicy:
    return RepairPolicy(
        valid_from=entry["valid_from"],
        reference=_text(entry["reference"]),
        decision_days=int(entry["decision_days"]),
        decision_reference=_text(entry["decision_reference"]),
        severities={
            name: SeverityPeriods(
                severity=name,
                repair_after_months=int(values["repair_after_months"]),
                publicity_months=int(values["publicity_months"]),
                reference=_text(values["reference"]),
            )
            for name, values in entry["severities"].items()
        },
        commitment=_text(entry["commitment"]),
    )


def _check_repair(policy: RepairPolicy) -> str | None:
    if set(policy.severities) != {"minor", "general", "serious"}:
        return "severities must be exactly minor, general and serious"
    if policy.decision_days < 1:
        return "decision_days must be positive"
    for periods in policy.severities.values():
        if not 0 <= periods.repair_after_months <= periods.publicity_months:
            return f"{periods.severity}: repair_after_months must lie between 0 and publicity_months"
    if not (policy.reference and policy.commitment):
        return "reference and commitment are required"
    return None


@cache
def _repair_versions(path: Path = REPAIR_FILE) -> tuple[RepairPolicy, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dated_versions(raw.get("versions"), source=path.name, build=_build_repair, check=_check_repair)


def repair_policy_on(on: dt.date) -> RepairPolicy:
    return version_on(_repair_versions(), on)


def publicity_months(policy: ListingPolicy, severity: str | None, on: dt.date) -> int:
    """Months an entry of ``severity`` stays published: the list's own setting for general information (the
    city list's usual class), the longest period of 令2025年第36号 for the other classes."""
    if severity in (None, "general"):
        return policy.publicity_months
    return repair_policy_on(on).periods(severity).publicity_months
