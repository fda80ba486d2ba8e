"""R4 and R6 exclusions, read from the dated policy file ``policy/exclusions.yaml``.

A list is chosen by date: the version with the latest ``valid_from`` not after the day asked about.
"""

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from xinyipi.core import clock

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


class PolicyFileError(ValueError):
    """The policy file is malformed; raised when it is read, so a bad edit never half-applies."""


@cache
def _load(path: Path = POLICY_FILE) -> tuple[dict[str, str], dict[str, list[ExclusionList]]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    labels = raw.get("domains") or {}
    if not labels or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in labels.items()):
        raise PolicyFileError("domains must map each code to a non-empty label")
    lists: dict[str, list[ExclusionList]] = {}
    for name in LISTS:
        versions = []
        for entry in raw.get(name) or []:
            valid_from, reference = entry.get("valid_from"), (entry.get("reference") or "").strip()
            domains = entry.get("domains") or []
            if not isinstance(valid_from, dt.date) or not reference:
                raise PolicyFileError(f"{name}: every version needs a valid_from date and a reference")
            unknown = sorted(set(domains) - set(labels))
            if unknown:
                raise PolicyFileError(f"{name} {valid_from}: unknown domains {unknown}")
            versions.append(ExclusionList(name, valid_from, reference, frozenset(domains)))
        if not versions:
            raise PolicyFileError(f"{name}: no version")
        if len({v.valid_from for v in versions}) != len(versions):
            raise PolicyFileError(f"{name}: two versions start on the same day")
        lists[name] = sorted(versions, key=lambda v: v.valid_from)
    return labels, lists


def _in_force(versions: list[ExclusionList], on: dt.date) -> ExclusionList:
    current = [v for v in versions if v.valid_from <= on]
    if not current:
        # Before the first text the earliest list applies: the system never runs with no exclusions.
        return versions[0]
    return current[-1]


def exclusions_on(on: dt.date | None = None) -> Exclusions:
    on = on or clock.today()
    labels, lists = _load()
    return Exclusions(
        on=on,
        labels=dict(labels),
        commitment=_in_force(lists["commitment_excluded"], on),
        tolerance=_in_force(lists["tolerance_excluded"], on),
    )


def domain_choices() -> list[tuple[str, str]]:
    labels, _lists = _load()
    return list(labels.items())


def domain_labels() -> dict[str, str]:
    return dict(_load()[0])
