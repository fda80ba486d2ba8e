"""Dated policy values of the case workflow, read from ``policy/workflow.yaml`` (STYLE.md principle 4).

The version in force on a day is the one with the latest ``valid_from`` not after it.
"""

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

POLICY_FILE = Path(__file__).resolve().parent / "policy" / "workflow.yaml"


class PolicyFileError(ValueError):
    """The policy file is malformed; raised when it is read, so a bad edit never half-applies."""


@dataclass(frozen=True)
class WorkflowPolicy:
    valid_from: dt.date
    grace_days: int
    grace_reference: str
    verification_sample_rate: float
    verification_sample_reference: str


@cache
def _versions(path: Path = POLICY_FILE) -> tuple[WorkflowPolicy, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    versions = []
    for entry in raw.get("versions") or []:
        try:
            policy = WorkflowPolicy(
                valid_from=entry["valid_from"],
                grace_days=int(entry["grace_days"]),
                grace_reference=str(entry["grace_reference"]).strip(),
                verification_sample_rate=float(entry["verification_sample_rate"]),
                verification_sample_reference=str(entry["verification_sample_reference"]).strip(),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PolicyFileError(f"{path.name}: incomplete version {entry!r}: {exc}") from exc
        if not isinstance(policy.valid_from, dt.date):
            raise PolicyFileError(f"{path.name}: valid_from must be a date")
        if policy.grace_days < 1 or not 0.0 <= policy.verification_sample_rate <= 1.0:
            raise PolicyFileError(f"{path.name} {policy.valid_from}: grace_days ≥ 1 and 0 ≤ sample rate ≤ 1")
        if not policy.grace_reference or not policy.verification_sample_reference:
            raise PolicyFileError(f"{path.name} {policy.valid_from}: every value needs its reference")
        versions.append(policy)
    if not versions:
        raise PolicyFileError(f"{path.name}: no version")
    versions.sort(key=lambda v: v.valid_from)
    if len({v.valid_from for v in versions}) != len(versions):
        raise PolicyFileError(f"{path.name}: two versions start on the same day")
    return tuple(versions)


def workflow_policy_on(on: dt.date) -> WorkflowPolicy:
    versions = _versions()
    current = [v for v in versions if v.valid_from <= on]
    return current[-1] if current else versions[0]
