"""Filing a case in every mode (R1, R4, R5, R6, R10) and every refusal, through the service."""

import datetime as dt

import pytest

from xinyipi.applications.models import (
    Application,
    ApplicationMaterial,
    CaseDocument,
    CommitmentLetter,
    SupplementPledge,
    Transition,
    Verification,
)
from xinyipi.applications.services import application_file, application_modes
from xinyipi.applications.tests.factories import certificate_case, licence_case, tolerance_case
from xinyipi.catalog.models import Matter
from xinyipi.core import clock
from xinyipi.core.errors import DomainError
from xinyipi.credit.models import CreditCheck, IncentiveCard
from xinyipi.notifications.models import Notification
from xinyipi.records.models import CreditRecordEvent
from xinyipi.workdays.calendar import add_working_days

pytestmark = pytest.mark.django_db


def file(actor, matter, subject, mode, materials, **kwargs):
    kwargs.setdefault("channel", "window")
    return application_file(actor=actor, matter=matter, subject=subject, mode=mode, materials=materials, **kwargs)


def counts() -> dict:
    return {
        "applications": Application.objects.count(),
        "transitions": Transition.objects.count(),
        "materials": ApplicationMaterial.objects.count(),
        "letters": CommitmentLetter.objects.count(),
        "pledges": SupplementPledge.objects.count(),
        "documents": CaseDocument.objects.count(),
        "notifications": Notification.objects.count(),
        "record_events": CreditRecordEvent.objects.exclude(type="credit_check").count(),
    }


def refused(code, call):
    before = counts()
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value.as_dict()
    assert counts() == before
    return caught.value


def history(application):
    return [(t.from_status, t.to_status) for t in application.transitions.order_by("id")]


# R1 -------------------------------------------------------------------------------------------------


def test_r1_every_case_rests_on_a_credit_check(clerk, standard_matter, enterprise):
    application = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    check = application.credit_check
    assert check.subject == enterprise and check.purpose == "application" and check.complete
    assert application.credit_level == check.level == "good"
    assert CreditRecordEvent.objects.filter(subject=enterprise, type="credit_check", source_id=str(check.pk)).exists()


def test_r1_recent_complete_check_is_reused(clerk, standard_matter, enterprise):
    first = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    second = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    assert second.credit_check_id == first.credit_check_id
    assert CreditCheck.objects.filter(subject=enterprise).count() == 1


def test_r1_check_older_than_reuse_window_is_run_again(clerk, standard_matter, enterprise, settings):
    first = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    with clock.acting_at(clock.now() + dt.timedelta(seconds=settings.APPLICATIONS["CHECK_REUSE_SECONDS"] + 1)):
        second = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    assert second.credit_check_id != first.credit_check_id


def test_r1_incentive_card_makes_a_new_check_that_counts(clerk, standard_matter, enterprise):
    file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    today = clock.today()
    IncentiveCard.objects.create(
        number="NMG2026000001",
        holder_code_hash=enterprise.code_hash,
        holder_code_display=enterprise.code_display,
        holder_name=enterprise.name,
        grade_year=today.year - 1,
        valid_from=today - dt.timedelta(days=10),
        valid_until=today + dt.timedelta(days=300),
        created_at=clock.now(),
    )
    application = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"], incentive_card="NMG2026000001")
    assert application.credit_check.card_counted
    assert application.credit_level == "exemplary"
    assert CreditCheck.objects.filter(subject=enterprise).count() == 2


def test_r1_invalid_card_refuses_the_filing(clerk, standard_matter, enterprise):
    refused(
        "card_not_found",
        lambda: file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"], incentive_card="NOPE0001"),
    )


# Standard and key review ------------------------------------------------------------------------------


def test_standard_case_goes_under_review_with_its_history(clerk, standard_matter, enterprise):
    application = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    assert application.status == "under_review" and application.mode == "standard"
    assert history(application) == [("", "submitted"), ("submitted", "accepted"), ("accepted", "under_review")]
    assert application.number.startswith(standard_matter.code + clock.today().strftime("%Y%m%d"))
    assert application.decision_due == add_working_days(clock.today(), standard_matter.promised_days).date
    assert application.due_date == application.decision_due
    assert application.department_id == standard_matter.department_id
    assert set(application.materials.values_list("code", "state")) == {("A1", "provided"), ("A2", "provided")}


def test_standard_case_missing_materials_refused_with_one_time_notice(clerk, standard_matter, enterprise):
    error = refused("materials_missing", lambda: file(clerk, standard_matter, enterprise, "standard", ["A1"]))
    assert error.extra["missing"] == ["A2"]
    assert "营业执照" in str(error.message)


def test_r3_dishonest_standard_request_is_filed_as_key_review(clerk, standard_matter, enterprise, make_dishonest):
    make_dishonest(enterprise)
    application = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    assert application.mode == "key_review" and application.requested_mode == "standard"
    assert application.status == "under_review" and application.credit_level == "dishonest"
    assert not application.green_channel


def test_key_review_is_not_offered_to_honest_subjects(clerk, standard_matter, enterprise):
    error = refused("mode_not_allowed", lambda: file(clerk, standard_matter, enterprise, "key_review", ["A1", "A2"]))
    assert error.extra["reason"] == "credit"


def test_unknown_mode_refused(clerk, standard_matter, enterprise):
    refused("unknown_mode", lambda: file(clerk, standard_matter, enterprise, "express", ["A1", "A2"]))


def test_unknown_material_refused(clerk, standard_matter, enterprise):
    error = refused("unknown_material", lambda: file(clerk, standard_matter, enterprise, "standard", ["A1", "ZZ"]))
    assert error.field == "materials" and error.extra["codes"] == ["ZZ"]


@pytest.mark.parametrize("status", [Matter.Status.SUSPENDED, Matter.Status.CANCELLED])
def test_matter_not_in_use_refused(clerk, standard_matter, enterprise, status):
    Matter.objects.filter(pk=standard_matter.pk).update(status=status)
    standard_matter.refresh_from_db()
    refused("matter_not_in_use", lambda: file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"]))


# R10: instant approval and the green channel ----------------------------------------------------------


def test_r10_instant_matter_approved_with_no_human_step(clerk, instant_matter, enterprise):
    application = file(clerk, instant_matter, enterprise, "instant", ["A1"])
    assert application.status == "approved" and application.decided_at is not None
    assert history(application)[-1] == ("accepted", "approved")
    assert application.green_channel
    assert application.documents.filter(kind="approval_decision").exists()
    assert CreditRecordEvent.objects.filter(subject=enterprise, type="decision").count() == 1
    assert Notification.objects.filter(subject=enterprise, kind="decision").exists()


def test_r10_instant_refused_for_a_matter_not_marked_instant(clerk, standard_matter, enterprise):
    error = refused("mode_not_allowed", lambda: file(clerk, standard_matter, enterprise, "instant", ["A1", "A2"]))
    assert error.extra["reason"] == "matter"
    check = CreditCheck.objects.get(pk=error.extra["credit_check_id"])
    offers = application_modes(matter=standard_matter, check=check)
    assert error.extra["allowed_modes"] == [offer.mode for offer in offers if offer.allowed]
    assert "standard" in error.extra["allowed_modes"] and "instant" not in error.extra["allowed_modes"]


def test_r10_instant_refused_without_the_entitlement(clerk, instant_matter, enterprise, make_ordinary):
    make_ordinary(enterprise)
    error = refused("mode_not_allowed", lambda: file(clerk, instant_matter, enterprise, "instant", ["A1"]))
    assert error.extra["reason"] == "credit" and error.extra["credit_level"] == "ordinary"
    assert "standard" in error.extra["allowed_modes"] and "instant" not in error.extra["allowed_modes"]


@pytest.mark.parametrize("refusal", ["credit", "materials", "open_case"])
def test_r8_a_refused_filing_still_records_its_credit_check(
    clerk, instant_matter, enterprise, make_ordinary, refusal, settings
):
    """A new check is stored with the case in one transaction; when the filing is refused it is stored alone,
    with its audit entry and its credit-record event, and nothing of the case is."""
    from xinyipi.audit.models import AuditEntry

    settings.APPLICATIONS = {**settings.APPLICATIONS, "CHECK_REUSE_SECONDS": 0}  # every filing runs a new check
    if refusal == "credit":
        make_ordinary(enterprise)
        call, code = (lambda: file(clerk, instant_matter, enterprise, "instant", ["A1"])), "mode_not_allowed"
    elif refusal == "materials":
        call, code = (lambda: file(clerk, instant_matter, enterprise, "standard", [])), "materials_missing"
    else:
        file(clerk, instant_matter, enterprise, "standard", ["A1"])
        call, code = (lambda: file(clerk, instant_matter, enterprise, "instant", ["A1"])), "duplicate_open_case"
    checks, audits = CreditCheck.objects.count(), AuditEntry.objects.filter(action="credit.check.run").count()
    events = CreditRecordEvent.objects.filter(subject=enterprise, type="credit_check").count()

    refused(code, call)

    check = CreditCheck.objects.get(pk=CreditCheck.objects.latest("id").pk)
    assert CreditCheck.objects.count() == checks + 1 and check.subject == enterprise
    assert AuditEntry.objects.filter(action="credit.check.run", object_id=str(check.pk)).count() == 1
    assert AuditEntry.objects.filter(action="credit.check.run").count() == audits + 1
    assert CreditRecordEvent.objects.filter(subject=enterprise, type="credit_check").count() == events + 1


def test_r10_green_channel_granted_only_with_the_entitlement(
    clerk, standard_matter, enterprise, make_enterprise, make_ordinary
):
    other = make_enterprise()
    make_ordinary(other)
    assert file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"]).green_channel
    assert not file(clerk, standard_matter, other, "standard", ["A1", "A2"]).green_channel


# R4: certificate commitment -------------------------------------------------------------------------------


def test_r4_certificate_commitment_replaces_the_certificate_and_freezes_the_letter(
    clerk, certificate_matter, enterprise
):
    application = certificate_case(clerk, certificate_matter, enterprise)
    assert application.status == "under_review" and application.mode == "commitment"
    states = dict(application.materials.values_list("code", "state"))
    assert states == {"A1": "provided", "C1": "replaced_by_commitment", "C2": "provided"}
    letter = application.commitment_letter
    assert letter.text_intact() and len(letter.text_sm3) == 64
    assert letter.accepted_by == clerk and letter.accepted_at is not None
    for needed in (
        "导游证核发",
        certificate_matter.legal_basis,
        "无犯罪记录证明",
        "申请人无犯罪记录",
        "核查",
        "配合",
        "法律责任",
        "撤销",
        "信用记录",
        enterprise.name,
        application.number,
    ):
        assert needed in letter.text, needed
    event = CreditRecordEvent.objects.get(subject=enterprise, type="commitment_letter")
    assert event.payload["text_sm3"] == letter.text_sm3 and event.payload["certificates"] == ["C1"]


def test_r4_letter_tampering_is_detected(clerk, certificate_matter, enterprise):
    application = certificate_case(clerk, certificate_matter, enterprise)
    CommitmentLetter.objects.filter(pk=application.commitment_letter.pk).update(
        text=application.commitment_letter.text.replace("配合", "无需配合")
    )
    assert not CommitmentLetter.objects.get(pk=application.commitment_letter.pk).text_intact()


def test_r4_applicant_may_bring_the_certificate_instead(clerk, certificate_matter, enterprise):
    application = file(clerk, certificate_matter, enterprise, "standard", ["A1", "C1", "C2"])
    assert application.mode == "standard" and not CommitmentLetter.objects.exists()


def test_r4_commitment_must_be_accepted(clerk, certificate_matter, enterprise):
    refused(
        "commitment_not_accepted",
        lambda: file(
            clerk, certificate_matter, enterprise, "commitment", ["A1", "C2"], commitment={"certificates": ["C1"]}
        ),
    )


def test_r4_only_replaceable_certificates_may_be_replaced(clerk, certificate_matter, enterprise):
    refused(
        "certificate_not_replaceable",
        lambda: file(
            clerk,
            certificate_matter,
            enterprise,
            "commitment",
            ["A1", "C1"],
            commitment={"certificates": ["C2"], "accepted": True},
        ),
    )


def test_r4_other_materials_still_required(clerk, certificate_matter, enterprise):
    error = refused(
        "materials_missing",
        lambda: file(
            clerk,
            certificate_matter,
            enterprise,
            "commitment",
            ["A1"],
            commitment={"certificates": ["C1"], "accepted": True},
        ),
    )
    assert error.extra["missing"] == ["C2"]


def test_r4_commitment_refused_for_a_matter_without_it(clerk, standard_matter, enterprise):
    error = refused(
        "mode_not_allowed",
        lambda: file(
            clerk,
            standard_matter,
            enterprise,
            "commitment",
            ["A1", "A2"],
            commitment={"certificates": [], "accepted": True},
        ),
    )
    assert error.extra["reason"] == "matter"


def test_r4_excluded_domain_matter_refused_commitment(clerk, certificate_matter, enterprise):
    # Stored before the exclusion applied (the catalog's guard refuses it today): filing refuses it anyway.
    Matter.objects.filter(pk=certificate_matter.pk).update(excluded_domains=["public_safety"])
    certificate_matter.refresh_from_db()
    error = refused("mode_not_allowed", lambda: certificate_case(clerk, certificate_matter, enterprise))
    assert error.extra["reason"] == "matter"


def test_r4_dishonest_subject_refused_commitment(clerk, certificate_matter, enterprise, make_dishonest):
    make_dishonest(enterprise)
    error = refused("mode_not_allowed", lambda: certificate_case(clerk, certificate_matter, enterprise))
    assert error.extra["reason"] == "credit"


def test_r4_agent_needs_written_authorisation(clerk, certificate_matter, enterprise):
    refused(
        "agent_authorisation_required",
        lambda: certificate_case(clerk, certificate_matter, enterprise, agent_name="王代理"),
    )
    application = certificate_case(
        clerk, certificate_matter, enterprise, agent_name="王代理", agent_authorisation="授权委托书第7号"
    )
    assert "王代理" in application.commitment_letter.text and "授权委托书第7号" in application.commitment_letter.text


# R5: licence commitment ------------------------------------------------------------------------------------


def test_r5_licence_commitment_approved_on_the_spot_with_verification_due(clerk, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)
    assert application.status == "approved" and application.decided_at is not None
    due = add_working_days(clock.today(), licence_matter.verification_days)
    assert application.verification_due == due.date
    assert application.verification_due_provisional == due.provisional
    assert Verification.objects.get(application=application).due == due.date
    assert "经营场所面积不少于 20 平方米" in application.commitment_letter.text
    types = set(CreditRecordEvent.objects.filter(subject=enterprise).values_list("type", flat=True))
    assert {"commitment_letter", "decision"} <= types


def test_r5_licence_commitment_may_replace_nothing(clerk, licence_matter, enterprise):
    application = file(
        clerk, licence_matter, enterprise, "commitment", ["A1", "C1"], commitment={"certificates": [], "accepted": True}
    )
    assert application.status == "approved"


def test_r4_certificate_commitment_approval_schedules_verification_when_sampled(
    clerk, reviewer, certificate_matter, enterprise
):
    from xinyipi.applications.services import application_decide
    from xinyipi.applications.services.approval import verification_pick

    Matter.objects.filter(pk=certificate_matter.pk).update(verification_mode="sample")
    certificate_matter.refresh_from_db()
    picked = {True: 0, False: 0}
    for _ in range(6):
        application = certificate_case(clerk, certificate_matter, enterprise)
        application_decide(actor=reviewer, application=application, outcome="approve", reason="")
        application.refresh_from_db()
        expected = verification_pick(number=application.number, matter=certificate_matter, on=clock.today())
        assert (application.verification_due is not None) == expected
        assert application.verification_sampled is expected
        picked[expected] += 1
    assert sum(picked.values()) == 6


# R6: tolerance --------------------------------------------------------------------------------------------


def test_r6_tolerance_awaits_supplement_with_working_day_deadline_and_notice(clerk, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    assert application.status == "awaiting_supplement"
    due = add_working_days(clock.today(), tolerance_matter.supplement_days)
    assert application.supplement_due == due.date and application.due_date == due.date
    states = dict(application.materials.values_list("code", "state"))
    assert states == {"A1": "provided", "B1": "missing", "B2": "missing", "B3": "provided"}
    pledge = application.supplement_pledge
    assert pledge.text_intact() and pledge.due == due.date
    for needed in (
        "场所平面图",
        "从业人员名单",
        f"{due.date.year}年{due.date.month}月{due.date.day}日",
        "催告",
        "终止",
        "黑名单",
    ):
        assert needed in pledge.text, needed
    notice = application.documents.get(kind="tolerance_notice")
    assert "场所平面图" in notice.text and "从业人员名单" in notice.text and notice.text_intact()
    assert Notification.objects.filter(subject=enterprise, kind="tolerance_notice", channel="sms").exists()
    assert CreditRecordEvent.objects.filter(subject=enterprise, type="supplement_pledge").exists()


def test_r6_essential_material_missing_refused(clerk, tolerance_matter, enterprise):
    error = refused(
        "essential_material_missing",
        lambda: file(
            clerk, tolerance_matter, enterprise, "tolerance", ["B1", "B3"], supplement_pledge={"accepted": True}
        ),
    )
    assert error.extra["missing"] == ["A1"]


def test_r6_only_tolerable_materials_may_be_missing(clerk, tolerance_matter, enterprise):
    error = refused(
        "material_not_tolerable",
        lambda: file(clerk, tolerance_matter, enterprise, "tolerance", ["A1"], supplement_pledge={"accepted": True}),
    )
    assert error.extra["missing"] == ["B3"]


def test_r6_pledge_required(clerk, tolerance_matter, enterprise):
    refused("supplement_pledge_required", lambda: file(clerk, tolerance_matter, enterprise, "tolerance", ["A1", "B3"]))
    refused(
        "supplement_pledge_required",
        lambda: file(
            clerk, tolerance_matter, enterprise, "tolerance", ["A1", "B3"], supplement_pledge={"accepted": False}
        ),
    )


def test_r6_matter_outside_the_tolerance_catalog_refused(clerk, standard_matter, enterprise):
    error = refused(
        "mode_not_allowed",
        lambda: file(clerk, standard_matter, enterprise, "tolerance", ["A1"], supplement_pledge={"accepted": True}),
    )
    assert error.extra["reason"] == "matter"


def test_r6_excluded_matter_refused(clerk, tolerance_matter, enterprise):
    Matter.objects.filter(pk=tolerance_matter.pk).update(excluded_domains=["personal_health"])
    tolerance_matter.refresh_from_db()
    error = refused("mode_not_allowed", lambda: tolerance_case(clerk, tolerance_matter, enterprise))
    assert error.extra["reason"] == "matter"


def test_r6_dishonest_subject_refused_tolerance(clerk, tolerance_matter, enterprise, make_dishonest):
    make_dishonest(enterprise)
    error = refused("mode_not_allowed", lambda: tolerance_case(clerk, tolerance_matter, enterprise))
    assert error.extra["reason"] == "credit" and error.extra["allowed_modes"] == ["key_review"]


def test_r6_nothing_missing_is_not_tolerance(clerk, tolerance_matter, enterprise):
    refused(
        "nothing_to_tolerate",
        lambda: file(
            clerk,
            tolerance_matter,
            enterprise,
            "tolerance",
            ["A1", "B1", "B2", "B3"],
            supplement_pledge={"accepted": True},
        ),
    )


# Modes offered ---------------------------------------------------------------------------------------------


def test_modes_offered_explain_each_refusal(clerk, tolerance_matter, enterprise):
    from xinyipi.applications.services import application_credit_check

    check = application_credit_check(actor=clerk, subject=enterprise)
    offers = {o.mode: o for o in application_modes(matter=tolerance_matter, check=check)}
    assert offers["standard"].allowed and offers["tolerance"].allowed
    assert not offers["instant"].allowed and offers["instant"].reason == "matter"
    assert not offers["commitment"].allowed and offers["commitment"].reason == "matter"
    assert not offers["key_review"].allowed


# Case numbers -----------------------------------------------------------------------------------------------


def test_case_numbers_follow_the_configured_format(clerk, standard_matter, enterprise, settings):
    first = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    second = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    stamp = clock.today().strftime("%Y%m%d")
    assert [first.number, second.number] == [f"{standard_matter.code}{stamp}0001", f"{standard_matter.code}{stamp}0002"]
    settings.APPLICATIONS = {**settings.APPLICATIONS, "CASE_NUMBER_FORMAT": "ZLT-{date:%Y}-{seq:06d}"}
    third = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    assert third.number == f"ZLT-{clock.today():%Y}-000001"


@pytest.mark.parametrize(
    "fmt",
    ["{matter_code}{date:%Y%m%d}", "{matter_code}{seq:04d}{region}", "{matter_code}{matter_code}{seq:04d}", "{seq"],
)
def test_unusable_case_number_format_is_refused(fmt):
    from xinyipi.applications.numbers import CaseNumberFormatError, number_format_check

    with pytest.raises(CaseNumberFormatError):
        number_format_check(fmt)
