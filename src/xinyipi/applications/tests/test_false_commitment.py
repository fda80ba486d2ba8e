"""A false commitment counts at once (R3, R7): the breach found by a verification makes the subject
``dishonest`` in the next check, before any listing takes effect; and the policy, not the code, decides
the mode a level is filed in."""

import dataclasses

import pytest

from xinyipi.applications.services import application_file, application_verify
from xinyipi.applications.tests.factories import licence_case
from xinyipi.core.errors import DomainError
from xinyipi.credit.policy import engine
from xinyipi.credit.services import credit_check_run
from xinyipi.supervision.models import BlacklistEntry

pytestmark = pytest.mark.django_db


def check(subject, actor):
    return credit_check_run(actor=actor, subject=subject, purpose="window_enquiry")


def test_r3_breached_verification_makes_the_subject_dishonest_at_once(clerk, reviewer, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)
    application_verify(actor=reviewer, application=application, outcome="breached", evidence="经营场所面积仅 8 平方米")
    assert BlacklistEntry.objects.get(subject=enterprise).status == "proposed"  # not listed yet (due process)

    after = check(enterprise, clerk)
    assert after.level == "dishonest" and after.entitlements == []
    assert [f["category"] for f in after.findings] == ["false_commitment"]
    assert any("不实承诺" in line for line in after.explanation)


def test_r3_the_same_licence_cannot_be_had_again_by_commitment_after_a_breach(
    clerk, reviewer, licence_matter, enterprise
):
    application = licence_case(clerk, licence_matter, enterprise)
    application_verify(actor=reviewer, application=application, outcome="breached", evidence="承诺内容不实")

    with pytest.raises(DomainError) as caught:
        licence_case(clerk, licence_matter, enterprise)
    assert caught.value.code == "mode_not_allowed" and caught.value.extra["allowed_modes"] == ["key_review"]

    standard = application_file(
        actor=clerk,
        matter=licence_matter,
        subject=enterprise,
        mode="standard",
        materials=["A1", "C1"],
        channel="window",
    )
    assert (standard.mode, standard.status, standard.credit_level) == ("key_review", "under_review", "dishonest")


def test_r3_false_commitment_ends_with_the_repair(clerk, reviewer, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)
    application_verify(actor=reviewer, application=application, outcome="breached", evidence="承诺内容不实")
    BlacklistEntry.objects.filter(subject=enterprise).update(status=BlacklistEntry.Status.REPAIRED)
    assert check(enterprise, clerk).level == "good"
    assert licence_case(clerk, licence_matter, enterprise).status == "approved"


def _policies_with_mode(level: str, mode: str) -> tuple:
    changed = []
    for policy in engine.policies_load():
        levels = dict(policy.levels)
        levels[level] = dataclasses.replace(levels[level], mode=mode)
        changed.append(dataclasses.replace(policy, levels=levels))
    return tuple(changed)


def test_r3_filing_follows_the_mode_the_policy_prescribes(
    monkeypatch, clerk, standard_matter, enterprise, make_ordinary
):
    make_ordinary(enterprise)
    ordinary = application_file(
        actor=clerk,
        matter=standard_matter,
        subject=enterprise,
        mode="standard",
        materials=["A1", "A2"],
        channel="window",
    )
    assert (ordinary.credit_level, ordinary.mode) == ("ordinary", "standard")

    # A policy version that sends ordinary subjects to key review changes filing with no change of code.
    monkeypatch.setattr(engine, "policy_versions", lambda: _policies_with_mode("ordinary", "key_review"))
    reviewed = application_file(
        actor=clerk,
        matter=standard_matter,
        subject=enterprise,
        mode="standard",
        materials=["A1", "A2"],
        channel="window",
    )
    assert (reviewed.credit_level, reviewed.mode, reviewed.requested_mode) == ("ordinary", "key_review", "standard")


def test_r3_a_dishonest_level_without_a_prescribed_mode_files_as_asked(
    monkeypatch, clerk, standard_matter, enterprise, make_dishonest
):
    make_dishonest(enterprise)
    monkeypatch.setattr(engine, "policy_versions", lambda: _policies_with_mode("dishonest", ""))
    application = application_file(
        actor=clerk,
        matter=standard_matter,
        subject=enterprise,
        mode="standard",
        materials=["A1", "A2"],
        channel="window",
    )
    assert (application.credit_level, application.mode) == ("dishonest", "standard")
    with pytest.raises(DomainError) as caught:
        application_file(
            actor=clerk,
            matter=standard_matter,
            subject=enterprise,
            mode="key_review",
            materials=["A1", "A2"],
            channel="window",
        )
    assert caught.value.code == "mode_not_allowed"


def test_r3_policy_refuses_a_mode_it_cannot_prescribe(tmp_path):
    source = (engine.DATA_DIR / "2026-04-01.yaml").read_text(encoding="utf-8")
    (tmp_path / "2026-04-01.yaml").write_text(source.replace("mode: key_review", "mode: instant"), encoding="utf-8")
    with pytest.raises(engine.PolicyError, match="mode must be standard or key_review"):
        engine.policies_load(tmp_path)
