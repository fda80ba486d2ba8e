"""The deadline sweep (R7, R9): reminders, terminations, listings, overdue verifications — idempotent and in
force at once whatever the real clock says."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.applications.models import Application
from xinyipi.applications.policy import workflow_policy_on
from xinyipi.applications.services import application_credit_check, application_supplement
from xinyipi.applications.tests.factories import licence_case, standard_case, tolerance_case
from xinyipi.core import clock
from xinyipi.core.errors import DomainError
from xinyipi.notifications.models import Notification
from xinyipi.records.models import CreditRecordEvent
from xinyipi.supervision.models import BlacklistEntry
from xinyipi.supervision.policy import add_months, listing_policy_on
from xinyipi.workdays.calendar import add_working_days

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A moment on ``day``, Beijing time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.BEIJING)


def after(day: dt.date) -> dt.datetime:
    """Just after ``day`` has ended (Beijing): the first moment it counts as overdue."""
    return at(day + dt.timedelta(days=1), 0, 0)


def refresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def types(subject) -> list[str]:
    return list(CreditRecordEvent.objects.filter(subject=subject).order_by("id").values_list("type", flat=True))


def test_r7_not_overdue_until_the_due_day_has_ended(clerk, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    report = deadlines_sweep(now=at(application.supplement_due, 23, 59))
    assert report.reminded == [] and refresh(application).status == "awaiting_supplement"
    report = deadlines_sweep(now=after(application.supplement_due))
    assert report.reminded == [application.number]


def test_r7_overdue_supplement_reminded_with_grace_period_and_recorded_notice(clerk, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    moment = after(application.supplement_due)
    deadlines_sweep(now=moment)
    application = refresh(application)
    assert application.status == "reminded"
    grace_days = workflow_policy_on(moment.date()).grace_days
    assert grace_days == 3
    assert application.grace_due == add_working_days(moment.date(), grace_days).date
    assert application.due_date == application.grace_due
    notice = application.documents.get(kind="reminder_notice")
    assert "场所平面图" in notice.text and "从业人员名单" in notice.text
    sent = Notification.objects.filter(subject=enterprise, kind="reminder")
    assert sent.filter(channel="sms").count() == 1
    event = CreditRecordEvent.objects.get(subject=enterprise, type="reminder_sent")
    assert event.payload["document_number"] == notice.number
    assert {n["id"] for n in event.payload["notifications"]} == set(sent.values_list("id", flat=True))
    assert event.at == moment
    transition = application.transitions.order_by("id").last()
    assert transition.actor_label == "system" and transition.at == moment


def test_r7_sweep_is_idempotent(clerk, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    moment = after(application.supplement_due)
    assert deadlines_sweep(now=moment).changed == 1
    counts = (CreditRecordEvent.objects.count(), Notification.objects.count(), application.transitions.count())
    again = deadlines_sweep(now=moment)
    assert again.changed == 0
    assert (CreditRecordEvent.objects.count(), Notification.objects.count(), application.transitions.count()) == counts


def test_r7_supplied_after_reminder_is_approved(clerk, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    deadlines_sweep(now=after(application.supplement_due))
    application_supplement(actor=clerk, application=refresh(application), materials=["B1", "B2"])
    assert refresh(application).status == "approved"
    assert CreditRecordEvent.objects.get(subject=enterprise, type="pledge_fulfilled").payload["reminded"] is True


def test_r7_grace_over_terminates_and_proposes_listing(clerk, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    deadlines_sweep(now=after(application.supplement_due))
    grace_due = refresh(application).grace_due
    assert deadlines_sweep(now=at(grace_due, 20)).terminated == []
    moment = after(grace_due)
    report = deadlines_sweep(now=moment)
    assert report.terminated == [application.number]
    application = refresh(application)
    assert application.status == "terminated"
    assert types(enterprise)[-2:] == ["pledge_breached", "blacklist_proposed"]
    entry = BlacklistEntry.objects.get(subject=enterprise)
    assert entry.status == "proposed" and entry.reason == "pledge_breached" and entry.case == application
    days = listing_policy_on(moment.date()).objection_days
    assert days == 5 and entry.objection_due == add_working_days(moment.date(), days).date
    proposal = Notification.objects.get(subject=enterprise, kind="listing_proposal", channel="sms")
    assert entry.objection_due.isoformat() in proposal.body and "异议" in proposal.body and "依据" in proposal.body
    assert application.documents.filter(kind="termination_notice").exists()
    assert deadlines_sweep(now=moment).changed == 0


def _listed(clerk, matter, subject) -> tuple[BlacklistEntry, dt.datetime]:
    application = tolerance_case(clerk, matter, subject)
    deadlines_sweep(now=after(application.supplement_due))
    deadlines_sweep(now=after(refresh(application).grace_due))
    entry = BlacklistEntry.objects.get(case=application)
    moment = after(entry.objection_due)
    report = deadlines_sweep(now=moment)
    assert report.listed == [entry.pk]
    entry.refresh_from_db()
    return entry, moment


def test_r9_listing_takes_effect_after_the_objection_period(clerk, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    deadlines_sweep(now=after(application.supplement_due))
    deadlines_sweep(now=after(refresh(application).grace_due))
    entry = BlacklistEntry.objects.get(case=application)
    assert deadlines_sweep(now=at(entry.objection_due, 23, 59)).listed == []
    moment = after(entry.objection_due)
    deadlines_sweep(now=moment)
    entry.refresh_from_db()
    assert entry.status == "listed" and entry.listed_at == moment
    assert entry.publicity_until == add_months(moment.date(), listing_policy_on(moment.date()).publicity_months)
    assert types(enterprise)[-1] == "blacklist_listed"
    kinds = set(Notification.objects.filter(subject=enterprise, channel="sms").values_list("kind", flat=True))
    assert {"listing_decision", "repair_notice"} <= kinds  # 两书同达
    assert deadlines_sweep(now=moment).changed == 0


def test_r9_listed_subject_is_dishonest_at_once_and_refused_tolerance(clerk, tolerance_matter, enterprise):
    _listed(clerk, tolerance_matter, enterprise)
    # The real clock is still before the sweep's --now: the listing holds anyway.
    check = application_credit_check(actor=clerk, subject=enterprise)
    assert check.level == "dishonest"
    with pytest.raises(DomainError) as caught:
        tolerance_case(clerk, tolerance_matter, enterprise)
    assert caught.value.code == "mode_not_allowed" and caught.value.extra["reason"] == "credit"


def test_r9_listing_withdraws_conveniences_of_open_cases(clerk, tolerance_matter, standard_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    deadlines_sweep(now=after(application.supplement_due))
    deadlines_sweep(now=after(refresh(application).grace_due))
    entry = BlacklistEntry.objects.get(case=application)
    # Two more cases of the subject, filed on the last day of the objection period, are open when it takes effect.
    with clock.acting_at(at(entry.objection_due, 10)):
        waiting = tolerance_case(clerk, tolerance_matter, enterprise)
        review = standard_case(clerk, standard_matter, enterprise)
    assert waiting.green_channel and review.green_channel
    moment = after(entry.objection_due)
    assert waiting.supplement_due > moment.date()
    deadlines_sweep(now=moment)
    waiting, review = refresh(waiting), refresh(review)
    assert waiting.supplement_due == moment.date() and waiting.due_date == moment.date()
    assert not waiting.green_channel and not review.green_channel
    assert Notification.objects.filter(
        subject=enterprise, kind="reminder", dedupe_key__startswith=f"application:{waiting.pk}:listing_cut"
    ).exists()
    # The next day the cut deadline has passed: the formal reminder follows.
    assert deadlines_sweep(now=after(moment.date())).reminded == [waiting.number]


def test_r9_listing_expires_after_its_publicity_period(clerk, tolerance_matter, enterprise):
    entry, _moment = _listed(clerk, tolerance_matter, enterprise)
    assert deadlines_sweep(now=at(entry.publicity_until, 12)).expired == []
    report = deadlines_sweep(now=after(entry.publicity_until))
    assert report.expired == [entry.pk]
    entry.refresh_from_db()
    assert entry.status == "expired" and entry.ended_at == after(entry.publicity_until)
    assert types(enterprise)[-1] == "blacklist_expired"
    assert application_credit_check(actor=clerk, subject=enterprise).level == "good"


def test_r5_overdue_verification_flagged_to_the_department_once(clerk, reviewer, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)
    assert deadlines_sweep(now=at(application.verification_due, 18)).verification_flagged == []
    report = deadlines_sweep(now=after(application.verification_due))
    assert report.verification_flagged == [application.number]
    assert refresh(application).verification_flagged_at == after(application.verification_due)
    message = Notification.objects.get(kind="verification", channel="in_app", user=reviewer)
    assert application.number in message.body
    assert deadlines_sweep(now=after(application.verification_due) + dt.timedelta(days=3)).changed == 0
    assert Notification.objects.filter(kind="verification", user=reviewer).count() == 1


def test_command_prints_what_it_did(clerk, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    out = io.StringIO()
    call_command("sweep_deadlines", "--now", after(application.supplement_due).isoformat(), stdout=out)
    text = out.getvalue()
    assert "reminded (催告): 1" in text and application.number in text and "changed: 1" in text
    out = io.StringIO()
    call_command("sweep_deadlines", "--now", after(application.supplement_due).isoformat(), stdout=out)
    assert "changed: 0" in out.getvalue()


def test_command_reads_a_time_without_offset_as_beijing(clerk, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    naive = (application.supplement_due + dt.timedelta(days=1)).isoformat() + "T00:00:00"
    call_command("sweep_deadlines", "--now", naive, stdout=io.StringIO())
    assert refresh(application).status == "reminded"


def test_command_refuses_a_bad_time():
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("sweep_deadlines", "--now", "next tuesday", stdout=io.StringIO())
