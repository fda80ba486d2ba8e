"""Credit results in plain words: every code the dated policy data and the source registry use has words,
and the pages show the words, not the codes (``local_store``, ``dishonest_judgment_debtor``)."""

import re

import pytest
from django.test import Client

from xinyipi.credit.categories import FINDING_LABELS
from xinyipi.credit.labels import (
    entitlement_label,
    explanation_plain,
    finding_label,
    level_label,
    rule_label,
    source_label,
)
from xinyipi.credit.policy.engine import policy_versions
from xinyipi.credit.services import credit_check_run
from xinyipi.credit.sources.registry import registry

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _plain(label: str, code: str) -> bool:
    return label != code and bool(CHINESE.search(label))


def _condition_values(condition: dict | None, key: str) -> set[str]:
    value = (condition or {}).get(key)
    if value is None:
        return set()
    return set(value) if isinstance(value, list) else {value}


def test_every_finding_category_the_policy_data_names_has_words():
    named = set(FINDING_LABELS)
    for policy in policy_versions():
        for rule in policy.rules:
            named |= _condition_values(rule.when, "category") | _condition_values(rule.unless, "category")
    unlabelled = sorted(c for c in named if not _plain(finding_label(c), c))
    assert unlabelled == []
    assert finding_label("dishonest_judgment_debtor") == "失信被执行人"


def test_every_source_has_words_and_the_policy_names_only_known_sources():
    unlabelled = sorted(s.name for s in registry.all() if not _plain(source_label(s.name), s.name))
    assert unlabelled == []
    assert source_label("local_store").startswith("本地信用信息库")
    for policy in policy_versions():
        for rule in policy.rules:
            sources = _condition_values(rule.when, "source") | _condition_values(rule.unless, "source")
            assert sources <= {s.name for s in registry.all()}, (policy.version, rule.id)


def test_every_rule_level_and_entitlement_of_every_policy_version_has_words():
    for policy in policy_versions():
        for rule in policy.rules:
            assert rule_label(rule.id, policy.version) == rule.says and _plain(rule.says, rule.id)
        for name, spec in policy.levels.items():
            assert _plain(level_label(name), name) and _plain(spec.label, name)
            for entitlement in spec.entitlements:
                assert _plain(entitlement_label(entitlement), entitlement)


def test_rule_words_follow_the_version_a_check_applied():
    newest = policy_versions()[-1]
    rule = newest.rules[0]
    assert rule_label(rule.id, "no-such-version") == rule.says
    assert rule_label("no_such_rule") == "no_such_rule"
    assert rule_label(None) == ""


def test_explanations_recorded_with_rule_ids_read_without_them():
    recorded = [
        "信用等级：失信。依据：被人民法院纳入失信被执行人名单（规则 dishonest_judgment_debtor；法释〔2017〕7号）。",
        "另有：被列入经营异常名录（规则 abnormal_operations），按规则顺序由前一条规则决定等级。",
    ]
    assert explanation_plain(recorded) == [
        "信用等级：失信。依据：被人民法院纳入失信被执行人名单（法释〔2017〕7号）。",
        "另有：被列入经营异常名录，按规则顺序由前一条规则决定等级。",
    ]


def _visible(html: str) -> str:
    """The page's text as people read it (no tags, so no attribute values)."""
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.django_db
def test_check_page_shows_sources_findings_and_rules_in_words(clerk, enterprise, store_record):
    store_record(enterprise, "dishonest_judgment_debtor", document_number="（2026）内0783执58号")
    check = credit_check_run(subject=enterprise, purpose="application", actor=clerk)
    client = Client()
    client.force_login(clerk)
    text = _visible(client.get(f"/console/credit/checks/{check.pk}/").content.decode())
    assert "失信被执行人" in text and "本地信用信息库" in text and "被人民法院纳入失信被执行人名单" in text
    codes = {"dishonest_judgment_debtor", "local_store", "city_blacklist", "incentive_card"}
    assert [code for code in codes if code in text] == []
