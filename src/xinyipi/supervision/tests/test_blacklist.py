"""R9: the city list's thin due process — proposal with an objection period, effect, expiry — and its API."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import translation

from xinyipi.accounts import roles
from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.applications.services import application_credit_check
from xinyipi.applications.tests.factories import licence_case
from xinyipi.core import clock
from xinyipi.notifications.models import Notification
from xinyipi.records.models import CreditRecordEvent
from xinyipi.supervision.models import BlacklistEntry
from xinyipi.supervision.policy import add_months, listing_policy_on
from xinyipi.supervision.services import (
    blacklist_entry_expire,
    blacklist_entry_list,
    blacklist_propose,
)
from xinyipi.workdays.calendar import add_working_days

pytestmark = pytest.mark.django_db


def sweep() -> dict:
    """What the deadline sweep lists and expires, run as ``sweep_deadlines`` runs it, at the acted-at moment."""
    report = deadlines_sweep(now=clock.now())
    return {"listed": report.listed, "expired": report.expired}


def moment(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.BEIJING)


def test_r9_proposal_tells_reason_basis_rights_and_deadline(enterprise):
    entry = blacklist_propose(
        subject=enterprise, reason="commitment_breached", case=None, evidence="核查记录", actor=None
    )
    today = clock.today()
    policy = listing_policy_on(today)
    assert entry.status == "proposed" and entry.objection_due == add_working_days(today, policy.objection_days).date
    assert "国办发〔2020〕49号" in policy.objection_reference and policy.objection_days == 5
    assert entry.basis == policy.basis
    notice = Notification.objects.get(subject=enterprise, kind="listing_proposal", channel="sms")
    for needed in ("告知承诺经核查不实", "依据", "陈述、申辩", "异议", entry.objection_due.isoformat()):
        assert needed in notice.body, needed
    event = CreditRecordEvent.objects.get(subject=enterprise, type="blacklist_proposed")
    assert event.payload["objection_due"] == entry.objection_due.isoformat()


def test_r9_proposal_is_told_in_chinese_whatever_language_the_officer_reads(enterprise):
    with translation.override("en"):
        entry = blacklist_propose(subject=enterprise, reason="commitment_breached", case=None, evidence="", actor=None)
    notice = Notification.objects.get(subject=enterprise, kind="listing_proposal", channel="sms")
    assert notice.title == "拟列入黑名单告知"
    assert "陈述、申辩" in notice.body and "告知承诺经核查不实" in entry.reason_text


def test_r9_proposal_is_not_in_effect(enterprise):
    blacklist_propose(subject=enterprise, reason="pledge_breached", case=None, evidence="", actor=None)
    assert application_credit_check(actor=None, subject=enterprise).level == "good"


def test_r9_same_case_is_proposed_once(enterprise, licence_matter, make_user, department):
    clerk = make_user(roles.WINDOW_CLERK, department)
    case = licence_case(clerk, licence_matter, enterprise)
    first = blacklist_propose(subject=enterprise, reason="commitment_breached", case=case, evidence="", actor=None)
    again = blacklist_propose(subject=enterprise, reason="commitment_breached", case=case, evidence="", actor=None)
    assert first.pk == again.pk and BlacklistEntry.objects.count() == 1


def test_r9_entry_takes_effect_only_after_the_objection_period(enterprise):
    entry = blacklist_propose(subject=enterprise, reason="pledge_breached", case=None, evidence="", actor=None)
    with clock.acting_at(moment(entry.objection_due, 22)):
        assert blacklist_entry_list(entry_id=entry.pk) is None
    effective = moment(entry.objection_due + dt.timedelta(days=1), 0)
    with clock.acting_at(effective):
        listed = blacklist_entry_list(entry_id=entry.pk)
        assert blacklist_entry_list(entry_id=entry.pk) is None  # compare-and-set: once
    assert listed.status == "listed" and listed.listed_at == effective
    assert listed.publicity_until == add_months(effective.date(), 12)
    assert application_credit_check(actor=None, subject=enterprise).level == "dishonest"


def test_r9_withdrawn_proposal_never_takes_effect(enterprise):
    entry = blacklist_propose(subject=enterprise, reason="pledge_breached", case=None, evidence="", actor=None)
    BlacklistEntry.objects.filter(pk=entry.pk).update(status="withdrawn")
    with clock.acting_at(moment(entry.objection_due + dt.timedelta(days=3))):
        assert sweep() == {"listed": [], "expired": []}


def test_r9_entry_ends_by_itself(enterprise):
    entry = blacklist_propose(subject=enterprise, reason="pledge_breached", case=None, evidence="", actor=None)
    with clock.acting_at(moment(entry.objection_due + dt.timedelta(days=1))):
        entry = blacklist_entry_list(entry_id=entry.pk)
    with clock.acting_at(moment(entry.publicity_until)):
        assert blacklist_entry_expire(entry_id=entry.pk) is None
    with clock.acting_at(moment(entry.publicity_until + dt.timedelta(days=1))):
        assert sweep()["expired"] == [entry.pk]
    assert BlacklistEntry.objects.get(pk=entry.pk).status == "expired"


def test_add_months_keeps_the_day_or_the_months_last():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 5, 20), 12) == dt.date(2027, 5, 20)


# GET /api/v1/blacklist -------------------------------------------------------------------------------------


def test_api_lists_entries_in_the_contract_shape(api_as, make_user, enterprise, person):
    entry = blacklist_propose(subject=person, reason="pledge_breached", case=None, evidence="", actor=None)
    blacklist_propose(subject=enterprise, reason="commitment_breached", case=None, evidence="", actor=None)
    officer = make_user(roles.CREDIT_OFFICER)
    client = api_as(officer)
    data = client.get("/api/v1/blacklist", {"subject_code": person.code_plain()}).json()
    assert set(data) == {"items", "next"} and data["next"] is None
    (item,) = data["items"]
    for key in (
        "id",
        "subject_code",
        "reason",
        "case_id",
        "proposed_at",
        "objection_due",
        "listed_at",
        "publicity_until",
        "status",
    ):
        assert key in item
    assert item["id"] == entry.pk and item["status"] == "proposed" and item["subject_code"] == person.code_display
    assert person.code_plain() not in str(data)
    assert len(client.get("/api/v1/blacklist").json()["items"]) == 2
    page = client.get("/api/v1/blacklist", {"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next"]
    assert (
        client.get("/api/v1/blacklist", {"cursor": page["next"]}).json()["items"][0]["subject_code"]
        == person.code_display
    )
    assert client.get("/api/v1/blacklist", {"subject_code": "91150783MA0A999997"}).json()["items"] == []


def test_api_is_for_staff(api_as, applicant_for, enterprise, api):
    assert api_as(applicant_for(enterprise)).get("/api/v1/blacklist").status_code == 403
    assert api.get("/api/v1/blacklist").status_code == 401


def test_r9_listing_effects_are_registered_by_the_apps_whose_conveniences_end():
    from xinyipi.supervision.effects import listing_effects

    assert {"applications.conveniences", "bookings.cancel"} <= set(listing_effects())


def test_supervision_imports_neither_applications_nor_bookings():
    # The city list is read by the credit check and acts on cases and bookings only through listing effects:
    # no import cycle credit ⇄ supervision ⇄ applications ⇄ bookings.
    package = Path(__file__).resolve().parents[1]
    for module in package.rglob("*.py"):
        if "tests" in module.parts or "migrations" in module.parts:
            continue
        source = module.read_text(encoding="utf-8")
        assert "xinyipi.applications" not in source and "xinyipi.bookings" not in source, module.name
