"""The credit policy (R3) as data: findings → credit level → entitlements, and the explanation of it.

A policy version is one YAML file in ``policy/data/`` (format: docs/policy.md). The version applied to a
check is the one with the latest ``valid_from`` on or before the check's day (Beijing time), so a past
check can always be explained by the version it names. The engine is pure: it reads findings and source
statuses, never the database, so the YAML cases in ``policy/cases/`` test it directly.

Decision, in short:
1. Rules are checked in file order; the first rule that applies (``when`` matches a finding and no
   finding matches its ``unless``) decides the level. None applies → ``default_level``.
2. The level grants its entitlements, less what any applying rule ``withhold``s.
3. A source that did not answer (and that no manual entry covers) makes the check incomplete, and every
   entitlement a finding from that source could take away under this policy is withheld (R2).
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from xinyipi.core.text import join_list
from xinyipi.credit.categories import FINDING_LABELS, Entitlement, Level, SourceStatus
from xinyipi.credit.findings import finding_label

DATA_DIR = Path(__file__).resolve().parent / "data"
CONDITION_KEYS = frozenset({"category", "severity", "grade", "source"})


class PolicyError(ValueError):
    """A policy file is malformed; raised when the files are loaded (and by the test suite)."""


@dataclass(frozen=True)
class LevelSpec:
    name: str
    label: str
    entitlements: tuple[str, ...]
    mode: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    when: dict
    level: str
    says: str
    reference: str
    unless: dict | None = None
    withhold: tuple[str, ...] = ()

    def matches(self, finding: dict) -> bool:
        return _matches(self.when, finding)

    def blocked_by(self, findings: list[dict]) -> dict | None:
        if not self.unless:
            return None
        return next((f for f in findings if _matches(self.unless, f)), None)

    def categories(self) -> set[str]:
        wanted = self.when.get("category")
        if wanted is None:
            return set(FINDING_LABELS)
        return set(wanted) if isinstance(wanted, list) else {wanted}


@dataclass(frozen=True)
class Policy:
    version: str
    valid_from: dt.date
    title: str
    reference: str
    levels: dict[str, LevelSpec]
    default_level: str
    default_reference: str
    rules: tuple[Rule, ...]
    path: Path

    def rank(self, level: str) -> int:
        """0 for the best level; larger is worse."""
        return list(self.levels).index(level)

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _matches(condition: dict, finding: dict) -> bool:
    for key, expected in condition.items():
        value = finding.get(key)
        if isinstance(expected, list):
            if value not in expected:
                return False
        elif value != expected:
            return False
    return True


def _condition(raw, where: str) -> dict:
    if not isinstance(raw, dict) or not raw:
        raise PolicyError(f"{where}: must be a non-empty mapping")
    unknown = set(raw) - CONDITION_KEYS
    if unknown:
        raise PolicyError(f"{where}: unknown keys {sorted(unknown)}")
    categories = raw.get("category")
    for category in categories if isinstance(categories, list) else [categories] if categories else []:
        if category not in FINDING_LABELS:
            raise PolicyError(f"{where}: unknown category {category!r}")
    return {k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in raw.items()}


def policy_parse(raw: dict, path: Path) -> Policy:
    """A ``Policy`` from one YAML document, checked field by field (``PolicyError`` names the fault)."""
    name = path.name
    for key in ("version", "valid_from", "title", "reference", "levels", "default_level", "rules"):
        if key not in raw:
            raise PolicyError(f"{name}: missing {key!r}")
    valid_from = raw["valid_from"]
    if not isinstance(valid_from, dt.date):
        raise PolicyError(f"{name}: valid_from must be a date (YYYY-MM-DD)")
    levels = {}
    for level_name, spec in raw["levels"].items():
        if level_name not in Level.values:
            raise PolicyError(f"{name}: unknown level {level_name!r}")
        entitlements = tuple(spec.get("entitlements") or ())
        bad = set(entitlements) - set(Entitlement.values)
        if bad:
            raise PolicyError(f"{name}: level {level_name}: unknown entitlements {sorted(bad)}")
        mode = str(spec.get("mode") or "")
        if mode and mode not in {"standard", "key_review"}:
            raise PolicyError(f"{name}: level {level_name}: mode must be standard or key_review, not {mode!r}")
        levels[level_name] = LevelSpec(
            name=level_name,
            label=str(spec.get("label") or Level(level_name).label),
            entitlements=entitlements,
            mode=mode,
            reference=str(spec.get("reference") or ""),
        )
    if set(levels) != set(Level.values):
        raise PolicyError(f"{name}: levels must be exactly {sorted(Level.values)}")
    if raw["default_level"] not in levels:
        raise PolicyError(f"{name}: default_level {raw['default_level']!r} is not a level")
    rules, seen = [], set()
    for index, item in enumerate(raw["rules"], start=1):
        where = f"{name}: rule {index}"
        for key in ("id", "when", "level", "says", "reference"):
            if not item.get(key):
                raise PolicyError(f"{where}: missing {key!r} (every rule carries its legal reference)")
        if item["id"] in seen:
            raise PolicyError(f"{where}: duplicate id {item['id']!r}")
        seen.add(item["id"])
        if item["level"] not in levels:
            raise PolicyError(f"{where}: unknown level {item['level']!r}")
        withhold = tuple(item.get("withhold") or ())
        if set(withhold) - set(Entitlement.values):
            raise PolicyError(f"{where}: unknown entitlements in withhold {withhold}")
        rules.append(
            Rule(
                id=str(item["id"]),
                when=_condition(item["when"], f"{where} when"),
                unless=_condition(item["unless"], f"{where} unless") if item.get("unless") else None,
                level=item["level"],
                withhold=withhold,
                says=str(item["says"]),
                reference=str(item["reference"]),
            )
        )
    return Policy(
        version=str(raw["version"]),
        valid_from=valid_from,
        title=str(raw["title"]),
        reference=" ".join(str(raw["reference"]).split()),
        levels=levels,
        default_level=raw["default_level"],
        default_reference=str(raw.get("default_reference") or ""),
        rules=tuple(rules),
        path=path,
    )


def policies_load(directory: Path = DATA_DIR) -> list[Policy]:
    """Every version in ``directory``, oldest first. Versions and start dates must be unique."""
    loaded = []
    for path in sorted(directory.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            loaded.append(policy_parse(yaml.safe_load(handle), path))
    if not loaded:
        raise PolicyError(f"no policy files in {directory}")
    loaded.sort(key=lambda p: p.valid_from)
    for earlier, later in pairwise(loaded):
        if earlier.valid_from == later.valid_from or earlier.version == later.version:
            raise PolicyError(f"{earlier.path.name} and {later.path.name} share a version or a start date")
    return loaded


@cache
def policy_versions() -> tuple[Policy, ...]:
    return tuple(policies_load())


def policy_named(version: str) -> Policy | None:
    """The version called ``version`` (as a check records it), or None for a name no file carries."""
    return next((policy for policy in policy_versions() if policy.version == version), None)


def policy_for(on: dt.date) -> Policy:
    """The version in force on ``on``."""
    current = None
    for policy in policy_versions():
        if policy.valid_from <= on:
            current = policy
    if current is None:
        raise PolicyError(f"no credit policy in force on {on.isoformat()}")
    return current


@dataclass
class SourceState:
    """What the engine needs of a source's answer."""

    name: str
    label: str
    status: str
    categories: tuple[str, ...] = ()
    covered_by: str = ""  # a manual entry stands in for it

    @property
    def missing(self) -> bool:
        return self.status not in {SourceStatus.OK, SourceStatus.NOT_APPLICABLE} and not self.covered_by


@dataclass
class Decision:
    policy: Policy
    level: str
    entitlements: list[str]
    complete: bool
    explanation: list[str]
    findings: list[dict]
    rule: str
    withheld: dict[str, list[str]] = field(default_factory=dict)
    entitlements_label: str = ""  # the granted entitlements as one enumeration, as the explanation names them

    @property
    def mode(self) -> str:
        return self.policy.levels[self.level].mode


def _entitlement_label(name: str) -> str:
    return str(Entitlement(name).label)


def _join(names) -> str:
    return join_list(_entitlement_label(n) for n in names)


def _describe(finding: dict) -> str:
    parts = []
    if finding.get("grade"):
        parts.append(_("%(grade)s 级") % {"grade": finding["grade"]})
    if finding.get("severity") == "serious":
        parts.append(_("严重"))
    if finding.get("document_number"):
        parts.append(str(finding["document_number"]))
    if finding.get("authority"):
        parts.append(str(finding["authority"]))
    if finding.get("decided_on"):
        parts.append(_("%(date)s 决定") % {"date": finding["decided_on"]})
    if finding.get("publicity_until"):
        parts.append(_("公示至 %(date)s") % {"date": finding["publicity_until"]})
    elif finding.get("ends_on"):
        parts.append(_("有效期至 %(date)s") % {"date": finding["ends_on"]})
    label = finding_label(finding.get("category", ""))
    return f"{label}（{'，'.join(parts)}）" if parts else label


def decide(*, findings: list[dict], on: dt.date, sources: list[SourceState], policy: Policy | None = None) -> Decision:
    """Apply the policy in force on ``on`` (or ``policy``) and explain the outcome in sentences."""
    policy = policy or policy_for(on)
    annotated = [dict(f) for f in findings]
    explanation: list[str] = []

    if annotated:
        explanation.append(
            _("发现 %(n)d 条信用记录：%(list)s。")
            % {"n": len(annotated), "list": "；".join(_describe(f) for f in annotated)}
        )
    else:
        explanation.append(_("各来源均未发现信用记录。"))

    applying: list[Rule] = []
    for rule in policy.rules:
        matched = [f for f in annotated if rule.matches(f)]
        if not matched:
            continue
        blocker = rule.blocked_by(annotated)
        if blocker is not None:
            explanation.append(
                _("%(says)s，但因%(blocker)s，该项不适用。") % {"says": rule.says, "blocker": _describe(blocker)}
            )
            continue
        for finding in matched:
            finding.setdefault("rule", rule.id)
        applying.append(rule)

    for finding in annotated:
        finding.setdefault("rule", None)  # a finding no rule takes into account (e.g. tax grade B)

    if applying:
        decisive = applying[0]
        level = decisive.level
        explanation.append(
            _("信用等级：%(level)s。依据：%(says)s（%(ref)s）。")
            % {"level": policy.levels[level].label, "says": decisive.says, "ref": decisive.reference}
        )
        for rule in applying[1:]:
            if rule.level != level:
                explanation.append(_("另有：%(says)s，按规则顺序由前一条规则决定等级。") % {"says": rule.says})
        rule_id = decisive.id
    else:
        level = policy.default_level
        explanation.append(
            _("未发现影响信用等级的记录，信用等级：%(level)s（%(ref)s）。")
            % {"level": policy.levels[level].label, "ref": policy.default_reference or policy.reference}
        )
        rule_id = "default"

    granted = list(policy.levels[level].entitlements)
    withheld: dict[str, list[str]] = {}
    for rule in applying:
        taken = [e for e in rule.withhold if e in granted]
        if taken:
            explanation.append(
                _("因%(says)s，不享受：%(list)s（%(ref)s）。")
                % {"says": rule.says, "list": _join(taken), "ref": rule.reference}
            )
            for name in taken:
                withheld.setdefault(name, []).append(rule.id)
            granted = [e for e in granted if e not in taken]

    complete = True
    for state in sources:
        if state.covered_by:
            explanation.append(
                _("%(source)s未能查询（%(status)s），采用窗口人工查询结果代替（%(entry)s）。")
                % {"source": state.label, "status": SourceStatus(state.status).label, "entry": state.covered_by}
            )
        if not state.missing:
            continue
        complete = False
        worst_rank, taken = None, set()
        for rule in policy.rules:
            if rule.categories() & set(state.categories):
                rank = policy.rank(rule.level)
                worst_rank = rank if worst_rank is None else max(worst_rank, rank)
                taken.update(rule.withhold)
        allowed = set(Entitlement.values)
        if worst_rank is not None:
            allowed = set(policy.levels[list(policy.levels)[worst_rank]].entitlements) - taken
        removed = [e for e in granted if e not in allowed]
        if removed:
            explanation.append(
                _("%(source)s未能查询（%(status)s），本次核查不完整；可能受其影响的便利措施暂不给予：%(list)s。")
                % {"source": state.label, "status": SourceStatus(state.status).label, "list": _join(removed)}
            )
            for name in removed:
                withheld.setdefault(name, []).append(f"missing:{state.name}")
            granted = [e for e in granted if e in allowed]
        else:
            explanation.append(
                _("%(source)s未能查询（%(status)s），本次核查不完整，但不影响可享受的便利措施。")
                % {"source": state.label, "status": SourceStatus(state.status).label}
            )

    spec = policy.levels[level]
    granted_label = _join(granted)
    if granted:
        explanation.append(_("可享受的便利措施：%(list)s。") % {"list": granted_label})
    elif spec.mode == "key_review":
        explanation.append(_("不享受便利措施，办件按重点审查办理。"))
    else:
        explanation.append(_("暂不享受便利措施，可按一般程序办理。"))
    explanation.append(
        _("适用信用政策 %(version)s（自 %(date)s 起施行）。")
        % {"version": policy.version, "date": policy.valid_from.isoformat()}
    )
    return Decision(
        policy=policy,
        level=level,
        entitlements=granted,
        complete=complete,
        explanation=explanation,
        findings=annotated,
        rule=rule_id,
        withheld=withheld,
        entitlements_label=granted_label,
    )
