"""``/api/v1/applications`` as DESIGN.md §6.1 writes it, role by role."""

import pytest

from xinyipi.accounts import roles
from xinyipi.applications.models import Application
from xinyipi.core import clock
from xinyipi.core.paging import cursor_encode
from xinyipi.credit.models import CreditCheck

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications"


def body(matter, subject_code, mode="standard", materials=("A1", "A2"), **extra):
    return {
        "matter_code": matter.code,
        "subject_code": subject_code,
        "mode": mode,
        "materials": list(materials),
        **extra,
    }


def test_create_answers_201_with_the_contract_fields(api_as, clerk, standard_matter, enterprise):
    response = api_as(clerk).post(URL, body(standard_matter, enterprise.code_display))
    assert response.status_code == 201, response.json()
    data = response.json()
    for key in (
        "id",
        "status",
        "mode",
        "matter_code",
        "subject_code",
        "missing_materials",
        "supplement_due",
        "verification_due",
        "decided_at",
    ):
        assert key in data
    assert data["status"] == "under_review" and data["mode"] == "standard"
    assert data["matter_code"] == standard_matter.code and data["subject_code"] == enterprise.code_display
    assert data["missing_materials"] == [] and data["channel"] == "window"
    assert data["number"].startswith(standard_matter.code)


def test_person_code_is_masked(api_as, clerk, standard_matter, person):
    response = api_as(clerk).post(URL, body(standard_matter, person.code_plain()))
    assert response.status_code == 201, response.json()
    assert response.json()["subject_code"] == person.code_display
    assert person.code_plain() not in response.content.decode()


def test_get_includes_history(api_as, clerk, standard_matter, enterprise):
    created = api_as(clerk).post(URL, body(standard_matter, enterprise.code_display)).json()
    data = api_as(clerk).get(f"{URL}/{created['id']}").json()
    assert [(h["from"], h["to"]) for h in data["history"]] == [
        (None, "submitted"),
        ("submitted", "accepted"),
        ("accepted", "under_review"),
    ]
    assert data["history"][0]["actor"] == clerk.username and data["history"][0]["at"].endswith("+08:00")


def test_tolerance_answer_has_missing_materials_and_due_date(api_as, clerk, tolerance_matter, enterprise):
    response = api_as(clerk).post(
        URL,
        body(
            tolerance_matter, enterprise.code_display, "tolerance", ["A1", "B3"], supplement_pledge={"accepted": True}
        ),
    )
    data = response.json()
    assert response.status_code == 201, data
    assert data["status"] == "awaiting_supplement" and data["missing_materials"] == ["B1", "B2"]
    assert data["supplement_due"] == Application.objects.get(pk=data["id"]).supplement_due.isoformat()


def test_refusals_answer_with_a_code_and_change_nothing(api_as, clerk, tolerance_matter, standard_matter, enterprise):
    client = api_as(clerk)
    cases = [
        (body(standard_matter, enterprise.code_display, "express"), 422, "invalid_input"),
        ({**body(standard_matter, enterprise.code_display), "matter_code": "NOPE"}, 404, "matter_not_found"),
        (body(tolerance_matter, enterprise.code_display, "tolerance", ["A1", "B3"]), 422, "supplement_pledge_required"),
        (
            body(tolerance_matter, enterprise.code_display, "tolerance", ["B3"], supplement_pledge={"accepted": True}),
            422,
            "essential_material_missing",
        ),
        (body(standard_matter, enterprise.code_display, "instant"), 422, "mode_not_allowed"),
        (body(standard_matter, "91150783MA0AZZZZZX"), 422, None),
    ]
    for payload, status, code in cases:
        response = client.post(URL, payload)
        assert response.status_code == status, (payload, response.json())
        if code:
            assert response.json()["code"] == code
        assert "message" in response.json()
    assert Application.objects.count() == 0


def test_mode_not_allowed_says_why(api_as, clerk, standard_matter, enterprise):
    data = api_as(clerk).post(URL, body(standard_matter, enterprise.code_display, "instant")).json()
    assert data["code"] == "mode_not_allowed" and data["field"] == "mode" and data["reason"] == "matter"
    assert "秒批" in data["message"]


def test_r8_a_refusal_names_the_recorded_credit_check_and_the_modes_allowed(
    api_as, clerk, instant_matter, enterprise, make_ordinary
):
    make_ordinary(enterprise)
    data = api_as(clerk).post(URL, body(instant_matter, enterprise.code_display, "instant", ["A1"])).json()
    assert data["code"] == "mode_not_allowed" and data["reason"] == "credit" and data["credit_level"] == "ordinary"
    check = CreditCheck.objects.get(pk=data["credit_check_id"])  # stored with the refusal (R8), and named in it
    assert check.subject == enterprise and check.level == "ordinary"
    assert "standard" in data["allowed_modes"] and "instant" not in data["allowed_modes"]


def test_applicant_files_online_for_own_subject_only(
    api_as, applicant_for, standard_matter, enterprise, make_enterprise
):
    user = applicant_for(enterprise)
    client = api_as(user)
    response = client.post(URL, body(standard_matter, enterprise.code_display))
    assert response.status_code == 201 and response.json()["channel"] == "online"
    other = make_enterprise()
    assert client.post(URL, body(standard_matter, other.code_display)).status_code == 403
    assert client.get(f"{URL}/{response.json()['id']}").status_code == 200


def test_others_are_refused(api_as, make_user, clerk, standard_matter, enterprise, api):
    created = api_as(clerk).post(URL, body(standard_matter, enterprise.code_display)).json()
    stranger = make_user()
    assert api_as(stranger).post(URL, body(standard_matter, enterprise.code_display)).status_code == 403
    # Another subject's case is "not found", like an absent one: ids cannot be probed.
    response = api_as(stranger).get(f"{URL}/{created['id']}")
    assert response.status_code == 404 and response.json()["code"] == "application_not_found"
    assert api.get(f"{URL}/{created['id']}").status_code == 401
    auditor = make_user(roles.AUDITOR)
    assert api_as(auditor).get(URL).status_code == 403


def test_another_departments_case_is_not_found(api_as, clerk, other_reviewer, standard_matter, enterprise):
    created = api_as(clerk).post(URL, body(standard_matter, enterprise.code_display)).json()
    client = api_as(other_reviewer)
    assert client.get(f"{URL}/{created['id']}").status_code == 404
    response = client.post(f"{URL}/{created['id']}/decision", {"outcome": "approve", "reason": ""})
    assert response.status_code == 404 and response.json()["code"] == "application_not_found"
    assert client.get(URL).json()["items"] == []


def test_decision_by_the_departments_reviewer_and_409_when_illegal(
    api_as, clerk, reviewer, standard_matter, enterprise
):
    created = api_as(clerk).post(URL, body(standard_matter, enterprise.code_display)).json()
    client = api_as(reviewer)
    assert api_as(clerk).post(f"{URL}/{created['id']}/decision", {"outcome": "approve"}).status_code == 403
    response = client.post(f"{URL}/{created['id']}/decision", {"outcome": "approve", "reason": "材料齐全"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert response.json()["decided_at"]
    again = client.post(f"{URL}/{created['id']}/decision", {"outcome": "reject", "reason": "重复"})
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    assert again.json()["from_status"] == "approved" and again.json()["to_status"] == "rejected"


def test_reject_needs_a_reason(api_as, clerk, reviewer, standard_matter, enterprise):
    created = api_as(clerk).post(URL, body(standard_matter, enterprise.code_display)).json()
    response = api_as(reviewer).post(f"{URL}/{created['id']}/decision", {"outcome": "reject", "reason": " "})
    assert response.status_code == 422 and response.json()["code"] == "reason_required"


def test_supplement_through_the_api_approves_at_once(api_as, clerk, applicant_for, tolerance_matter, enterprise):
    created = (
        api_as(clerk)
        .post(
            URL,
            body(
                tolerance_matter,
                enterprise.code_display,
                "tolerance",
                ["A1", "B3"],
                supplement_pledge={"accepted": True},
            ),
        )
        .json()
    )
    applicant = api_as(applicant_for(enterprise))
    first = applicant.post(f"{URL}/{created['id']}/supplements", {"materials": ["B1"]})
    assert first.status_code == 200 and first.json()["status"] == "awaiting_supplement"
    assert first.json()["missing_materials"] == ["B2"]
    last = api_as(clerk).post(f"{URL}/{created['id']}/supplements", {"materials": ["B2"]})
    assert last.status_code == 200
    assert last.json()["status"] == "approved" and last.json()["missing_materials"] == []
    assert last.json()["history"][-1]["to"] == "approved"
    bad = api_as(clerk).post(f"{URL}/{created['id']}/supplements", {"materials": ["B2"]})
    assert bad.status_code == 409 and bad.json()["code"] == "not_awaiting_supplement"


def test_verification_through_the_api(api_as, clerk, reviewer, licence_matter, enterprise):
    created = (
        api_as(clerk)
        .post(
            URL,
            body(
                licence_matter,
                enterprise.code_display,
                "commitment",
                ["A1"],
                commitment={"certificates": ["C1"], "accepted": True},
            ),
        )
        .json()
    )
    assert created["status"] == "approved" and created["verification_due"]
    response = api_as(reviewer).post(
        f"{URL}/{created['id']}/verification", {"outcome": "fulfilled", "evidence": "实地核查，场所面积 35 平方米"}
    )
    assert response.status_code == 200 and response.json()["status"] == "verified"
    assert [h["to"] for h in response.json()["history"]][-2:] == ["verifying", "verified"]


def test_withdrawal_by_the_applicant(api_as, clerk, applicant_for, standard_matter, enterprise):
    created = api_as(clerk).post(URL, body(standard_matter, enterprise.code_display)).json()
    response = api_as(applicant_for(enterprise)).post(f"{URL}/{created['id']}/withdrawal", {"reason": "不再需要"})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    again = api_as(clerk).post(f"{URL}/{created['id']}/withdrawal", {})
    assert again.status_code == 409


def test_list_filters_and_pages(api_as, clerk, standard_matter, tolerance_matter, enterprise, make_enterprise):
    client = api_as(clerk)
    other = make_enterprise()
    for _ in range(3):
        client.post(URL, body(standard_matter, enterprise.code_display))
    client.post(URL, body(standard_matter, other.code_display))
    client.post(
        URL, body(tolerance_matter, other.code_display, "tolerance", ["A1", "B3"], supplement_pledge={"accepted": True})
    )
    page = client.get(URL, {"limit": 2}).json()
    assert set(page) == {"items", "next"} and len(page["items"]) == 2 and page["next"]
    seen = [i["id"] for i in page["items"]]
    while page["next"]:
        page = client.get(URL, {"limit": 2, "cursor": page["next"]}).json()
        seen += [i["id"] for i in page["items"]]
    assert seen == sorted(seen, reverse=True) and len(seen) == 5
    assert len(client.get(URL, {"subject_code": enterprise.code_display}).json()["items"]) == 3
    assert len(client.get(URL, {"mode": "tolerance"}).json()["items"]) == 1
    assert len(client.get(URL, {"status": "awaiting_supplement"}).json()["items"]) == 1
    assert len(client.get(URL, {"matter_code": tolerance_matter.code}).json()["items"]) == 1
    assert len(client.get(URL, {"green_channel": "true"}).json()["items"]) == 5
    assert client.get(URL, {"cursor": "!!"}).json()["code"] == "invalid_cursor"
    # A cursor of ours holds ASCII digits: "²" (isdigit, but not int) and overlong ids are refused, not a 500.
    for foreign in (cursor_encode("²"), cursor_encode("9" * 30)):
        response = client.get(URL, {"cursor": foreign})
        assert response.status_code == 422 and response.json()["code"] == "invalid_cursor"


def test_applicant_lists_only_own_cases(api_as, clerk, applicant_for, standard_matter, enterprise, make_enterprise):
    other = make_enterprise()
    api_as(clerk).post(URL, body(standard_matter, enterprise.code_display))
    api_as(clerk).post(URL, body(standard_matter, other.code_display))
    items = api_as(applicant_for(enterprise)).get(URL).json()["items"]
    assert [i["subject_code"] for i in items] == [enterprise.code_display]


def test_times_are_beijing_with_offset(api_as, clerk, instant_matter, enterprise):
    data = api_as(clerk).post(URL, body(instant_matter, enterprise.code_display, "instant", ["A1"])).json()
    assert data["decided_at"].endswith("+08:00") and data["created_at"].endswith("+08:00")
    assert data["decided_at"][:10] == clock.today().isoformat()
