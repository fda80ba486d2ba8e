"""Browser journeys: Playwright drives Debian's Chromium against Django's live test server."""

import os

import pytest
from playwright.sync_api import sync_playwright

from xinyipi.accounts import roles
from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.applications.models import SubjectAgent
from xinyipi.applications.services import application_file
from xinyipi.catalog.tests.factories import MaterialFactory, MatterFactory
from xinyipi.core import clock
from xinyipi.credit.sources.http import http_state_reset
from xinyipi.subjects.services import subject_register

CHROMIUM = os.environ.get("XINYIPI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are still
    # synchronous and safe here, so Django's guard against async contexts is lifted for these tests only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url)
    context.set_default_timeout(15000)
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def local_sources_only(settings):
    """No external credit source: checks ask the local store, the city list and the card table (complete)."""
    settings.CREDIT_SOURCES = {
        "enterprise_publicity": {"url": ""},
        "credit_china": {"url": ""},
        "incentive_card": {"url": ""},
    }
    http_state_reset()
    yield settings
    http_state_reset()


@pytest.fixture
def login(page):
    """``login(user)`` signs in through the real login form."""

    def do(user, password="pass-xinyipi-2026"):
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url("**/console/**")
        return page

    return do


FITS = """() => {
  const header = document.querySelector("header.topbar");
  if (header) header.style.display = "none";
  return document.documentElement.scrollWidth <= window.innerWidth;
}"""


@pytest.fixture
def sign_in(page):
    """``sign_in(user, landing)`` through the real login form, after dropping the previous account's session."""

    def do(user, landing: str):
        page.context.clear_cookies()
        # A login URL of its own per account: the browser never reuses a login form holding a cleared CSRF cookie.
        page.goto(f"/accounts/login/?as={user.username}")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "pass-xinyipi-2026")
        page.click("button[type=submit]")
        page.wait_for_url(landing)

    return do


@pytest.fixture
def fits(page):
    """``fits()``: the page (its top bar aside) needs no sideways scrolling at the current width."""
    return lambda: page.evaluate(FITS)


@pytest.fixture
def window_case(local_sources_only, department, clerk):
    """``window_case(matter_name, materials, subject_code, subject_name)``: a standard case the clerk filed at
    the window for a new enterprise, with every material of the matter (``{code: name}``, in order) handed in."""

    def file(matter_name: str, materials: dict[str, str], subject_code: str, subject_name: str):
        matter = MatterFactory(department=department, name=matter_name)
        for order, (code, name) in enumerate(materials.items(), start=1):
            MaterialFactory(matter=matter, code=code, name=name, order=order)
        subject = subject_register(actor=None, kind="enterprise", code=subject_code, name=subject_name)
        return application_file(
            actor=clerk, matter=matter, subject=subject, mode="standard", materials=list(materials), channel="window"
        )

    return file


@pytest.fixture
def legal_representative(db):
    """``legal_representative(subject, username, phone)``: an applicant verified as the subject's 法定代表人."""

    def make(subject, username: str, phone: str):
        user = UserFactory(username=username, roles=[roles.APPLICANT], phone=phone)
        SubjectAgent.objects.create(
            user=user,
            subject=subject,
            relation=SubjectAgent.Relation.LEGAL_REPRESENTATIVE,
            created_at=clock.now(),
            created_by_label="test",
            status=SubjectAgent.Status.VERIFIED,
            verified_at=clock.now(),
        )
        return user

    return make
