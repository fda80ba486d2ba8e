"""R9 objections (国办发〔2020〕49号): filed within the objection period by the subject (online through a verified
link, or recorded at the window), one open at a time, holding the listing until a credit officer answers it."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xinyipi.accounts import roles
from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.applications.services import application_credit_check
from xinyipi.audit.models import AuditEntry
from xinyipi.core import clock
from xinyipi.core.crypto import sm3_hex
from xinyipi.core.errors import DomainError
from xinyipi.notifications.models import Notification
from xinyipi.records.models import CreditRecordEvent
from xinyipi.supervision.models import BlacklistEntry, Objection, ObjectionFile
from xinyipi.supervision.services import blacklist_propose
from xinyipi.supervision.services.objections import objection_decide, objection_file

pytestmark = pytest.mark.django_db


def sweep() -> dict:
    """What the deadline sweep lists and expires, run as ``sweep_deadlines`` runs it, at the acted-at moment."""
    report = deadlines_sweep(now=clock.now())
    return {"listed": report.listed, "expired": report.expired}


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def moment(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.BEIJING)


@pytest.fixture
def officer(make_user):
    return make_user(roles.CREDIT_OFFICER)


@pytest.fixture
def proposal(enterprise):
    return blacklist_propose(
        subject=enterprise, reason="commitment_breached", case=None, evidence="核查记录", actor=None
    )


def _state(entry):
    """What a refusal must leave unchanged."""
    entry = BlacklistEntry.objects.get(pk=entry.pk)
    return (
        entry.status,
        entry.ended_at,
        list(Objection.objects.filter(entry=entry).values_list("id", "status", "reason")),
        CreditRecordEvent.objects.filter(subject=entry.subject).count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def test_r9_subject_objects_online_within_the_period(api_as, applicant_for, enterprise, proposal):
    agent = applicant_for(enterprise)
    response = api_as(agent).post(f"/api/v1/blacklist/{proposal.pk}/objection", {"statement": "核查时漏看了补充材料"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "proposed" and data["id"] == proposal.pk
    objection = data["objection"]
    assert objection["status"] == "pending" and objection["statement"] == "核查时漏看了补充材料"
    assert objection["filed_at"] and objection["decided_at"] is None and objection["outcome"] is None
    row = Objection.objects.get(entry=proposal)
    assert row.filed_by == agent and not row.at_window
    assert AuditEntry.objects.filter(action="supervision.objection.file").count() == 1
    assert Notification.objects.filter(kind="objection_received", subject=enterprise).exists()


def test_r9_window_clerk_records_an_objection_with_files(clerk, enterprise, proposal):
    upload = SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf")
    objection_file(entry=proposal, actor=clerk, statement="窗口代为登记的异议", files=[upload], at_window=True)
    (stored,) = ObjectionFile.objects.filter(objection__entry=proposal)
    assert stored.file_sm3 == sm3_hex(PDF) and stored.file_type == "pdf" and stored.file_name == "说明.pdf"
    assert stored.file.read() == PDF
    assert Objection.objects.get(entry=proposal).at_window


def test_r9_window_clerk_reaches_any_entry_through_the_api(api_as, clerk, proposal):
    response = api_as(clerk).post(f"/api/v1/blacklist/{proposal.pk}/objection", {"statement": "窗口登记"})
    assert response.status_code == 200 and Objection.objects.get(entry=proposal).at_window


def test_r9_objection_file_of_another_type_is_refused_and_changes_nothing(clerk, proposal):
    before = _state(proposal)
    zip_file = SimpleUploadedFile("x.zip", b"PK\x03\x04rest", content_type="application/zip")
    with pytest.raises(DomainError) as refused:
        objection_file(entry=proposal, actor=clerk, statement="异议", files=[zip_file], at_window=True)
    assert refused.value.code == "file_type_refused"
    assert _state(proposal) == before


def test_r9_objection_after_the_period_is_refused(api_as, applicant_for, enterprise, proposal):
    agent = applicant_for(enterprise)
    before = _state(proposal)
    with clock.acting_at(moment(proposal.objection_due + dt.timedelta(days=1), 8)):
        response = api_as(agent).post(f"/api/v1/blacklist/{proposal.pk}/objection", {"statement": "晚了"})
    assert response.status_code == 422 and response.json()["code"] == "objection_period_over"
    assert response.json()["objection_due"] == proposal.objection_due.isoformat()
    assert _state(proposal) == before


def test_r9_objection_on_the_due_day_is_accepted(applicant_for, enterprise, proposal):
    agent = applicant_for(enterprise)
    with clock.acting_at(moment(proposal.objection_due, 23)):
        objection_file(entry=proposal, actor=agent, statement="最后一天", at_window=False)
    assert Objection.objects.filter(entry=proposal, status="pending").count() == 1


def test_r9_objection_to_an_entry_not_proposed_is_409(api_as, applicant_for, enterprise, proposal):
    BlacklistEntry.objects.filter(pk=proposal.pk).update(status="withdrawn")
    before = _state(proposal)
    response = api_as(applicant_for(enterprise)).post(f"/api/v1/blacklist/{proposal.pk}/objection", {"statement": "x"})
    assert response.status_code == 409 and response.json()["code"] == "entry_not_proposed"
    assert _state(proposal) == before


def test_r9_second_open_objection_is_409(api_as, applicant_for, enterprise, proposal):
    client = api_as(applicant_for(enterprise))
    assert client.post(f"/api/v1/blacklist/{proposal.pk}/objection", {"statement": "一"}).status_code == 200
    before = _state(proposal)
    response = client.post(f"/api/v1/blacklist/{proposal.pk}/objection", {"statement": "二"})
    assert response.status_code == 409 and response.json()["code"] == "objection_pending"
    assert _state(proposal) == before


def test_r9_objection_needs_a_statement(api_as, applicant_for, enterprise, proposal):
    before = _state(proposal)
    response = api_as(applicant_for(enterprise)).post(f"/api/v1/blacklist/{proposal.pk}/objection", {"statement": " "})
    assert response.status_code == 422 and response.json()["field"] == "statement"
    assert _state(proposal) == before


def test_r9_stranger_cannot_object_the_entry_is_not_found(api_as, applicant_for, make_enterprise, proposal, reviewer):
    other = applicant_for(make_enterprise())
    before = _state(proposal)
    response = api_as(other).post(f"/api/v1/blacklist/{proposal.pk}/objection", {"statement": "冒名"})
    assert response.status_code == 404 and response.json()["code"] == "blacklist_entry_not_found"
    # A reviewer reads the city list but never speaks for a subject: refused, not "not found".
    response = api_as(reviewer).post(f"/api/v1/blacklist/{proposal.pk}/objection", {"statement": "冒名"})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert _state(proposal) == before


def test_r9_objection_upheld_withdraws_the_proposal(api_as, applicant_for, officer, enterprise, proposal):
    assert application_credit_check(actor=None, subject=enterprise).level == "dishonest"  # false commitment
    objection_file(entry=proposal, actor=applicant_for(enterprise), statement="承诺属实", at_window=False)
    response = api_as(officer).post(
        f"/api/v1/blacklist/{proposal.pk}/objection-decision", {"outcome": "uphold", "reason": "复核承诺属实"}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "withdrawn"
    assert data["objection"]["status"] == "upheld" and data["objection"]["outcome"] == "uphold"
    assert data["objection"]["decided_at"] and data["objection"]["reason"] == "复核承诺属实"
    entry = BlacklistEntry.objects.get(pk=proposal.pk)
    assert entry.ended_at is not None
    assert CreditRecordEvent.objects.filter(subject=enterprise, type="blacklist_withdrawn").count() == 1
    assert AuditEntry.objects.filter(action="supervision.objection.uphold").count() == 1
    assert AuditEntry.objects.filter(action="supervision.blacklist.withdraw").count() == 1
    assert Notification.objects.filter(subject=enterprise, kind="objection_decision").exists()
    assert application_credit_check(actor=None, subject=enterprise).level == "good"
    with clock.acting_at(moment(proposal.objection_due + dt.timedelta(days=2))):
        assert sweep()["listed"] == []


def test_r9_objection_dismissed_needs_a_reason(api_as, applicant_for, officer, enterprise, proposal):
    objection_file(entry=proposal, actor=applicant_for(enterprise), statement="异议", at_window=False)
    before = _state(proposal)
    response = api_as(officer).post(f"/api/v1/blacklist/{proposal.pk}/objection-decision", {"outcome": "dismiss"})
    assert response.status_code == 422 and response.json()["code"] == "reason_required"
    assert _state(proposal) == before


def test_r9_dismissed_objection_lets_the_entry_take_effect_after_the_period(
    applicant_for, officer, enterprise, proposal
):
    objection_file(entry=proposal, actor=applicant_for(enterprise), statement="异议", at_window=False)
    entry = objection_decide(entry=proposal, actor=officer, outcome="dismiss", reason="核查记录清楚")
    assert entry.status == "proposed"
    assert Objection.objects.get(entry=proposal).status == "dismissed"
    with clock.acting_at(moment(proposal.objection_due, 20)):
        assert sweep()["listed"] == []
    with clock.acting_at(moment(proposal.objection_due + dt.timedelta(days=1))):
        assert sweep()["listed"] == [proposal.pk]


def test_r9_pending_objection_holds_the_listing_until_dismissed(applicant_for, officer, enterprise, proposal):
    objection_file(entry=proposal, actor=applicant_for(enterprise), statement="异议", at_window=False)
    late = moment(proposal.objection_due + dt.timedelta(days=3))
    with clock.acting_at(late):
        assert sweep()["listed"] == []
        assert BlacklistEntry.objects.get(pk=proposal.pk).status == "proposed"
        objection_decide(entry=proposal, actor=officer, outcome="dismiss", reason="异议不成立")
    with clock.acting_at(late + dt.timedelta(hours=1)):
        assert sweep()["listed"] == [proposal.pk]
    assert BlacklistEntry.objects.get(pk=proposal.pk).status == "listed"


def test_r9_second_decision_is_409_and_changes_nothing(api_as, applicant_for, officer, enterprise, proposal):
    objection_file(entry=proposal, actor=applicant_for(enterprise), statement="异议", at_window=False)
    client = api_as(officer)
    path = f"/api/v1/blacklist/{proposal.pk}/objection-decision"
    assert client.post(path, {"outcome": "dismiss", "reason": "不成立"}).status_code == 200
    before = _state(proposal)
    response = client.post(path, {"outcome": "uphold", "reason": "改判"})
    assert response.status_code == 409 and response.json()["code"] == "no_pending_objection"
    assert _state(proposal) == before


def test_r9_decision_without_an_objection_is_409(api_as, officer, proposal):
    response = api_as(officer).post(f"/api/v1/blacklist/{proposal.pk}/objection-decision", {"outcome": "uphold"})
    assert response.status_code == 409


def test_r9_only_credit_officers_decide_objections(api_as, applicant_for, clerk, enterprise, proposal):
    agent = applicant_for(enterprise)
    objection_file(entry=proposal, actor=agent, statement="异议", at_window=False)
    before = _state(proposal)
    for user in (agent, clerk):
        response = api_as(user).post(
            f"/api/v1/blacklist/{proposal.pk}/objection-decision", {"outcome": "uphold", "reason": "自己决定"}
        )
        assert response.status_code == 403
    assert _state(proposal) == before


def test_r9_unknown_entry_is_404(api_as, officer):
    response = api_as(officer).post("/api/v1/blacklist/999999/objection-decision", {"outcome": "uphold"})
    assert response.status_code == 404


def test_r9_entry_list_shows_the_objection_without_extra_queries(
    api_as, applicant_for, officer, make_enterprise, django_assert_max_num_queries
):
    for _ in range(3):
        subject = make_enterprise()
        entry = blacklist_propose(subject=subject, reason="pledge_breached", case=None, evidence="", actor=None)
        objection_file(entry=entry, actor=applicant_for(subject), statement="异议", at_window=False)
    client = api_as(officer)
    with django_assert_max_num_queries(12):
        items = client.get("/api/v1/blacklist").json()["items"]
    assert [i["objection"]["status"] for i in items] == ["pending"] * 3


def test_r9_uphold_of_an_entry_that_moved_on_is_409_and_leaves_the_objection_pending(
    applicant_for, officer, enterprise, proposal
):
    objection_file(entry=proposal, actor=applicant_for(enterprise), statement="异议", at_window=False)
    # Another actor moved the entry between the officer opening the page and deciding.
    BlacklistEntry.objects.filter(pk=proposal.pk).update(status="expired")
    before = _state(proposal)
    with pytest.raises(DomainError) as refused:
        objection_decide(entry=proposal, actor=officer, outcome="uphold", reason="属实")
    assert refused.value.status == 409 and refused.value.code == "entry_not_proposed"
    assert _state(proposal) == before
