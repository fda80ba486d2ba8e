"""R12 public pages on a phone and a desktop: the integrity page, a guide with commitment and tolerance rules
and the searchable blacklist fit the screen width (the site header is measured elsewhere)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from xinyipi.catalog.demo import load_demo_catalog
from xinyipi.catalog.models import Matter
from xinyipi.core import clock
from xinyipi.core.testing import uscc_for
from xinyipi.subjects.services import subject_register
from xinyipi.supervision.services import blacklist_entry_list, blacklist_propose

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = (360, 1366)

# Page width without the site header, whose own narrow-screen layout is a separate matter.
WIDTH_WITHOUT_HEADER = """() => {
  document.querySelector("header.topbar").style.display = "none";
  return document.documentElement.scrollWidth <= window.innerWidth;
}"""


@pytest.fixture
def listed(local_sources_only):
    subject = subject_register(
        actor=None, kind="enterprise", code=uscc_for("91150783", "MA0E2E601"), name="扎兰屯市诚达运输有限公司"
    )
    entry = blacklist_propose(subject=subject, reason="pledge_breached", case=None, evidence="", actor=None)
    effective = dt.datetime.combine(entry.objection_due + dt.timedelta(days=1), dt.time(9), tzinfo=clock.BEIJING)
    with clock.acting_at(effective):
        blacklist_entry_list(entry_id=entry.pk)
    return subject


@pytest.mark.parametrize("width", WIDTHS)
def test_r12_integrity_page_fits_the_screen_and_leads_to_credit_repair(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/about/")
    assert page.evaluate(WIDTH_WITHOUT_HEADER)
    page.get_by_role("link", name="了解更多信用知识：信用核查、承诺核查、黑名单和信用修复").click()
    page.wait_for_url("**/integrity/")
    expect(page.get_by_role("heading", name="失信的后果：列入黑名单")).to_be_visible()
    expect(page.get_by_test_id("periods")).to_be_visible()
    assert page.evaluate(WIDTH_WITHOUT_HEADER)
    page.get_by_role("link", name="了解如何申请信用修复").click()
    page.wait_for_url("**/credit-repair/")


@pytest.mark.parametrize("width", WIDTHS)
def test_r12_guide_with_commitment_and_tolerance_fits_the_screen(page, width):
    load_demo_catalog()
    matter = Matter.objects.get(name="公司设立登记")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"/guides/{matter.code}/")
    expect(page.locator("#guide-tolerance .alert")).to_contain_text("宽限期")
    expect(page.get_by_test_id("integrity-links")).to_be_visible()
    assert page.evaluate(WIDTH_WITHOUT_HEADER)


@pytest.mark.parametrize("width", WIDTHS)
def test_r12_blacklist_search_fits_the_screen(page, listed, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/")
    page.locator("footer").get_by_role("link", name="黑名单公示").click()
    page.wait_for_url("**/blacklist/")
    page.get_by_role("textbox", name="查询").fill(listed.code_display)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("cell", name=listed.name)).to_be_visible()
    assert page.evaluate(WIDTH_WITHOUT_HEADER)
