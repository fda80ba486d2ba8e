"""Accessibility (GB/T 37668-2019, which follows WCAG 2.0 A/AA): axe-core runs in Chromium over every public
page and every page each role may open, and no page may have a serious or critical violation.

axe-core is pinned in package.json and vendored by ``make vendor`` into tests/e2e/vendor; the site never
serves it.
"""

from pathlib import Path

import pytest

from tests.e2e.site_pages import build_world, page_urls, sign_in, whole_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Evaluated through the browser's debugging protocol: the site's Content-Security-Policy forbids injected scripts.
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
# The roles of DESIGN.md §3 (``app`` is an applicant acting for subject A) and the anonymous visitor.
ROLES = ("anon", "app", "clerk", "rev", "officer", "admin", "auditor")
# Serious and critical findings fail the page; moderate and minor ones are printed for whoever looks next.
FAILING = {"serious", "critical"}
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " — " +
      n.failureSummary.split("\\n").slice(0, 2).join(" ")),
  }));
}"""


@pytest.fixture
def world(local_sources_only):
    return build_world()


def violations(page) -> list[str]:
    """axe's serious and critical violations on the open page, one line each; the others are printed."""
    page.evaluate(AXE)
    found = []
    for violation in page.evaluate(AXE_RUN):
        line = f"{page.url}: {violation['impact']} {violation['id']} ({violation['help']}) {violation['nodes']}"
        if violation["impact"] in FAILING:
            found.append(line)
        else:
            print("axe (not failing):", line)  # noqa: T201 — shown with -rP, for the next pass
    return found


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_has_no_serious_accessibility_violation(page, live_server, world, role):
    sign_in(page, live_server, world, role)
    failures, checked = [], 0
    for url in page_urls(world, role):
        if whole_page(page, url):
            checked += 1
            failures += violations(page)
    assert checked >= 3, f"{role}: only {checked} pages checked"
    assert not failures, "\n".join(failures)


def test_phone_width_and_error_pages_have_no_serious_accessibility_violation(page, live_server, world):
    """At 390 px wide tables scroll in their own box, which a keyboard must reach; the 404 page is a page too."""
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, world, "rev")
    failures = []
    for url in ("/console/cases/queue/review/", "/console/stats/", "/no-such-page/"):
        page.goto(url)
        failures += violations(page)
    assert not failures, "\n".join(failures)
