"""The whole case workflow through the public API, time driven by ``manage.py sweep_deadlines --now``
(issue 4, "Done when"): tolerance → overdue → reminder → terminated → listing proposed → objection period
over → listed → now dishonest and refused tolerance; licence commitment → approved → breached → revoked →
listing proposed; supplement → approved at once; instant → approved."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from xinyipi.core import clock
from xinyipi.core.testing import uscc_for
from xinyipi.records.models import CreditRecordEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications"


def sweep(day: dt.date) -> str:
    """Run the sweep just after ``day`` has ended (Beijing), as the CLI contract does."""
    moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 5), tzinfo=clock.BEIJING)
    out = io.StringIO()
    call_command("sweep_deadlines", "--now", moment.isoformat(), stdout=out)
    return out.getvalue()


def test_r1_r4_r5_r6_r7_r9_r10_journey_through_the_api(
    api_as, clerk, reviewer, credit_officer, tolerance_matter, licence_matter, instant_matter
):
    window, department, officer = api_as(clerk), api_as(reviewer), api_as(credit_officer)

    def register(n: int, name: str) -> str:
        code = uscc_for("91150783", f"MA0J{n:05d}")
        response = window.post("/api/v1/subjects", {"kind": "enterprise", "code": code, "name": name})
        assert response.status_code == 201, response.json()
        return code

    breaker, cheater, keeper = (
        register(1, "扎兰屯市逾期商贸有限公司"),
        register(2, "扎兰屯市虚报餐饮有限公司"),
        register(3, "扎兰屯市守约科技有限公司"),
    )

    # 1. Tolerance, never supplied: reminder, termination, proposal, listing; then dishonest and refused.
    created = window.post(
        URL,
        {
            "matter_code": tolerance_matter.code,
            "subject_code": breaker,
            "mode": "tolerance",
            "materials": ["A1", "B3"],
            "supplement_pledge": {"accepted": True},
        },
    )
    assert created.status_code == 201, created.json()
    case = created.json()
    assert case["status"] == "awaiting_supplement" and case["missing_materials"] == ["B1", "B2"]
    supplement_due = dt.date.fromisoformat(case["supplement_due"])

    assert "reminded (催告): 1" in sweep(supplement_due)
    case = window.get(f"{URL}/{case['id']}").json()
    assert case["status"] == "reminded" and case["history"][-1]["to"] == "reminded"
    grace_due = dt.date.fromisoformat(case["grace_due"])

    assert "terminated (终止办理): 1" in sweep(grace_due)
    case = window.get(f"{URL}/{case['id']}").json()
    assert case["status"] == "terminated"
    (entry,) = officer.get("/api/v1/blacklist", {"subject_code": breaker}).json()["items"]
    assert entry["status"] == "proposed" and entry["case_id"] == case["id"] and entry["reason"] == "pledge_breached"

    assert "listed (列入黑名单): 1" in sweep(dt.date.fromisoformat(entry["objection_due"]))
    (entry,) = officer.get("/api/v1/blacklist", {"subject_code": breaker}).json()["items"]
    assert entry["status"] == "listed" and entry["listed_at"] and entry["publicity_until"]

    check = window.post("/api/v1/credit-checks", {"subject_code": breaker, "purpose": "window_enquiry"}).json()
    assert check["level"] == "dishonest"
    refused = window.post(
        URL,
        {
            "matter_code": tolerance_matter.code,
            "subject_code": breaker,
            "mode": "tolerance",
            "materials": ["A1", "B3"],
            "supplement_pledge": {"accepted": True},
        },
    )
    assert refused.status_code == 422 and refused.json()["code"] == "mode_not_allowed"
    assert refused.json()["reason"] == "credit"
    key_review = window.post(
        URL,
        {
            "matter_code": tolerance_matter.code,
            "subject_code": breaker,
            "mode": "standard",
            "materials": ["A1", "B1", "B2", "B3"],
        },
    ).json()
    assert key_review["mode"] == "key_review" and key_review["green_channel"] is False

    # 2. Licence commitment: approved on the spot, found untrue, revoked, listing proposed.
    licence = window.post(
        URL,
        {
            "matter_code": licence_matter.code,
            "subject_code": cheater,
            "mode": "commitment",
            "materials": ["A1"],
            "commitment": {"certificates": ["C1"], "accepted": True},
        },
    ).json()
    assert licence["status"] == "approved" and licence["decided_at"] and licence["verification_due"]
    revoked = department.post(
        f"{URL}/{licence['id']}/verification", {"outcome": "breached", "evidence": "实地核查：经营场所面积 8 平方米"}
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    (proposal,) = officer.get("/api/v1/blacklist", {"subject_code": cheater}).json()["items"]
    assert proposal["status"] == "proposed" and proposal["reason"] == "commitment_breached"
    assert proposal["case_id"] == licence["id"]

    # 3. Tolerance kept: the last supplement approves at once.
    kept = window.post(
        URL,
        {
            "matter_code": tolerance_matter.code,
            "subject_code": keeper,
            "mode": "tolerance",
            "materials": ["A1", "B3"],
            "supplement_pledge": {"accepted": True},
        },
    ).json()
    approved = window.post(f"{URL}/{kept['id']}/supplements", {"materials": ["B1", "B2"]}).json()
    assert approved["status"] == "approved" and approved["missing_materials"] == [] and approved["decided_at"]

    # 4. Instant approval: no human step.
    instant = window.post(
        URL, {"matter_code": instant_matter.code, "subject_code": keeper, "mode": "instant", "materials": ["A1"]}
    ).json()
    assert instant["status"] == "approved" and instant["decided_at"]

    # Everything went into the credit records (R8).
    recorded = set(CreditRecordEvent.objects.values_list("type", flat=True))
    assert {
        "credit_check",
        "supplement_pledge",
        "reminder_sent",
        "pledge_breached",
        "blacklist_proposed",
        "blacklist_listed",
        "commitment_letter",
        "commitment_breached",
        "revocation",
        "pledge_fulfilled",
        "decision",
    } <= recorded
