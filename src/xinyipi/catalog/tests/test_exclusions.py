"""The exclusion lists are dated policy data: the file itself is tested, and the loader picks by date."""

import datetime as dt

import pytest
import yaml

from xinyipi.catalog import exclusions
from xinyipi.catalog.exclusions import POLICY_FILE, PolicyFileError, exclusions_on

R4_DOMAINS = {
    "national_security",
    "state_secrets",
    "public_safety",
    "financial_prudential",
    "ecology_environment",
    "personal_health",
    "life_property_safety",
    "foreign_affairs",
}
R6_DOMAINS = {"public_safety", "ecology_environment", "energy_conservation", "personal_health", "life_property_safety"}


def raw():
    return yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))


def test_policy_file_every_version_is_dated_with_a_reference_and_known_domains():
    data = raw()
    labels = data["domains"]
    assert all(label.strip() for label in labels.values())
    for name in ("commitment_excluded", "tolerance_excluded"):
        assert data[name], name
        for version in data[name]:
            assert isinstance(version["valid_from"], dt.date)
            assert version["reference"].strip()
            assert set(version["domains"]) <= set(labels)


def test_r4_list_in_force_is_the_42_document_list():
    policy = exclusions_on(dt.date(2026, 6, 1))
    assert policy.commitment.domains == R4_DOMAINS
    assert "国办发〔2020〕42号" in policy.commitment.reference


def test_r6_list_in_force_is_the_city_notice_list():
    policy = exclusions_on(dt.date(2026, 6, 1))
    assert policy.tolerance.domains == R6_DOMAINS
    assert "扎兰屯市" in policy.tolerance.reference


def test_r4_and_r6_lists_differ_energy_conservation_only_in_r6():
    policy = exclusions_on(dt.date(2026, 6, 1))
    assert "energy_conservation" in policy.tolerance.domains
    assert "energy_conservation" not in policy.commitment.domains
    assert "state_secrets" in policy.commitment.domains
    assert "state_secrets" not in policy.tolerance.domains


def test_loader_picks_the_version_in_force_on_the_date(tmp_path, monkeypatch):
    text = """
domains: {a: 甲, b: 乙, c: 丙}
commitment_excluded:
  - {valid_from: 2020-01-01, reference: 文一, domains: [a]}
  - {valid_from: 2025-07-01, reference: 文二, domains: [a, b]}
tolerance_excluded:
  - {valid_from: 2024-01-01, reference: 文三, domains: [c]}
"""
    path = tmp_path / "exclusions.yaml"
    path.write_text(text, encoding="utf-8")
    read = exclusions._load.__wrapped__
    monkeypatch.setattr(exclusions, "_load", lambda: read(path))
    assert exclusions_on(dt.date(2025, 6, 30)).commitment.domains == {"a"}
    assert exclusions_on(dt.date(2025, 7, 1)).commitment.domains == {"a", "b"}
    assert exclusions_on(dt.date(2025, 7, 1)).commitment.reference == "文二"
    # Before the first version the earliest list applies: never a day without exclusions.
    assert exclusions_on(dt.date(2019, 1, 1)).tolerance.domains == {"c"}


@pytest.mark.parametrize(
    "text",
    [
        "domains: {a: 甲}\ncommitment_excluded: [{valid_from: 2020-01-01, reference: x, domains: [z]}]\n"
        "tolerance_excluded: [{valid_from: 2020-01-01, reference: x, domains: [a]}]",
        "domains: {a: 甲}\ncommitment_excluded: [{valid_from: 2020-01-01, domains: [a]}]\n"
        "tolerance_excluded: [{valid_from: 2020-01-01, reference: x, domains: [a]}]",
        "domains: {a: 甲}\ncommitment_excluded: [{valid_from: 2020-01-01, reference: x, domains: [a]}]\n",
    ],
    ids=["unknown-domain", "missing-reference", "missing-list"],
)
def test_malformed_policy_file_is_refused(tmp_path, text):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyFileError):
        exclusions._load.__wrapped__(path)
