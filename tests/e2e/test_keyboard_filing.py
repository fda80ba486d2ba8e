"""A window clerk files a case with the keyboard alone (GB/T 37668-2019 / WCAG 2.1.1 and 2.4.7): Tab moves the
focus, Space ticks, Enter follows a link or submits, the mouse is never used, and wherever the focus rests it
is visible."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.site_pages import build_world, sign_in
from xinyipi.catalog.tests.factories import MaterialFactory, MatterFactory
from xinyipi.core.testing import uscc_for
from xinyipi.subjects.services import subject_register

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CODE = uscc_for("91150783", "MA0E2E901")
MAX_TABS = 80
# The focused element, and whether a visible outline marks it.
FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName, id: el.id, text: (el.textContent || el.value || "").trim().slice(0, 30),
    visible: el.matches(":focus-visible") && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
}"""


@pytest.fixture
def matter(local_sources_only, department):
    matter = MatterFactory(department=department, name="食品经营许可（新办）")
    MaterialFactory(matter=matter, code="A1", name="食品经营许可申请书", order=1)
    MaterialFactory(matter=matter, code="A2", name="营业执照", order=2)
    return matter


@pytest.fixture
def enterprise(local_sources_only):
    return subject_register(actor=None, kind="enterprise", code=CODE, name="扎兰屯市键盘食品有限公司")


def tab_to(page, selector: str) -> None:
    """Presses Tab until the element matching ``selector`` has the focus; each stop on the way must show it."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        assert focus["visible"], f"the focus on {focus} cannot be seen"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reached with Tab")


def test_window_filing_with_the_keyboard_alone(page, clerk, matter, enterprise):
    page.goto("/accounts/login/")
    assert page.evaluate("document.activeElement.id") == "id_username"  # the login form takes the focus
    page.keyboard.type(clerk.username)
    tab_to(page, "#id_password")
    page.keyboard.type("pass-xinyipi-2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/**")
    # The first stop on a page skips the menus.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    assert page.evaluate(FOCUS)["visible"]
    page.keyboard.press("Shift+Tab")

    tab_to(page, ".sidenav a[href$='/console/cases/window/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/cases/window/")
    tab_to(page, "#id_query")
    page.keyboard.type(CODE)
    tab_to(page, "#id_matter")
    page.keyboard.type(matter.code)
    tab_to(page, "#window-start button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/console/cases/window/\d+/.+/$"))
    expect(page.get_by_test_id("credit-level")).to_have_text("信用良好")

    # With no mode chosen yet, Tab enters the modes on the first one (一般办理); Space chooses it.
    tab_to(page, "input[name=mode]")
    assert page.evaluate("document.activeElement.value") == "standard"
    page.keyboard.press("Space")
    for code in ("A1", "A2"):
        tab_to(page, f"#material-{code}")
        page.keyboard.press("Space")
    expect(page.locator("#material-A2")).to_be_checked()
    tab_to(page, "[data-testid=submit-application]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/console/cases/\d+/$"))
    expect(page.get_by_test_id("status")).to_have_text(re.compile("受理|审查"))

    # Printed, the case page is the case alone on A4: no menus, no forms.
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator(".sidenav")).to_be_hidden()
    expect(page.get_by_test_id("status")).to_be_visible()
    assert_a4(page.pdf(prefer_css_page_size=True))


def test_a_case_document_prints_on_a4_without_its_toolbar(page, live_server, local_sources_only):
    world = build_world()
    sign_in(page, live_server, world, "clerk")
    page.goto(reverse("applications:document", args=[world["cases"]["A"].pk, "pledge"]))
    expect(page.locator(".document-toolbar")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".document-toolbar")).to_be_hidden()
    expect(page.locator("article.document h1")).to_have_text(re.compile("承诺书"))
    assert_a4(page.pdf(prefer_css_page_size=True))


def assert_a4(pdf: bytes) -> None:
    """Every page of the PDF is A4 (210 × 297 mm: 595.3 × 841.9 points), as the print style's @page asks."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes, "no page in the PDF"
    for x0, y0, x1, y1 in boxes:
        width, height = float(x1) - float(x0), float(y1) - float(y0)
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2, (width, height)
