"""R4 and R6 exclusions, read from the dated policy file ``policy/exclusions.yaml``.

A list is chosen by date: the version with the latest ``valid_from`` not after the day asked about;
before the first text the earliest list applies, so the system never runs with no exclusions.
"""

import datetime as dt
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

import yaml

from xinyipi.core import clock
from xinyipi.core.dated import PolicyFileError, dated_versions, version_on

POLICY_FILE = Path(__file__).resolve().parent / "policy" / "exclusions.yaml"
LISTS = ("commitment_excluded", "tolerance_excluded")


@dataclass(frozen=True)
class ExclusionList:
    name: str
    valid_from: dt.date
    reference: str
    domains: frozenset[str]


@dataclass(frozen=True)
class Exclusions:
    """The lists in force on one day, with the labels of every known domain."""

    on: dt.date
    labels: dict[str, str]
    commitment: ExclusionList
    tolerance: ExclusionList

    def label(self, code: str) -> str:
        return self.labels.get(code, code)

    def commitment_hits(self, domains) -> list[str]:
        return [d for d in domains if d in self.commitment.domains]

    def tolerance_hits(self, domains) -> list[str]:
        return [d for d in domains if d in self.tolerance.domains]


def _exclusion_list(name: str, entry: dict) -> ExclusionList:
    reference = (entry.get("reference") or "").strip()
    return ExclusionList(name, entry.get("valid_from"), reference, frozenset(entry.get("domains") or []))


@cache
def _load(path: Path = POLICY_FILE) -> tuple[dict[str, str], dict[str, tuple[ExclusionList, ...]]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    labels = raw.get("domains") or {}
    if not labels or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in labels.items()):
        raise PolicyFileError(f"{path.name}: domains must map each code to a non-empty label")

    def check(version: ExclusionList) -> str | None:
        if not version.reference:
            return "every version needs a reference"
        unknown = sorted(version.domains - set(labels))
        return f"unknown domains {unknown}" if unknown else None

    lists = {
        name: dated_versions(
            raw.get(name), source=f"{path.name} {name}", build=partial(_exclusion_list, name), check=check
        )
        for name in LISTS
    }
    return labels, lists


def exclusions_on(on: dt.date | None = None) -> Exclusions:
    on = on or clock.today()
    labels, lists = _load()
    return Exclusions(
        on=on,
        labels=dict(labels),
        commitment=version_on(lists["commitment_excluded"], on),
        tolerance=version_on(lists["tolerance_excluded"], on),
    )


def domain_choices() -> list[tuple[str, str]]:
    labels, _lists = _load()
    return list(labels.items())


def domain_labels() -> dict[str, str]:
    return dict(_load()[0])
