"""POST/GET /api/v1/credit-checks exactly as DESIGN.md §6.1, permissions by role, and access logging (R8)."""

import datetime as dt

import pytest

from xinyipi.audit.models import AuditEntry
from xinyipi.credit.models import CreditCheck

pytestmark = pytest.mark.django_db

SHAPE = {"id", "subject_code", "level", "entitlements", "findings", "sources", "complete", "explanation", "checked_at"}


def test_r8_post_returns_exactly_the_contract_shape(api_as, clerk, enterprise, store_record):
    store_record(enterprise, "abnormal_operations", document_number="扎市监异〔2026〕5号")
    response = api_as(clerk).post(
        "/api/v1/credit-checks", {"subject_code": enterprise.code_plain().lower(), "purpose": "application"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == SHAPE
    assert body["subject_code"] == enterprise.code_display
    assert (body["level"], body["entitlements"], body["complete"]) == ("ordinary", ["commitment"], True)
    assert body["sources"] == [
        {"name": "local_store", "status": "ok"},
        {"name": "city_blacklist", "status": "ok"},
        {"name": "incentive_card", "status": "not_applicable"},
    ]
    assert body["findings"][0]["category"] == "abnormal_operations"
    assert body["findings"][0]["document_number"] == "扎市监异〔2026〕5号"
    assert all(isinstance(s, str) and s for s in body["explanation"])
    checked_at = dt.datetime.fromisoformat(body["checked_at"])
    assert checked_at.utcoffset() == dt.timedelta(hours=8)
    assert CreditCheck.objects.get(pk=body["id"]).actor == clerk


def test_r8_person_code_is_masked_in_the_answer(api_as, clerk, person):
    body = (
        api_as(clerk)
        .post("/api/v1/credit-checks", {"subject_code": person.code_plain(), "purpose": "window_enquiry"})
        .json()
    )
    assert body["subject_code"] == person.code_display
    assert person.code_plain() not in str(body)


def test_r1_card_in_the_request(api_as, clerk, enterprise):
    from xinyipi.core import clock
    from xinyipi.credit.services import incentive_card_save

    incentive_card_save(
        actor=None,
        number="NMJL2026000009",
        holder_code=enterprise.code_plain(),
        holder_name=enterprise.name,
        grade_year=2025,
        valid_from=clock.today() - dt.timedelta(days=1),
        valid_until=clock.today() + dt.timedelta(days=1),
    )
    client = api_as(clerk)
    body = client.post(
        "/api/v1/credit-checks",
        {"subject_code": enterprise.code_plain(), "purpose": "application", "incentive_card": "NMJL2026000009"},
    ).json()
    assert body["level"] == "exemplary"
    assert {"name": "incentive_card", "status": "ok"} in body["sources"]
    refused = client.post(
        "/api/v1/credit-checks",
        {"subject_code": enterprise.code_plain(), "purpose": "application", "incentive_card": "NMJL0000000001"},
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "card_not_found"
    assert refused.json()["field"] == "incentive_card"


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        (
            {"subject_code": "91150783MA0T999997", "purpose": "application"},
            422,
            "invalid_check_character",
            "subject_code",
        ),
        ({"subject_code": "", "purpose": "application"}, 422, "subject_code_required", "subject_code"),
        ({"purpose": "application"}, 422, "invalid_input", "subject_code"),
    ],
)
def test_bad_input_is_refused_with_the_field(api_as, clerk, payload, status, code, field):
    response = api_as(clerk).post("/api/v1/credit-checks", payload)
    assert response.status_code == status
    assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_unknown_subject_is_404(api_as, clerk):
    from xinyipi.core.testing import uscc_for

    response = api_as(clerk).post(
        "/api/v1/credit-checks", {"subject_code": uscc_for("91150783", "MA0T99999"), "purpose": "application"}
    )
    assert response.status_code == 404
    assert response.json()["code"] == "subject_not_found"


def test_r8_bad_purpose_is_422(api_as, clerk, enterprise):
    response = api_as(clerk).post(
        "/api/v1/credit-checks", {"subject_code": enterprise.code_plain(), "purpose": "curiosity"}
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("invalid_purpose", "purpose")
    assert not CreditCheck.objects.exists()


def test_r8_get_by_id_returns_the_same_shape_and_is_logged(api_as, clerk, reviewer, enterprise):
    created = (
        api_as(clerk)
        .post("/api/v1/credit-checks", {"subject_code": enterprise.code_plain(), "purpose": "application"})
        .json()
    )
    response = api_as(reviewer).get(f"/api/v1/credit-checks/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created
    view = AuditEntry.objects.get(action="credit.check.view")
    assert (view.actor, view.object_id, view.after["channel"]) == (reviewer, str(created["id"]), "api")


def test_get_unknown_check_is_404(api_as, reviewer):
    response = api_as(reviewer).get("/api/v1/credit-checks/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "credit_check_not_found"


@pytest.mark.parametrize(
    ("role", "may_run", "may_read"),
    [
        ("window_clerk", True, True),
        ("credit_officer", True, True),
        ("reviewer", False, True),
        ("bureau_admin", False, False),
        ("auditor", False, False),
        ("applicant", False, False),
    ],
)
def test_permissions_by_role(api_as, make_user, department, enterprise, role, may_run, may_read):
    user = make_user(role, department)
    existing = CreditCheck.objects.create(
        subject=enterprise,
        purpose="window_enquiry",
        actor_label="seed",
        checked_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
        level="good",
        entitlements=[],
        complete=True,
        policy_version="2026.1",
    )
    client = api_as(user)
    ran = client.post("/api/v1/credit-checks", {"subject_code": enterprise.code_plain(), "purpose": "window_enquiry"})
    assert ran.status_code == (200 if may_run else 403)
    read = client.get(f"/api/v1/credit-checks/{existing.pk}")
    assert read.status_code == (200 if may_read else 403)
    if not may_read:
        assert not AuditEntry.objects.filter(action="credit.check.view").exists()


def test_anonymous_gets_401(api, enterprise):
    response = api.post("/api/v1/credit-checks", {"subject_code": enterprise.code_plain(), "purpose": "application"})
    assert response.status_code == 401
