"""A 390 × 844 phone (DESIGN §7, issue 14): every public page and every page of the applicant, and the console's
pages for each staff role, fit the screen width (wide tables scroll inside their own box) and no menu item
takes more than two lines. A screenshot of each page is kept under artifacts/screenshots/phone/ (git-ignored).
"""

import re
from pathlib import Path

import pytest

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
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{role}{re.sub(r'[^0-9A-Za-z]+', '_', url).rstrip('_')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def walk(page, live_server, world, role: str) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world, role)
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
    print(f"phone screenshots ({role}, {checked} pages): {SCREENSHOTS}")  # noqa: T201 — where the artefacts are
    assert checked >= 3, f"{role}: only {checked} pages walked"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ["anon", "app"])
def test_public_and_applicant_pages_fit_a_phone(page, live_server, world, role):
    walk(page, live_server, world, role)


@pytest.mark.parametrize("role", ["clerk", "rev", "officer", "admin", "auditor"])
def test_console_pages_fit_a_phone(page, live_server, world, role):
    walk(page, live_server, world, role)


def test_phone_menu_is_one_line_that_scrolls_not_a_character_per_line(page, live_server, world):
    """The top menu once wrapped 办/事/指/南 one character per line at 390 px: now each item is one line."""
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world, "app")
    page.goto("/")
    items = page.evaluate(MENU_LINES, ".topnav a")
    assert [item["text"] for item in items][:2] == ["办事指南", "什么是信易批"]
    assert all(item["lines"] == 1 for item in items), items


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
