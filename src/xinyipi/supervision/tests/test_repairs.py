"""R11 credit repair (国家发展改革委令2025年第36号): asked after the minimum period of the listing's class, with a
signed public credit commitment; decided by a credit officer within 10 working days; an approval ends the
listing at once."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xinyipi.accounts import roles
from xinyipi.audit.models import AuditEntry
from xinyipi.core import clock
from xinyipi.core.crypto import sm3_hex
from xinyipi.core.errors import DomainError
from xinyipi.credit.services import credit_check_run
from xinyipi.notifications.models import Notification
from xinyipi.records.models import CreditRecordEvent
from xinyipi.supervision.models import BlacklistEntry, CreditRepair, CreditRepairFile
from xinyipi.supervision.policy import add_months, repair_policy_on
from xinyipi.supervision.selectors import blacklist_public_page
from xinyipi.supervision.services import blacklist_entry_list, blacklist_propose
from xinyipi.supervision.services.repairs import credit_repair_decide, credit_repair_request
from xinyipi.workdays.calendar import add_working_days

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def moment(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.BEIJING)


@pytest.fixture
def officer(make_user):
    return make_user(roles.CREDIT_OFFICER)


def _listed(subject, severity="general", reason="pledge_breached"):
    entry = blacklist_propose(subject=subject, reason=reason, case=None, evidence="", actor=None, severity=severity)
    with clock.acting_at(moment(entry.objection_due + dt.timedelta(days=1), 0)):
        return blacklist_entry_list(entry_id=entry.pk)


@pytest.fixture
def listed(enterprise):
    return _listed(enterprise)


def after(entry, months: int, days: int = 0) -> dt.datetime:
    return moment(add_months(clock.to_beijing(entry.listed_at).date(), months) + dt.timedelta(days=days), 10)


def _state(subject):
    return (
        list(BlacklistEntry.objects.filter(subject=subject).values_list("id", "status", "ended_at")),
        list(CreditRepair.objects.filter(subject=subject).values_list("id", "status", "reason")),
        CreditRecordEvent.objects.filter(subject=subject).count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


def _ask(client, subject, statement="已补齐全部材料并履行义务", **extra):
    return client.post(
        "/api/v1/credit-repairs", {"subject_code": subject.code_plain(), "statement": statement, **extra}
    )


def test_r11_policy_periods_follow_the_regulation():
    policy = repair_policy_on(dt.date(2026, 4, 1))
    assert "令2025年第36号" in policy.reference and policy.decision_days == 10
    assert [(p.repair_after_months, p.publicity_months) for p in policy.severities.values()] == [
        (0, 3),
        (3, 12),
        (12, 36),
    ]


def test_r11_too_early_is_refused_with_the_earliest_date(api_as, applicant_for, enterprise, listed):
    agent = applicant_for(enterprise)
    earliest = add_months(clock.to_beijing(listed.listed_at).date(), 3)
    before = _state(enterprise)
    with clock.acting_at(after(listed, 3, days=-1)):
        response = _ask(api_as(agent), enterprise)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "repair_too_early" and body["earliest_date"] == earliest.isoformat()
    assert body["message"] and earliest.isoformat() in body["message"]
    assert _state(enterprise) == before


def test_r11_serious_class_waits_a_year(enterprise):
    entry = _listed(enterprise, severity="serious")
    assert entry.publicity_until == add_months(clock.to_beijing(entry.listed_at).date(), 36)
    with clock.acting_at(after(entry, 11)), pytest.raises(DomainError) as refused:
        credit_repair_request(subject=enterprise, actor=None, statement="已纠正", at_window=True)
    assert refused.value.code == "repair_too_early"
    with clock.acting_at(after(entry, 12)):
        assert credit_repair_request(subject=enterprise, actor=None, statement="已纠正", at_window=True).pk


def test_r11_request_after_the_minimum_period_is_filed(api_as, applicant_for, enterprise, listed):
    agent = applicant_for(enterprise)
    at = after(listed, 3)
    with clock.acting_at(at):
        response = _ask(api_as(agent), enterprise)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "requested" and data["entry_id"] == listed.pk and data["outcome"] is None
    assert data["due"] == add_working_days(at.date(), 10).date.isoformat()
    repair = CreditRepair.objects.get(pk=data["id"])
    assert repair.commitment_sm3 == sm3_hex(repair.commitment_text) == data["commitment_sm3"]
    assert enterprise.name in repair.commitment_text and "承诺" in repair.commitment_text
    assert repair.commitment_signer == enterprise.name and repair.commitment_signed_at == at
    assert repair.requested_by == agent and not repair.at_window
    event = CreditRecordEvent.objects.get(subject=enterprise, type="credit_repair_requested")
    assert event.payload["repair_id"] == repair.pk
    assert Notification.objects.filter(subject=enterprise, kind="repair_received").exists()


def test_r11_window_records_a_request_with_proof_files(clerk, enterprise, listed):
    proof = SimpleUploadedFile("缴款凭证.png", PNG, content_type="image/png")
    with clock.acting_at(after(listed, 4)):
        repair = credit_repair_request(
            subject=enterprise, actor=clerk, statement="已缴清", files=[proof], at_window=True
        )
    (stored,) = CreditRepairFile.objects.filter(repair=repair)
    assert stored.file_sm3 == sm3_hex(PNG) and stored.file_type == "png" and repair.at_window


def test_r11_subject_not_listed_is_422(api_as, applicant_for, enterprise):
    blacklist_propose(subject=enterprise, reason="pledge_breached", case=None, evidence="", actor=None)
    before = _state(enterprise)
    response = _ask(api_as(applicant_for(enterprise)), enterprise)
    assert response.status_code == 422 and response.json()["code"] == "not_listed"
    assert _state(enterprise) == before


def test_r11_entry_not_listed_is_422(api_as, applicant_for, enterprise, listed):
    proposed = blacklist_propose(subject=enterprise, reason="other", reason_text="其他事由", evidence="", actor=None)
    with clock.acting_at(after(listed, 4)):
        response = _ask(api_as(applicant_for(enterprise)), enterprise, entry_id=proposed.pk)
    assert response.status_code == 422 and response.json()["code"] == "not_listed"


def test_r11_second_open_request_is_409(api_as, applicant_for, enterprise, listed):
    client = api_as(applicant_for(enterprise))
    with clock.acting_at(after(listed, 4)):
        assert _ask(client, enterprise).status_code == 201
        before = _state(enterprise)
        response = _ask(client, enterprise, statement="再次申请")
    assert response.status_code == 409 and response.json()["code"] == "repair_pending"
    assert _state(enterprise) == before


def test_r11_stranger_cannot_ask_for_another_subject(api_as, applicant_for, make_enterprise, enterprise, listed):
    stranger = api_as(applicant_for(make_enterprise()))
    before = _state(enterprise)
    with clock.acting_at(after(listed, 4)):
        response = _ask(stranger, enterprise)
    # A subject's code is public: naming it proves nothing, as for filing and booking (R9a).
    assert response.status_code == 403 and response.json()["code"] == "not_acting_for_subject"
    assert _state(enterprise) == before


def test_r11_approval_ends_the_listing_at_once(api_as, applicant_for, officer, enterprise, listed):
    with clock.acting_at(after(listed, 4)):
        assert credit_check_run(actor=None, subject=enterprise, purpose="supervision").level == "dishonest"
        assert [i.id for i in blacklist_public_page().items] == [listed.pk]
        repair_id = _ask(api_as(applicant_for(enterprise)), enterprise).json()["id"]
        response = api_as(officer).post(f"/api/v1/credit-repairs/{repair_id}/decision", {"outcome": "approve"})
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["status"] == "approved" and data["outcome"] == "approve" and data["decided_at"]
        entry = BlacklistEntry.objects.get(pk=listed.pk)
        assert entry.status == "repaired" and entry.ended_at is not None
        assert blacklist_public_page().items == []
        assert credit_check_run(actor=None, subject=enterprise, purpose="supervision").level != "dishonest"
    types = set(CreditRecordEvent.objects.filter(subject=enterprise).values_list("type", flat=True))
    assert {"credit_repair_requested", "credit_repair_decided", "blacklist_repaired"} <= types
    assert AuditEntry.objects.filter(action="supervision.repair.approve").count() == 1
    assert Notification.objects.filter(subject=enterprise, kind="repair_decision").exists()


def test_r11_false_commitment_ends_with_repair(officer, enterprise):
    entry = _listed(enterprise, reason="commitment_breached")
    with clock.acting_at(after(entry, 3)):
        repair = credit_repair_request(subject=enterprise, actor=None, statement="已整改", at_window=True)
        credit_repair_decide(repair=repair, actor=officer, outcome="approve")
        assert credit_check_run(actor=None, subject=enterprise, purpose="supervision").level != "dishonest"


def test_r11_refusal_needs_a_reason_and_keeps_the_listing(api_as, applicant_for, officer, enterprise, listed):
    with clock.acting_at(after(listed, 4)):
        repair_id = _ask(api_as(applicant_for(enterprise)), enterprise).json()["id"]
        client = api_as(officer)
        path = f"/api/v1/credit-repairs/{repair_id}/decision"
        before = _state(enterprise)
        response = client.post(path, {"outcome": "refuse"})
        assert response.status_code == 422 and response.json()["code"] == "reason_required"
        assert _state(enterprise) == before
        response = client.post(path, {"outcome": "refuse", "reason": "罚款尚未缴清"})
        assert response.status_code == 200 and response.json()["status"] == "refused"
        assert response.json()["reason"] == "罚款尚未缴清"
        assert BlacklistEntry.objects.get(pk=listed.pk).status == "listed"
        assert credit_check_run(actor=None, subject=enterprise, purpose="supervision").level == "dishonest"
        # A refused request is no longer open: the subject may ask again.
        assert _ask(api_as(applicant_for(enterprise)), enterprise).status_code == 201


def test_r11_second_decision_is_409(api_as, applicant_for, officer, enterprise, listed):
    with clock.acting_at(after(listed, 4)):
        repair_id = _ask(api_as(applicant_for(enterprise)), enterprise).json()["id"]
        client = api_as(officer)
        path = f"/api/v1/credit-repairs/{repair_id}/decision"
        assert client.post(path, {"outcome": "approve"}).status_code == 200
        before = _state(enterprise)
        response = client.post(path, {"outcome": "refuse", "reason": "改判"})
    assert response.status_code == 409 and response.json()["code"] == "repair_already_decided"
    assert _state(enterprise) == before


def test_r11_only_credit_officers_decide(api_as, applicant_for, clerk, enterprise, listed):
    agent = applicant_for(enterprise)
    with clock.acting_at(after(listed, 4)):
        repair_id = _ask(api_as(agent), enterprise).json()["id"]
        before = _state(enterprise)
        for user in (agent, clerk):
            response = api_as(user).post(f"/api/v1/credit-repairs/{repair_id}/decision", {"outcome": "approve"})
            assert response.status_code == 403
    assert _state(enterprise) == before


def test_r11_queue_is_ordered_by_due_date(api_as, officer, make_enterprise):
    first, second = make_enterprise(), make_enterprise()
    a, b = _listed(first), _listed(second)
    with clock.acting_at(after(a, 5)):
        later = credit_repair_request(subject=second, actor=None, statement="后", at_window=True)
    with clock.acting_at(after(a, 4)):
        earlier = credit_repair_request(subject=first, actor=None, statement="先", at_window=True)
    assert b.pk != a.pk
    client = api_as(officer)
    page = client.get("/api/v1/credit-repairs", {"limit": 1}).json()
    assert [i["id"] for i in page["items"]] == [earlier.pk] and page["next"]
    assert [i["id"] for i in client.get("/api/v1/credit-repairs", {"cursor": page["next"]}).json()["items"]] == [
        later.pk
    ]
