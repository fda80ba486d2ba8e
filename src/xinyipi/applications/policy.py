"""Dated policy values of the case workflow, read from ``policy/workflow.yaml`` (STYLE.md principle 4).

The version in force on a day is the one with the latest ``valid_from`` not after it.
"""

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from xinyipi.core.dated import dated_versions, version_on

POLICY_FILE = Path(__file__).resolve().parent / "policy" / "workflow.yaml"
# What an unanswered correction notice becomes (the status names of ``models.Status``).
CORRECTION_LAPSE_OUTCOMES = frozenset({"withdrawn", "terminated"})


@dataclass(frozen=True)
class WorkflowPolicy:
    valid_from: dt.date
    grace_days: int
    grace_reference: str
    verification_sample_rate: float
    verification_sample_reference: str
    rectification_days: int
    rectification_reference: str
    correction_notice_days: int
    correction_days: int
    correction_lapse: str
    correction_reference: str


def _build(entry: dict) -> WorkflowPolicy:
    return WorkflowPolicy(
        valid_from=entry["valid_from"],
        grace_days=int(entry["grace_days"]),
        grace_reference=str(entry["grace_reference"]).strip(),
        verification_sample_rate=float(entry["verification_sample_rate"]),
        verification_sample_reference=str(entry["verification_sample_reference"]).strip(),
        rectification_days=int(entry["rectification_days"]),
        rectification_reference=str(entry["rectification_reference"]).strip(),
        correction_notice_days=int(entry["correction_notice_days"]),
        correction_days=int(entry["correction_days"]),
        correction_lapse=str(entry["correction_lapse"]).strip(),
        correction_reference=str(entry["correction_reference"]).strip(),
    )


def _check(policy: WorkflowPolicy) -> str | None:
    if policy.grace_days < 1 or policy.rectification_days < 1 or not 0.0 <= policy.verification_sample_rate <= 1.0:
        return "grace_days ≥ 1, rectification_days ≥ 1 and 0 ≤ sample rate ≤ 1"
    if policy.correction_notice_days < 0 or policy.correction_days < 1:
        return "correction_notice_days ≥ 0 and correction_days ≥ 1"
    if policy.correction_lapse not in CORRECTION_LAPSE_OUTCOMES:
        return f"correction_lapse is one of {sorted(CORRECTION_LAPSE_OUTCOMES)}"
    if not (
        policy.grace_reference
        and policy.verification_sample_reference
        and policy.rectification_reference
        and policy.correction_reference
    ):
        return "every value needs its reference"
    return None


@cache
def _versions(path: Path = POLICY_FILE) -> tuple[WorkflowPolicy, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dated_versions(raw.get("versions"), source=path.name, build=_build, check=_check)


def workflow_policy_on(on: dt.date) -> WorkflowPolicy:
    return version_on(_versions(), on)
