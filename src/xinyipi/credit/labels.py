"""Credit results in plain words: the one place pages (console and portal) turn the code names a check
stores — its sources, finding categories, rules, levels and entitlements — into the words people read.

The words themselves live beside what they name: finding categories in ``categories.FINDING_LABELS``,
sources on their plugin (``CreditSource.label``), rules in the dated policy (``says``); a test checks
that every code the policy data and the registry use has words here.
"""

import re

from xinyipi.credit.categories import FINDING_LABELS, Entitlement, Level


def source_label(name: str) -> str:
    """A credit source's name on screen (``local_store`` → 本地信用信息库); an unknown name as it is."""
    from xinyipi.credit.sources.registry import registry

    return str(registry[name].label) if name in registry and registry[name].label else name


def finding_label(category: str) -> str:
    """What a finding is (``dishonest_judgment_debtor`` → 失信被执行人)."""
    return str(FINDING_LABELS.get(category, category))


def rule_label(rule_id: str | None, policy_version: str = "") -> str:
    """What a rule of the policy says (the version a check applied; else the newest that has the rule)."""
    from xinyipi.credit.policy.engine import policy_named, policy_versions

    if not rule_id:
        return ""
    named = policy_named(policy_version) if policy_version else None
    for policy in ([named] if named else []) + list(reversed(policy_versions())):
        for rule in policy.rules:
            if rule.id == rule_id:
                return rule.says
    return rule_id


def level_label(level: str) -> str:
    return str(Level(level).label) if level in Level.values else level


def entitlement_label(name: str) -> str:
    return str(Entitlement(name).label) if name in Entitlement.values else name


# How checks recorded before the 2026-12 wording named the rule: "（规则 <id>）" and "（规则 <id>；<reference>）".
_RULE_ID = re.compile(r"（规则 [a-z][a-z0-9_]*）|规则 [a-z][a-z0-9_]*；")


def explanation_plain(sentences: list[str]) -> list[str]:
    """A check's explanation without rule ids: each sentence already says what the rule says. Checks recorded
    with the older wording keep their stored sentences; only the page leaves the ids out."""
    return [_RULE_ID.sub("", sentence) for sentence in sentences or []]
