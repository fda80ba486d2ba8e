"""A window clerk checks credit: code or card number in, level, entitlements, explanation and sources out,
printable; a failing national source makes the check incomplete until the clerk records a manual look-up."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from xinyipi.core import clock
from xinyipi.core.testing import uscc_for
from xinyipi.credit.models import CreditRecord
from xinyipi.credit.registry.server import registry_in_thread, source_urls
from xinyipi.credit.services import incentive_card_save
from xinyipi.subjects.services import subject_register

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOGISTICS = uscc_for("91150783", "MA0E2E001")
FARM = uscc_for("91150783", "MA0E2E002")


@pytest.fixture
def subjects(local_sources_only):
    logistics = subject_register(actor=None, kind="enterprise", code=LOGISTICS, name="扎兰屯市北疆物流有限公司")
    farm = subject_register(actor=None, kind="enterprise", code=FARM, name="扎兰屯市金穗农业科技有限公司")
    CreditRecord.objects.create(
        code_hash=logistics.code_hash,
        code_key=CreditRecord.key_of(logistics.code_hash),
        category="abnormal_operations",
        source="gsxt",
        record_id="E2E-1",
        document_number="扎市监企异字〔2026〕第 311 号",
        decided_on=clock.today() - dt.timedelta(days=100),
        imported_at=clock.now(),
    )
    incentive_card_save(
        actor=None,
        number="NMJL2026000101",
        holder_code=FARM,
        holder_name=farm.name,
        grade_year=2025,
        valid_from=clock.today() - dt.timedelta(days=200),
        valid_until=clock.today() + dt.timedelta(days=165),
    )
    return logistics, farm


def test_clerk_checks_by_code_and_by_card_and_prints(page, login, clerk, subjects):
    login(clerk)
    page.get_by_role("link", name="信用核查").first.click()
    page.wait_for_url("**/console/credit/")

    page.fill("#id_query", LOGISTICS)
    page.get_by_role("button", name="核查", exact=True).click()
    result = page.locator(".credit-result")
    expect(result.get_by_test_id("credit-level")).to_have_text("一般")
    expect(result.get_by_test_id("credit-entitlements")).to_have_text("告知承诺")
    explanation = result.get_by_test_id("credit-explanation").inner_text()
    assert "扎市监企异字〔2026〕第 311 号" in explanation
    assert "可享受的便利措施：告知承诺" in explanation
    assert result.locator('[data-source="local_store"][data-status="ok"]').count() == 1
    assert page.url.endswith("/console/credit/")  # the result came in place (htmx), no navigation

    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    result.get_by_role("button", name="打印核查结果").click()
    assert page.evaluate("window.__printed") == 1

    page.fill("#id_query", "nmjl2026000101")
    page.get_by_role("button", name="核查", exact=True).click()
    expect(page.locator(".credit-result").get_by_test_id("credit-level")).to_have_text("守信激励")
    expect(page.locator(".credit-result [data-entitlement]")).to_have_count(6)
    expect(page.locator(".credit-result")).to_contain_text("视同完成信用核查")

    page.fill("#id_query", "NMJL0000000000")
    page.get_by_role("button", name="核查", exact=True).click()
    expect(page.locator("#credit-check-errors")).to_contain_text("未找到纳税信用联合激励卡")


def test_failing_source_then_manual_entry_completes_the_check(page, login, clerk, subjects, tmp_path, settings):
    fixtures = tmp_path / "fixtures.yaml"
    fixtures.write_text("{}\n", encoding="utf-8")
    with registry_in_thread(fixtures=fixtures) as server:
        settings.CREDIT_SOURCES["credit_china"] = {"url": source_urls(server.base_url, "fail")["credit_china"]}
        login(clerk)
        page.goto("/console/credit/")
        page.fill("#id_query", FARM)
        page.get_by_role("button", name="核查", exact=True).click()
        result = page.locator(".credit-result")
        expect(result.get_by_test_id("credit-incomplete")).to_be_visible()
        assert result.locator('[data-source="credit_china"][data-status="error"]').count() == 1
        expect(result.get_by_test_id("credit-entitlements")).to_have_text("无")
        expect(result.get_by_test_id("credit-explanation")).to_contain_text("信用中国未能查询")

        result.get_by_role("link", name="录入官方网站人工查询结果").click()
        page.select_option("#id_site", "credit_china")
        page.set_input_files(
            "#id_evidence",
            files=[{"name": "信用报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\nreport"}],
        )
        page.get_by_role("button", name="保存").click()
        expect(page.locator(".messages")).to_contain_text("已保存人工查询结果")
        page.get_by_role("button", name="重新核查").click()
        result = page.locator(".credit-result")
        expect(result.get_by_test_id("credit-level")).to_be_visible()
        assert result.get_attribute("data-complete") == "true"
        expect(result.locator("[data-entitlement]")).to_have_count(6)
        expect(result.get_by_test_id("credit-explanation")).to_contain_text("采用窗口人工查询结果代替")
