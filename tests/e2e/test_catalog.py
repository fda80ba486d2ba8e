"""Browser journeys through the catalog: the administrator opens a matter's guide from the console,
and a visitor finds a guide on the portal with the htmx search."""

import pytest
from playwright.sync_api import expect

from xinyipi.catalog.demo import load_demo_catalog

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_catalog(db):
    load_demo_catalog()


def test_administrator_logs_in_and_opens_a_matters_guide(page, login, bureau_admin, demo_catalog):
    login(bureau_admin)
    page.locator(".sidenav").get_by_role("link", name="事项目录").click()
    page.wait_for_url("**/console/matters/")
    row = page.locator("#matter-table tr", has_text="公司设立登记")
    expect(row.locator(".badge", has_text="告知承诺")).to_be_visible()
    expect(row.locator(".badge", has_text="容缺受理")).to_be_visible()
    row.get_by_role("link", name="公司设立登记").click()

    expect(page.get_by_role("heading", name="公司设立登记")).to_be_visible()
    materials = page.locator("#guide-materials table")
    expect(
        materials.locator("tr", has_text="住所（经营场所）使用证明").locator(".badge", has_text="可承诺替代")
    ).to_be_visible()
    expect(page.locator("#guide-commitment .alert", has_text="不实承诺的法律责任")).to_be_visible()
    expect(page.locator("#guide-tolerance")).to_contain_text("1 个工作日内")
    expect(page.get_by_role("link", name="在管理后台编辑")).to_be_visible()

    page.get_by_role("link", name="查看公开办事指南").click()
    page.wait_for_url("**/guides/**")
    expect(page.get_by_role("heading", name="公司设立登记")).to_be_visible()
    expect(page.locator("#guide-conditions")).to_contain_text("《中华人民共和国公司法》第二十九条")


def test_visitor_searches_the_portal_and_reads_an_excluded_matters_guide(page, demo_catalog):
    page.goto("/")
    page.fill("#q", "危险化学品")
    expect(page.locator("#guides .card")).to_have_count(1)
    expect(page.locator("#guides .card")).to_contain_text("危险化学品经营许可")
    assert "q=" in page.url  # the search is kept in the address for the back button
    page.locator("#guides .card").first.click()
    page.wait_for_url("**/guides/**")
    commitment = page.locator("#guide-commitment").inner_text()
    assert "公共安全" in commitment and "不实行告知承诺制" in commitment
    expect(page.locator("#guide-tolerance")).to_contain_text("不实行容缺受理")
