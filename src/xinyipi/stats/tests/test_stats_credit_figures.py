"""R13: the credit figures — commitments fulfilled, nonconforming and breached; supplements on time, late and
never; dishonest subjects stopped; listings and ratings — against cases driven through their lifecycle and
counted by hand."""

import datetime as dt

import pytest

from xinyipi.accounts import roles
from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.applications.services import application_supplement, application_verify
from xinyipi.applications.tests.factories import licence_case, standard_case, tolerance_case
from xinyipi.core import clock
from xinyipi.core.clock import BEIJING
from xinyipi.credit.models import IncentiveCard
from xinyipi.ratings.services import rating_record
from xinyipi.stats.figures import stats_dashboard
from xinyipi.stats.selectors import StatsFilter

FILED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING)


def _after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(9, 0), tzinfo=BEIJING)


@pytest.fixture
def credit_cases(
    clerk, reviewer, make_enterprise, make_dishonest, make_ordinary, licence_matter, tolerance_matter, standard_matter
):
    """Seven cases filed on 2 March 2026 in one department, by hand:

    - three licence commitments: L1 (good) verified fulfilled, L2 (ordinary) breached, L3 (good) found
      nonconforming → 3 certificates not fetched, fulfilment 1/2, breach 1/2;
    - three tolerance cases (good): T1 supplied before its deadline, T2 after the reminder, T3 never →
      6 materials tolerated, one each on time, late and never;
    - D, a dishonest subject's standard application, filed as key review.
    Listings proposed: L2's breach and T3's missing materials. Ratings: T1 5, D 1 (a follow-up opens).
    """
    good = [make_enterprise(f"守信企业{i}") for i in range(6)]
    ordinary, dishonest = make_enterprise("一般企业"), make_enterprise("失信企业")
    with clock.acting_at(FILED):
        make_ordinary(ordinary)
        make_dishonest(dishonest)
        l1, l2, l3 = (licence_case(clerk, licence_matter, s) for s in (good[0], ordinary, good[1]))
        t1, t2, t3 = (tolerance_case(clerk, tolerance_matter, s) for s in good[3:6])
        d = standard_case(clerk, standard_matter, dishonest)
    with clock.acting_at(FILED + dt.timedelta(days=1)):
        application_supplement(actor=clerk, application=t1, materials=["B1", "B2"])
        rating_record(actor=clerk, application=t1, score=5, source="window")
        rating_record(actor=clerk, application=d, score=1, comment="等候太久", source="window")
    deadlines_sweep(now=_after(t2.supplement_due))
    t2.refresh_from_db()
    with clock.acting_at(_after(t2.supplement_due) + dt.timedelta(hours=1)):
        application_supplement(actor=clerk, application=t2, materials=["B1", "B2"])
    t3.refresh_from_db()
    deadlines_sweep(now=_after(t3.grace_due))
    with clock.acting_at(_after(t3.grace_due) + dt.timedelta(hours=2)):
        application_verify(actor=reviewer, application=l1, outcome="fulfilled", evidence="现场核查属实")
        application_verify(actor=reviewer, application=l2, outcome="breached", evidence="经营场所不存在")
        application_verify(actor=reviewer, application=l3, outcome="nonconforming", evidence="面积不足")
    return {"d": d, "t1": t1}


def test_r13_commitment_and_supplement_outcomes_match_the_hand_count(credit_cases, bureau_admin):
    with clock.acting_at(FILED + dt.timedelta(days=2)):
        figures = stats_dashboard(bureau_admin, StatsFilter())
    totals = figures["totals"]
    assert (totals["applications"], totals["decided"], totals["approved"]) == (7, 5, 5)
    assert (totals["certificates_waived"], totals["certificates_not_fetched"]) == (3, 3)
    assert (totals["materials_tolerated"], totals["tolerated_materials"]) == (3, 6)
    outcomes = ("commitments_fulfilled", "commitments_nonconforming", "commitments_breached")
    assert [totals[k] for k in outcomes] == [1, 1, 1]
    assert (totals["fulfilment_rate"], totals["breach_rate"]) == (0.5, 0.5)
    supplements = ("supplements_on_time", "supplements_late", "supplements_never")
    assert [totals[k] for k in supplements] == [1, 1, 1]
    assert (totals["dishonest_restricted"], totals["dishonest_subjects"]) == (1, 1)
    assert figures["supervision"]["listings_proposed"] == 2
    assert figures["supervision"]["listings_listed"] == 0


def test_r13_convenience_shares_count_each_case_once_per_convenience(credit_cases, bureau_admin):
    figures = stats_dashboard(bureau_admin, StatsFilter())
    assert figures["shares"]["commitment"] == round(3 / 7, 4)
    assert figures["shares"]["tolerance"] == round(3 / 7, 4)
    assert figures["shares"]["instant"] == 0.0
    # The six good subjects' cases hold the green channel; the ordinary and the dishonest subject's do not.
    assert figures["totals"]["served_green_channel"] == 5


def test_r13_breach_rate_by_credit_level(credit_cases, api_as, bureau_admin):
    items = api_as(bureau_admin).get("/api/v1/stats", {"group_by": "credit_level"}).json()["items"]
    levels = {row["credit_level"]: row for row in items}
    assert {level: row["applications"] for level, row in levels.items()} == {"good": 5, "ordinary": 1, "dishonest": 1}
    assert (levels["good"]["fulfilment_rate"], levels["good"]["breach_rate"]) == (1.0, 0.0)
    assert levels["ordinary"]["breach_rate"] == 1.0
    assert levels["dishonest"]["dishonest_restricted"] == 1
    assert "breach_rate" not in levels["dishonest"]  # no commitment closed: no rate, not 0


def test_r13_breach_rate_by_matter(credit_cases, api_as, bureau_admin, licence_matter, tolerance_matter):
    items = api_as(bureau_admin).get("/api/v1/stats", {"group_by": "matter"}).json()["items"]
    matters = {row["matter"]: row for row in items}
    assert matters[licence_matter.code]["breach_rate"] == 0.5
    assert matters[tolerance_matter.code]["supplements_never"] == 1


def test_r13_ratings_by_level_and_follow_ups(credit_cases, bureau_admin):
    with clock.acting_at(FILED + dt.timedelta(days=2)):
        ratings = stats_dashboard(bureau_admin, StatsFilter())["ratings"]
    assert ratings["ratings"] == 2
    assert ratings["ratings_by_level"] == {5: 1, 4: 0, 3: 0, 2: 0, 1: 1}
    assert (ratings["follow_ups_open"], ratings["follow_ups_overdue"], ratings["follow_ups_closed"]) == (1, 0, 0)
    with clock.acting_at(FILED + dt.timedelta(days=60)):
        later = stats_dashboard(bureau_admin, StatsFilter())["ratings"]
    assert (later["follow_ups_open"], later["follow_ups_overdue"]) == (0, 1)


def test_r13_an_empty_period_counts_nothing(credit_cases, bureau_admin):
    figures = stats_dashboard(bureau_admin, StatsFilter(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31)))
    assert figures["totals"]["applications"] == 0
    assert figures["totals"]["median_days_to_decision"] is None
    assert figures["weekly"] == []
    assert all(rows == [] for rows in figures["breakdowns"].values())
    assert figures["supervision"]["listings_proposed"] == 0
    assert figures["ratings"]["ratings"] == 0


def test_r13_a_department_with_no_cases_counts_nothing(credit_cases, make_user, other_department, bureau_admin):
    other_reviewer = make_user(roles.REVIEWER, other_department)
    figures = stats_dashboard(other_reviewer, StatsFilter())
    assert figures["totals"]["applications"] == 0
    assert figures["supervision"]["listings_proposed"] == 0
    assert figures["ratings"]["ratings"] == 0
    chosen = stats_dashboard(bureau_admin, StatsFilter(department=other_department.code))
    assert chosen["totals"]["applications"] == 0
    assert chosen["supervision"]["listings_proposed"] == 0


def test_r13_mode_filter_narrows_every_figure(credit_cases, bureau_admin):
    figures = stats_dashboard(bureau_admin, StatsFilter(mode="tolerance"))
    assert figures["totals"]["applications"] == 3
    assert figures["totals"]["commitments_breached"] == 0
    assert figures["supervision"]["listings_proposed"] == 1  # T3's, not L2's
    assert figures["ratings"]["ratings"] == 1  # T1's


def test_r13_weekly_trend_counts_the_filing_week(credit_cases, bureau_admin):
    weekly = stats_dashboard(bureau_admin, StatsFilter())["weekly"]
    assert weekly == [{"week": dt.date(2026, 3, 2), "applications": 7, "decided": 5, "approved": 5}]


def test_r13_incentive_card_share_counts_the_cases_whose_check_counted_a_card(
    clerk, standard_matter, make_enterprise, bureau_admin
):
    """Two cases of one holder, the second filed with its card: one of two served by the card."""
    holder = make_enterprise("持卡企业")
    standard_case(clerk, standard_matter, holder)
    today = clock.today()
    IncentiveCard.objects.create(
        number="NMG2026000009",
        holder_code_hash=holder.code_hash,
        holder_code_display=holder.code_display,
        holder_name=holder.name,
        grade_year=today.year - 1,
        valid_from=today - dt.timedelta(days=10),
        valid_until=today + dt.timedelta(days=300),
        created_at=clock.now(),
    )
    standard_case(clerk, standard_matter, holder, incentive_card="NMG2026000009")
    figures = stats_dashboard(bureau_admin, StatsFilter())
    assert (figures["totals"]["applications"], figures["totals"]["served_incentive_card"]) == (2, 1)
    assert figures["shares"]["incentive_card"] == 0.5
