"""The lifecycle after filing: supplements (R6), decisions, verification (R4, R5, R7), withdrawal, and the
table of allowed moves."""

import pytest

from xinyipi.applications.models import Application, Status, Verification
from xinyipi.applications.services import (
    application_decide,
    application_file,
    application_supplement,
    application_verify,
    application_withdraw,
)
from xinyipi.applications.tests.factories import licence_case, standard_case, tolerance_case
from xinyipi.applications.workflow import FINAL_STATUSES, OPEN_STATUSES, TRANSITIONS, check_transition
from xinyipi.audit.models import AuditEntry
from xinyipi.core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from xinyipi.notifications.models import Notification
from xinyipi.records.models import CreditRecordEvent
from xinyipi.supervision.models import BlacklistEntry

pytestmark = pytest.mark.django_db


def events(subject) -> list[str]:
    return list(CreditRecordEvent.objects.filter(subject=subject).order_by("id").values_list("type", flat=True))


# The table --------------------------------------------------------------------------------------------


def test_table_covers_every_status_and_final_states_lead_nowhere():
    assert set(TRANSITIONS) == set(Status.values)
    assert {"rejected", "terminated", "verified", "revoked", "withdrawn"} == FINAL_STATUSES
    assert {
        "draft",
        "submitted",
        "accepted",
        "under_review",
        "awaiting_supplement",
        "reminded",
        "correcting",
        "returned",
    } == OPEN_STATUSES


@pytest.mark.parametrize(
    ("source", "target"),
    [("under_review", "verified"), ("approved", "rejected"), ("rejected", "approved"), ("terminated", "approved")],
)
def test_illegal_moves_name_both_states(source, target):
    with pytest.raises(InvalidTransition) as caught:
        check_transition(source, target)
    assert caught.value.status == 409 and caught.value.code == "invalid_transition"
    assert caught.value.extra == {"from_status": source, "to_status": target}


def test_only_commitment_cases_go_on_from_approved():
    check_transition("approved", "verifying", mode="commitment")
    with pytest.raises(InvalidTransition):
        check_transition("approved", "verifying", mode="instant")


# R6: supplements --------------------------------------------------------------------------------------


def test_r6_last_supplement_approves_at_once(clerk, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    application_supplement(actor=clerk, application=application, materials=["B1"])
    application.refresh_from_db()
    assert application.status == "awaiting_supplement"
    application_supplement(actor=clerk, application=application, materials=["B2"])
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_at is not None
    assert set(application.materials.values_list("state", flat=True)) == {"provided", "supplied"}
    assert events(enterprise)[-2:] == ["pledge_fulfilled", "decision"]
    assert application.documents.filter(kind="approval_decision").exists()
    assert Notification.objects.filter(subject=enterprise, kind="decision").exists()


def test_r6_supplement_of_a_material_not_missing_refused(clerk, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    for materials, code in ((["A1"], "material_not_missing"), (["ZZ"], "unknown_material"), ([], "materials_required")):
        with pytest.raises(DomainError) as caught:
            application_supplement(actor=clerk, application=application, materials=materials)
        assert caught.value.code == code
    assert application.materials.filter(state="missing").count() == 2


def test_r6_supplement_outside_the_supplement_period_is_409(clerk, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    with pytest.raises(InvalidTransition) as caught:
        application_supplement(actor=clerk, application=application, materials=["A1"])
    assert caught.value.code == "not_awaiting_supplement"


def test_r6_applicant_supplies_own_case_but_not_anothers(
    clerk, tolerance_matter, enterprise, make_enterprise, applicant_for
):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    stranger = applicant_for(make_enterprise())
    with pytest.raises(NotFound):  # another subject's case is not found, not forbidden
        application_supplement(actor=stranger, application=application, materials=["B1"])
    application_supplement(actor=applicant_for(enterprise), application=application, materials=["B1", "B2"])
    application.refresh_from_db()
    assert application.status == "approved"


def test_r6_department_may_reject_while_materials_are_awaited(clerk, reviewer, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    application_decide(actor=reviewer, application=application, outcome="reject", reason="经营场所不符合条件")
    application.refresh_from_db()
    assert application.status == "rejected"
    refusal = application.documents.get(kind="refusal_decision")
    assert "经营场所不符合条件" in refusal.text and "行政复议" in refusal.text


def test_r6_tolerance_case_cannot_be_approved_while_materials_are_missing(
    clerk, reviewer, tolerance_matter, enterprise
):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    with pytest.raises(InvalidTransition):
        application_decide(actor=reviewer, application=application, outcome="approve", reason="")


# Decisions ----------------------------------------------------------------------------------------------


def test_decision_is_audited_recorded_and_told(clerk, reviewer, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    application_decide(actor=reviewer, application=application, outcome="approve", reason="")
    entry = AuditEntry.objects.filter(action="applications.application.approved", object_id=str(application.pk)).get()
    assert entry.before["status"] == "under_review" and entry.after["status"] == "approved"
    assert events(enterprise)[-1] == "decision"
    assert Notification.objects.filter(subject=enterprise, kind="decision", channel="sms").count() == 1


def test_reviewer_of_another_department_cannot_decide(clerk, other_reviewer, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    with pytest.raises(NotFound):
        application_decide(actor=other_reviewer, application=application, outcome="approve", reason="")
    with pytest.raises(NotPermitted):
        application_decide(actor=clerk, application=application, outcome="approve", reason="")


def test_stale_read_loses(clerk, reviewer, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    stale = Application.objects.get(pk=application.pk)
    application_decide(actor=reviewer, application=application, outcome="approve", reason="")
    with pytest.raises(InvalidTransition) as caught:
        application_decide(actor=reviewer, application=stale, outcome="reject", reason="重复审查")
    assert caught.value.extra["from_status"] == "approved"
    assert Application.objects.get(pk=application.pk).status == "approved"


# R4/R5/R7: verification ------------------------------------------------------------------------------------


def test_r5_fulfilled_commitment_is_verified(clerk, reviewer, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)
    application_verify(actor=reviewer, application=application, outcome="fulfilled", evidence="实地核查属实")
    application.refresh_from_db()
    assert application.status == "verified"
    verification = Verification.objects.get(application=application)
    assert verification.outcome == "fulfilled" and verification.recorded_by == reviewer
    assert verification.due == application.verification_due
    assert events(enterprise)[-1] == "commitment_fulfilled"
    assert not BlacklistEntry.objects.exists()


def test_r7_breached_commitment_is_revoked_and_listing_proposed(clerk, reviewer, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)
    application_verify(actor=reviewer, application=application, outcome="breached", evidence="经营场所面积仅 8 平方米")
    application.refresh_from_db()
    assert application.status == "revoked"
    assert [t.to_status for t in application.transitions.order_by("id")][-2:] == ["verifying", "revoked"]
    assert events(enterprise)[-3:] == ["commitment_breached", "revocation", "blacklist_proposed"]
    entry = BlacklistEntry.objects.get(subject=enterprise)
    assert entry.status == "proposed" and entry.case == application and entry.reason == "commitment_breached"
    assert "8 平方米" in entry.evidence
    assert application.documents.filter(kind="revocation_decision").exists()
    assert Notification.objects.filter(subject=enterprise, kind="listing_proposal").exists()


def test_r4_verification_accepts_approved_or_verifying_only(
    clerk, reviewer, licence_matter, standard_matter, enterprise
):
    application = licence_case(clerk, licence_matter, enterprise)
    application_verify(actor=reviewer, application=application, outcome="fulfilled", evidence="属实")
    with pytest.raises(InvalidTransition):
        application_verify(actor=reviewer, application=application, outcome="breached", evidence="再次核查")
    standard = standard_case(clerk, standard_matter, enterprise)
    application_decide(actor=reviewer, application=standard, outcome="approve", reason="")
    with pytest.raises(InvalidTransition) as caught:
        application_verify(actor=reviewer, application=standard, outcome="fulfilled", evidence="属实")
    assert caught.value.code == "not_a_commitment_case"


def test_r4_verification_needs_evidence(clerk, reviewer, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)
    with pytest.raises(DomainError) as caught:
        application_verify(actor=reviewer, application=application, outcome="breached", evidence="  ")
    assert caught.value.code == "evidence_required"


# Withdrawal ------------------------------------------------------------------------------------------------


def test_withdrawal_from_an_open_state(clerk, applicant_for, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    application_withdraw(actor=applicant_for(enterprise), application=application, reason="")
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert application.documents.filter(kind="termination_notice").exists()
    assert "pledge_breached" not in events(enterprise)


def test_withdrawal_of_a_decided_case_is_409(clerk, instant_matter, enterprise, applicant_for):
    application = application_file(
        actor=clerk, matter=instant_matter, subject=enterprise, mode="instant", materials=["A1"], channel="window"
    )
    with pytest.raises(InvalidTransition):
        application_withdraw(actor=applicant_for(enterprise), application=application, reason="")


def test_reviewer_cannot_withdraw_for_the_applicant(clerk, reviewer, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    with pytest.raises(NotPermitted):
        application_withdraw(actor=reviewer, application=application, reason="")
