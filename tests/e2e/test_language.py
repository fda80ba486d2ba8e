"""Switching the pages to English with the language selector, and back."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_language_selector_turns_the_portal_english_and_back(page):
    page.goto("/")
    page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Better credit, easier approval")).to_be_visible()
    expect(page.get_by_role("heading", name="Service guides")).to_be_visible()
    assert "Xinyipi" in page.title()

    page.select_option("select[name=language]", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="办事指南")).to_be_visible()


def test_clerk_works_in_english(page, login, clerk):
    page.goto("/accounts/login/")
    page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Staff login")).to_be_visible()
    login(clerk)
    nav = page.locator(".sidenav")
    expect(nav.get_by_role("link", name="Window acceptance")).to_be_visible()
    expect(nav.get_by_role("link", name="Credit check")).to_be_visible()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
