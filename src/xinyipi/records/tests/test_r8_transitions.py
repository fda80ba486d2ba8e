"""R8, DESIGN §5: every transition that the credit record keeps writes exactly one event of its type, for the
subject it concerns, carrying the case number when a case is behind it — driven through the real services (filing,
supplements, decisions, verification, the deadline sweep, the city list, credit repair), never by writing events.

Each scenario prepares the state just before its transition (which may already have written events of the same
type), then the transition runs and only the events it added are counted."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xinyipi.accounts import roles
from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.applications.models import Application
from xinyipi.applications.services import application_decide, application_supplement, application_verify
from xinyipi.applications.tests.factories import licence_case, standard_case, tolerance_case
from xinyipi.core import clock
from xinyipi.credit.services import credit_check_run
from xinyipi.records.models import CreditRecordEvent
from xinyipi.records.selectors import event_out
from xinyipi.supervision.models import BlacklistEntry
from xinyipi.supervision.policy import add_months
from xinyipi.supervision.services import blacklist_propose
from xinyipi.supervision.services.objections import objection_decide, objection_file
from xinyipi.supervision.services.repairs import credit_repair_decide, credit_repair_request

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF"


@dataclass
class World:
    clerk: object
    reviewer: object
    officer: object
    applicant: object
    subject: object
    bystander: object
    standard: object
    tolerance: object
    licence: object


@dataclass
class Scene:
    """The state just before a transition: whose record, which case number the event must carry, the move."""

    subject: object
    number: str | None
    move: object


def after(day: dt.date) -> dt.datetime:
    """The first moment ``day`` counts as past (Beijing midnight after it)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=clock.BEIJING)


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def reminded(w: World) -> Application:
    application = tolerance_case(w.clerk, w.tolerance, w.subject)
    deadlines_sweep(now=after(application.supplement_due))
    return fresh(application)


def terminated_then_proposed(w: World) -> tuple[Application, BlacklistEntry]:
    application = reminded(w)
    deadlines_sweep(now=after(application.grace_due))
    return fresh(application), BlacklistEntry.objects.get(case=application)


def breached(w: World) -> tuple[Application, BlacklistEntry]:
    application = licence_case(w.clerk, w.licence, w.subject)
    application_verify(actor=w.reviewer, application=application, outcome="breached", evidence="承诺不实")
    return fresh(application), BlacklistEntry.objects.get(case=application)


def listed(w: World) -> tuple[Application, BlacklistEntry]:
    application, entry = breached(w)
    deadlines_sweep(now=after(entry.objection_due))
    entry.refresh_from_db()
    assert entry.status == "listed"
    return application, entry


def repair_moment(entry: BlacklistEntry) -> dt.datetime:
    """Well after the minimum period of a general listing (3 months), well before it ends by itself."""
    day = add_months(clock.to_beijing(entry.listed_at).date(), 4)
    return dt.datetime.combine(day, dt.time(10), tzinfo=clock.BEIJING)


def repair_requested(w: World):
    application, entry = listed(w)
    moment = repair_moment(entry)
    with clock.acting_at(moment):
        repair = credit_repair_request(
            subject=w.subject, actor=w.applicant, statement="已整改并履行义务", at_window=False
        )
    return application, entry, repair, moment


# ---- the scenarios: (id, event type, the state before the transition) ----------------------------------------


def s_credit_check(w):
    return Scene(w.subject, None, lambda: credit_check_run(subject=w.subject, purpose="window_enquiry", actor=w.clerk))


def s_commitment_letter(w):
    made = {}

    def move():
        made["case"] = licence_case(w.clerk, w.licence, w.subject)

    # The case number is the one the filing gives: read after the move.
    return Scene(w.subject, lambda: made["case"].number, move)


def s_supplement_pledge(w):
    made = {}

    def move():
        made["case"] = tolerance_case(w.clerk, w.tolerance, w.subject)

    return Scene(w.subject, lambda: made["case"].number, move)


def s_reminder_sent(w):
    application = tolerance_case(w.clerk, w.tolerance, w.subject)
    return Scene(w.subject, application.number, lambda: deadlines_sweep(now=after(application.supplement_due)))


def s_pledge_breached(w):
    application = reminded(w)
    return Scene(w.subject, application.number, lambda: deadlines_sweep(now=after(application.grace_due)))


def s_pledge_fulfilled(w):
    application = tolerance_case(w.clerk, w.tolerance, w.subject)
    move = lambda: application_supplement(actor=w.clerk, application=application, materials=["B1", "B2"])  # noqa: E731
    return Scene(w.subject, application.number, move)


def s_pledge_fulfilled_after_reminder(w):
    application = reminded(w)
    move = lambda: application_supplement(actor=w.applicant, application=application, materials=["B1", "B2"])  # noqa: E731
    return Scene(w.subject, application.number, move)


def _verify(w, outcome):
    application = licence_case(w.clerk, w.licence, w.subject)
    move = lambda: application_verify(actor=w.reviewer, application=application, outcome=outcome, evidence="现场核查")  # noqa: E731
    return Scene(w.subject, application.number, move)


def s_commitment_fulfilled(w):
    return _verify(w, "fulfilled")


def s_commitment_breached(w):
    return _verify(w, "breached")


def s_rectification_ordered(w):
    return _verify(w, "nonconforming")


def s_rectification_then_fulfilled(w):
    application = licence_case(w.clerk, w.licence, w.subject)
    application_verify(actor=w.reviewer, application=application, outcome="nonconforming", evidence="尚未整改")
    application = fresh(application)
    move = lambda: application_verify(actor=w.reviewer, application=application, outcome="fulfilled", evidence="复查")  # noqa: E731
    return Scene(w.subject, application.number, move)


def _decide(w, outcome):
    application = standard_case(w.clerk, w.standard, w.subject)
    move = lambda: application_decide(actor=w.reviewer, application=application, outcome=outcome, reason="审查意见")  # noqa: E731
    return Scene(w.subject, application.number, move)


def s_decision_approve(w):
    return _decide(w, "approve")


def s_decision_reject(w):
    return _decide(w, "reject")


def s_decision_on_the_spot(w):
    """A licence commitment is decided in the filing itself (R5)."""
    return s_commitment_letter(w)


def s_revocation_on_breach(w):
    return _verify(w, "breached")


def s_revocation_on_rectification_lapse(w):
    application = licence_case(w.clerk, w.licence, w.subject)
    application_verify(actor=w.reviewer, application=application, outcome="nonconforming", evidence="尚未整改")
    due = fresh(application).rectification_due
    return Scene(w.subject, application.number, lambda: deadlines_sweep(now=after(due)))


def s_blacklist_proposed_on_breach(w):
    return _verify(w, "breached")


def s_blacklist_proposed_on_termination(w):
    return s_pledge_breached(w)


def s_blacklist_proposed_by_an_officer(w):
    move = lambda: blacklist_propose(  # noqa: E731
        subject=w.subject, reason="other", reason_text="虚假材料", case=None, evidence="", actor=w.officer
    )
    return Scene(w.subject, None, move)


def s_blacklist_listed(w):
    application, entry = breached(w)
    return Scene(w.subject, application.number, lambda: deadlines_sweep(now=after(entry.objection_due)))


def s_blacklist_withdrawn(w):
    application, entry = breached(w)
    objection_file(
        entry=entry,
        actor=w.applicant,
        statement="承诺属实，现场核查有误",
        files=[SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf")],
        at_window=False,
    )
    move = lambda: objection_decide(entry=entry, actor=w.officer, outcome="uphold", reason="复核属实")  # noqa: E731
    return Scene(w.subject, application.number, move)


def s_blacklist_expired(w):
    application, entry = listed(w)
    return Scene(w.subject, application.number, lambda: deadlines_sweep(now=after(entry.publicity_until)))


def s_credit_repair_requested(w):
    application, entry = listed(w)

    def move():
        with clock.acting_at(repair_moment(entry)):
            credit_repair_request(subject=w.subject, actor=w.applicant, statement="已整改并履行义务", at_window=False)

    return Scene(w.subject, application.number, move)


def _repair_decided(w, outcome):
    application, _entry, repair, moment = repair_requested(w)

    def move():
        with clock.acting_at(moment + dt.timedelta(days=1)):
            credit_repair_decide(repair=repair, actor=w.officer, outcome=outcome, reason="材料不足")

    return Scene(w.subject, application.number, move)


def s_credit_repair_approved(w):
    return _repair_decided(w, "approve")


def s_credit_repair_refused(w):
    return _repair_decided(w, "refuse")


SCENARIOS = [
    ("credit_check", "credit_check", s_credit_check),
    ("commitment_letter", "commitment_letter", s_commitment_letter),
    ("supplement_pledge", "supplement_pledge", s_supplement_pledge),
    ("reminder_sent", "reminder_sent", s_reminder_sent),
    ("commitment_fulfilled", "commitment_fulfilled", s_commitment_fulfilled),
    ("commitment_fulfilled-after-rectification", "commitment_fulfilled", s_rectification_then_fulfilled),
    ("commitment_breached", "commitment_breached", s_commitment_breached),
    ("rectification_ordered", "rectification_ordered", s_rectification_ordered),
    ("pledge_fulfilled", "pledge_fulfilled", s_pledge_fulfilled),
    ("pledge_fulfilled-after-reminder", "pledge_fulfilled", s_pledge_fulfilled_after_reminder),
    ("pledge_breached", "pledge_breached", s_pledge_breached),
    ("decision-approve", "decision", s_decision_approve),
    ("decision-reject", "decision", s_decision_reject),
    ("decision-on-the-spot", "decision", s_decision_on_the_spot),
    ("revocation-breach", "revocation", s_revocation_on_breach),
    ("revocation-rectification-lapsed", "revocation", s_revocation_on_rectification_lapse),
    ("blacklist_proposed-breach", "blacklist_proposed", s_blacklist_proposed_on_breach),
    ("blacklist_proposed-termination", "blacklist_proposed", s_blacklist_proposed_on_termination),
    ("blacklist_proposed-officer", "blacklist_proposed", s_blacklist_proposed_by_an_officer),
    ("blacklist_listed", "blacklist_listed", s_blacklist_listed),
    ("blacklist_withdrawn", "blacklist_withdrawn", s_blacklist_withdrawn),
    ("blacklist_repaired", "blacklist_repaired", s_credit_repair_approved),
    ("blacklist_expired", "blacklist_expired", s_blacklist_expired),
    ("credit_repair_requested", "credit_repair_requested", s_credit_repair_requested),
    ("credit_repair_decided-approve", "credit_repair_decided", s_credit_repair_approved),
    ("credit_repair_decided-refuse", "credit_repair_decided", s_credit_repair_refused),
]


@pytest.fixture
def world(make_user, department, clerk, reviewer, make_enterprise, applicant_for, standard_matter, tolerance_matter,
          licence_matter) -> World:  # fmt: skip
    subject, bystander = make_enterprise(), make_enterprise()
    return World(
        clerk=clerk,
        reviewer=reviewer,
        officer=make_user(roles.CREDIT_OFFICER),
        applicant=applicant_for(subject),
        subject=subject,
        bystander=bystander,
        standard=standard_matter,
        tolerance=tolerance_matter,
        licence=licence_matter,
    )


def test_every_event_type_has_a_scenario():
    assert {kind for _, kind, _ in SCENARIOS} == set(CreditRecordEvent.Type.values)


@pytest.mark.parametrize(("kind", "scenario"), [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_r8_a_transition_records_exactly_one_event_of_its_type(world, kind, scenario):
    scene = scenario(world)
    last = CreditRecordEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    scene.move()
    added = list(CreditRecordEvent.objects.filter(id__gt=last, type=kind).order_by("id"))
    assert [e.subject_id for e in added] == [scene.subject.pk], [(e.type, e.summary) for e in added]
    number = scene.number() if callable(scene.number) else scene.number
    event = event_out(added[0])
    assert event["case_number"] == number, event
    if number:
        assert number in event["description"]["zh"] or number in event["description"]["en"]
    assert not CreditRecordEvent.objects.filter(subject=world.bystander).exists()
