"""The bureau opens the statistics dashboard (R13): every chart is drawn with data (its ECharts option has a
non-empty series), a screenshot is kept as the test's artefact, and choosing a mode changes the figures."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from xinyipi.applications.services import application_decide, application_verify
from xinyipi.applications.tests.conftest import (  # noqa: F401
    licence_matter,
    make_enterprise,
    standard_matter,
    tolerance_matter,
)
from xinyipi.applications.tests.factories import licence_case, standard_case, tolerance_case
from xinyipi.core import clock
from xinyipi.core.clock import BEIJING
from xinyipi.ratings.services import rating_record

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHARTS = ["weekly", "modes", "departments", "rates", "waived", "ratings"]


@pytest.fixture
def figures(local_sources_only, clerk, reviewer, make_enterprise, standard_matter, tolerance_matter, licence_matter):  # noqa: F811
    """Five cases over two weeks of March 2026: two standard (one approved), one tolerance, two licence
    commitments (one verified, so a fulfilment rate exists), and one rating."""
    first = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING)
    with clock.acting_at(first):
        approved = standard_case(clerk, standard_matter, make_enterprise("统计一号企业"))
        standard_case(clerk, standard_matter, make_enterprise("统计二号企业"))
        licence = licence_case(clerk, licence_matter, make_enterprise("统计三号企业"))
    with clock.acting_at(first + dt.timedelta(days=7)):
        tolerance_case(clerk, tolerance_matter, make_enterprise("统计四号企业"))
        licence_case(clerk, licence_matter, make_enterprise("统计五号企业"))
        application_decide(actor=reviewer, application=approved, outcome="approve", reason="")
        rating_record(actor=clerk, application=approved, score=5, source="window")
    with clock.acting_at(first + dt.timedelta(days=8)):
        application_verify(actor=reviewer, application=licence, outcome="fulfilled", evidence="现场核查属实")


def _series_lengths(page, name: str) -> list[int]:
    return page.evaluate(
        """(name) => {
            const node = document.querySelector(`[data-chart="${name}"]`);
            const chart = window.echarts.getInstanceByDom(node);
            if (!chart) return [];
            return chart.getOption().series.map((s) => (s.data || []).filter((v) => v !== null).length);
        }""",
        name,
    )


def _headline(page, label: str) -> str:
    figure = page.locator(".stats-figure", has=page.locator(".stats-figure-label", has_text=label)).first
    return figure.locator(".stats-figure-value").inner_text()


def test_r13_bureau_sees_every_chart_drawn_and_a_filter_changes_the_figures(
    figures, page, login, bureau_admin, tmp_path
):
    page.set_viewport_size({"width": 1366, "height": 900})
    login(bureau_admin)
    page.goto("/console/stats/")
    for name in CHARTS:
        expect(page.locator(f'[data-chart="{name}"]')).to_have_attribute("data-rendered", "1")
        lengths = _series_lengths(page, name)
        assert lengths and all(n > 0 for n in lengths), (name, lengths)
    assert _series_lengths(page, "weekly") == [2, 2, 2]  # two weeks of filing, three lines
    assert _headline(page, "申请数") == "5"

    shot = tmp_path / "artifacts" / "stats-dashboard-1366.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")  # noqa: T201 — where to find the artefact

    page.select_option("select[name=mode]", "tolerance")
    page.click("[data-testid=stats-filters] button[type=submit]")
    page.wait_for_url("**mode=tolerance**")
    assert _headline(page, "申请数") == "1"
    assert _series_lengths(page, "modes") == [1]
    expect(page.locator('[data-chart="waived"]')).not_to_have_attribute("data-rendered", "1")

    page.set_viewport_size({"width": 360, "height": 800})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # tables scroll inside their box
