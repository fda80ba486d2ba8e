"""R13: the bureau's figures per department, matter and mode, against cases counted by hand."""

import datetime as dt

import pytest

from xinyipi.accounts import roles
from xinyipi.applications.services import application_decide
from xinyipi.applications.tests.factories import licence_case, standard_case, tolerance_case
from xinyipi.core import clock
from xinyipi.core.clock import BEIJING

FILED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING)


@pytest.fixture
def cases(clerk, reviewer, enterprise, standard_matter, tolerance_matter, licence_matter):
    """Four cases filed on 2 March 2026: approved after 2 days, rejected after 4, awaiting supplement, and a
    licence commitment approved on the spot (0 days). By hand: 4 applications, 3 decided, 2 approved,
    1 certificate waived, 1 case with tolerated materials, median 2 days to decision."""
    with clock.acting_at(FILED):
        approved = standard_case(clerk, standard_matter, enterprise)
        rejected = standard_case(clerk, standard_matter, enterprise)
        tolerance_case(clerk, tolerance_matter, enterprise)
        licence_case(clerk, licence_matter, enterprise)
    with clock.acting_at(FILED + dt.timedelta(days=2)):
        application_decide(actor=reviewer, application=approved, outcome="approve", reason="")
    with clock.acting_at(FILED + dt.timedelta(days=4)):
        application_decide(actor=reviewer, application=rejected, outcome="reject", reason="材料不符合法定形式")


def test_r13_department_figures_match_the_hand_count(cases, api_as, bureau_admin, department):
    response = api_as(bureau_admin).get("/api/v1/stats", {"group_by": "department"})
    assert response.status_code == 200, response.content
    assert response.json()["items"] == [
        {
            "department": department.code,
            "applications": 4,
            "decided": 3,
            "approved": 2,
            "rejected": 1,
            "certificates_waived": 1,
            "certificates_not_fetched": 1,  # C1 of the licence case
            "materials_tolerated": 1,
            "tolerated_materials": 2,  # B1 and B2 of the tolerance case
            "commitments_fulfilled": 0,
            "commitments_nonconforming": 0,
            "commitments_breached": 0,
            "supplements_on_time": 0,
            "supplements_late": 0,
            "supplements_never": 0,
            "served_commitment": 1,
            "served_tolerance": 1,
            "served_green_channel": 4,  # a good-credit enterprise holds the green channel
            "served_instant": 0,
            "served_incentive_card": 0,
            "dishonest_restricted": 0,
            "dishonest_subjects": 0,
            "decided_within_promised": 3,
            "decided_within_statutory": 3,
            "approval_rate": 0.6667,
            # Promised 10 working days from Monday 2 March: due 16 March; decided on 4, 6 and 2 March.
            "days_saved_per_case": 12.0,
            "median_days_to_decision": 2.0,
        }
    ]


def test_r13_mode_rows_split_the_same_cases(cases, api_as, bureau_admin):
    items = api_as(bureau_admin).get("/api/v1/stats", {"group_by": "mode"}).json()["items"]
    assert {row["mode"]: row["applications"] for row in items} == {"commitment": 1, "standard": 2, "tolerance": 1}
    standard = next(row for row in items if row["mode"] == "standard")
    assert (standard["approved"], standard["decided"], standard["median_days_to_decision"]) == (1, 2, 3.0)


def test_r13_matter_rows_are_keyed_by_matter_code(cases, api_as, bureau_admin, standard_matter):
    items = api_as(bureau_admin).get("/api/v1/stats", {"group_by": "matter"}).json()["items"]
    assert len(items) == 3
    assert next(row for row in items if row["matter"] == standard_matter.code)["applications"] == 2


def test_r13_an_empty_period_has_no_rows(cases, api_as, bureau_admin):
    response = api_as(bureau_admin).get("/api/v1/stats", {"from": "2025-01-01", "to": "2025-01-31"})
    assert response.status_code == 200
    assert response.json() == {"items": []}


def test_r13_period_includes_both_end_days(cases, api_as, bureau_admin):
    items = api_as(bureau_admin).get("/api/v1/stats", {"from": "2026-03-02", "to": "2026-03-02"}).json()["items"]
    assert items[0]["applications"] == 4


def test_r13_a_department_with_no_cases_sees_no_rows(cases, api_as, make_user, other_department):
    other_reviewer = make_user(roles.REVIEWER, other_department)
    assert api_as(other_reviewer).get("/api/v1/stats").json() == {"items": []}


def test_r13_department_staff_see_their_department(cases, api_as, reviewer, department):
    items = api_as(reviewer).get("/api/v1/stats").json()["items"]
    assert [row["department"] for row in items] == [department.code]


def test_r13_other_roles_are_refused(api_as, clerk, credit_officer, api):
    assert api_as(clerk).get("/api/v1/stats").status_code == 403
    assert api_as(credit_officer).get("/api/v1/stats").status_code == 403
    assert api.get("/api/v1/stats").status_code == 401


def test_r13_a_reversed_period_names_the_field(api_as, bureau_admin):
    response = api_as(bureau_admin).get("/api/v1/stats", {"from": "2026-03-31", "to": "2026-03-01"})
    assert response.status_code == 422
    assert response.json()["field"] == "from"


def test_r13_an_unknown_grouping_is_422(api_as, bureau_admin):
    response = api_as(bureau_admin).get("/api/v1/stats", {"group_by": "colour"})
    assert response.status_code == 422
    assert response.json()["code"]
