"""Browser journeys: Playwright drives Debian's Chromium against Django's live test server."""

import os

import pytest
from playwright.sync_api import sync_playwright

from xinyipi.credit.sources.http import http_state_reset

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
