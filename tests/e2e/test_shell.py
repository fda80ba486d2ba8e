"""The web shell: the portal home and the staff console open, in Chinese by default."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_portal_home_opens_in_chinese(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "信易批" in page.title()
    expect(page.get_by_role("heading", name="办事指南")).to_be_visible()


def test_administrator_logs_in_and_sees_console_navigation(page, login, bureau_admin):
    login(bureau_admin)
    nav = page.locator(".sidenav")
    expect(nav.get_by_role("link", name="事项目录")).to_be_visible()
    expect(nav.get_by_role("link", name="工作日历")).to_be_visible()
    expect(nav.get_by_role("link", name="系统管理")).to_be_visible()
