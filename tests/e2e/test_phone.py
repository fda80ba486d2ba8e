"""A 390 × 844 phone (DESIGN §7, issue 14): every public page and every page of the applicant, and the console's
pages for each staff role, fit the screen width (wide tables scroll inside their own box) and no menu item
takes more than two lines. A screenshot of each page is kept under artifacts/screenshots/phone/<role>/
(git-ignored).
"""

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

from tests.access.test_access_matrix import _page_url
from tests.e2e.site_pages import build_world, page_urls, sign_in, whole_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / "phone"
MENU_ITEMS = ".topnav a, .sidenav a, .my-nav a, .footer-links a, .topbar-tools a, .topbar-tools button"
# Each menu item's lines: fragments of an inline link, or the height of a block one over its line height.
MENU_LINES = """(selector) => [...document.querySelectorAll(selector)].filter(a => a.offsetParent).map(a => {
  const style = getComputedStyle(a);
  const inner = a.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  const lines = Math.max(a.getClientRects().length, Math.round(inner / parseFloat(style.lineHeight)));
  return {text: a.textContent.trim(), lines: lines};
})"""
WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def world(local_sources_only):
    return build_world()


def screenshot(page, role: str, url: str) -> Path:
    """The whole page, or its first screen when headless Chromium cannot capture a page that tall at once.

    The picture is an artefact to look at, not an assertion: the checks above have already read the page.
    """
    path = SCREENSHOTS / role / f"{re.sub(r'[^0-9A-Za-z]+', '_', url).strip('_') or 'home'}.png"
    try:
        page.screenshot(path=str(path), full_page=True)
    except PlaywrightError:
        page.screenshot(path=str(path))
    return path


def walk(page, live_server, world, role: str) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world, role)
    shutil.rmtree(SCREENSHOTS / role, ignore_errors=True)  # this run's pages only
    (SCREENSHOTS / role).mkdir(parents=True)
    problems, checked = [], 0
    for url in page_urls(world, role):
        if not whole_page(page, url):
            continue
        checked += 1
        scroll_width, inner_width = page.evaluate(WIDTH)
        if scroll_width > inner_width:
            problems.append(f"{url}: the page is {scroll_width} px wide on a {inner_width} px screen")
        for item in page.evaluate(MENU_LINES, MENU_ITEMS):
            if item["lines"] > 2:
                problems.append(f"{url}: the menu item {item['text']!r} takes {item['lines']} lines")
        screenshot(page, role, url)
    print(f"phone screenshots ({role}, {checked} pages): {SCREENSHOTS / role}")  # noqa: T201 — where the artefacts are
    assert checked >= 3, f"{role}: only {checked} pages walked"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ["anon", "app"])
def test_public_and_applicant_pages_fit_a_phone(page, live_server, world, role):
    walk(page, live_server, world, role)


@pytest.mark.parametrize("role", ["clerk", "rev", "officer", "admin", "auditor"])
def test_console_pages_fit_a_phone(page, live_server, world, role):
    walk(page, live_server, world, role)


@pytest.mark.parametrize(("language", "first"), [("zh-hans", "办事指南"), ("en", "Service guides")])
def test_phone_menu_is_one_line_that_scrolls_not_a_character_per_line(page, live_server, world, language, first):
    """The top menu once wrapped 办/事/指/南 one character per line at 390 px: now each item is one line, in
    Chinese and in the longer English, and the page keeps to the screen's width."""
    page.set_viewport_size(PHONE)
    for role, url in (("app", "/"), ("app", "/my/cases/"), ("admin", "/console/stats/")):
        page.context.clear_cookies()
        sign_in(page, live_server, world, role)
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page.goto(url)
        items = page.evaluate(MENU_LINES, ".topnav a, .sidenav a")
        assert items[0]["text"] == first
        assert all(item["lines"] == 1 for item in items), (role, url, items)
        assert page.evaluate(WIDTH)[0] <= PHONE["width"], (role, url)


# A button of each kind as the templates write them: a submit button once took the primary blue whatever its kind.
BUTTON_COLOURS = """() => ["", "secondary", "danger"].map(kind => {
  const button = document.createElement("button");
  button.type = "submit";
  button.className = ("button " + kind).trim();
  button.textContent = "撤回申请";
  document.querySelector("main").append(button);
  const style = getComputedStyle(button);
  return [kind || "primary", style.backgroundColor, style.color];
})"""
BADGE_LINES = """() => [...document.querySelectorAll("main .badge")].map(b => [
  b.textContent.trim(),
  b.getClientRects().length,
  b.getBoundingClientRect().height <= 1.6 * parseFloat(getComputedStyle(b).lineHeight),
])"""


@pytest.mark.parametrize("size", [PHONE, {"width": 1366, "height": 900}])
def test_buttons_show_their_kind_and_status_badges_stay_on_one_line(page, live_server, world, size):
    page.set_viewport_size(size)
    sign_in(page, live_server, world, "clerk")
    page.goto("/console/cases/queue/window/")
    badges = page.evaluate(BADGE_LINES)
    assert any(text == "容缺待补正" for text, _, _ in badges), badges
    assert all(rects == 1 and one_line for _, rects, one_line in badges), badges
    colours = {kind: (background, text) for kind, background, text in page.evaluate(BUTTON_COLOURS)}
    assert colours["primary"] == ("rgb(29, 79, 145)", "rgb(255, 255, 255)")
    assert colours["secondary"] == ("rgb(255, 255, 255)", "rgb(29, 79, 145)")
    assert colours["danger"] == ("rgb(180, 35, 24)", "rgb(255, 255, 255)")


# Each material's name against its row: a card's full width, not a column squeezed to a few characters a line.
MATERIAL_NAME_SHARE = """() => [...document.querySelectorAll("[data-testid=case-materials] tbody tr")].map(
  row => row.cells[0].getBoundingClientRect().width / row.getBoundingClientRect().width)"""


@pytest.mark.parametrize(("role", "name"), [("app", "portal:my_case"), ("clerk", "applications:detail")])
def test_a_cases_materials_are_one_card_each_on_a_phone(page, live_server, world, role, name):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world, role)
    page.goto(_page_url(world, name, "A"))
    shares = page.evaluate(MATERIAL_NAME_SHARE)
    assert shares and all(share > 0.8 for share in shares), shares
    assert page.evaluate(WIDTH)[0] <= PHONE["width"]
