"""R9a in the browser: a stranger registers as the agent of an enterprise with its public code and name, signs
in to an empty case list with the link shown as pending; a window clerk finds the link in the queue, uploads
the written authorisation and verifies it; the account now sees the enterprise's cases."""

import pytest
from playwright.sync_api import expect

from xinyipi.applications.services import application_file
from xinyipi.catalog.tests.factories import MaterialFactory, MatterFactory
from xinyipi.core.testing import uscc_for
from xinyipi.subjects.services import subject_register

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Bridge-river-2026"
PDF = b"%PDF-1.4\n% written authorisation\n" + b"0" * 256


@pytest.fixture
def enterprise_case(local_sources_only, department, clerk):
    matter = MatterFactory(department=department, name="户外广告设施设置审批")
    MaterialFactory(matter=matter, code="A1", name="申请表", order=1)
    enterprise = subject_register(
        actor=None,
        kind="enterprise",
        code=uscc_for("91150783", "MA0E2E301"),
        name="扎兰屯市桥头广告有限公司",
        contact_phone="13847000011",
    )
    case = application_file(
        actor=clerk, matter=matter, subject=enterprise, mode="standard", materials=["A1"], channel="window"
    )
    return enterprise, case


def test_r9a_stranger_sees_nothing_until_the_window_verifies_the_link(
    page, browser, live_server, clerk, enterprise_case
):
    enterprise, case = enterprise_case

    page.goto("/register/")
    page.check("input[name=kind][value=enterprise]")
    page.fill("#id_username", "agent.zhou")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    page.fill("#id_name", "周经办")
    page.fill("#id_mobile", "13947000033")
    page.fill("#id_uscc", enterprise.code_display)
    page.fill("#id_enterprise_name", enterprise.name)
    page.fill("#id_authorisation", "授权委托书 2026-051 号：委托周经办办理户外广告审批，期限一年")
    page.get_by_role("button", name="注册").click()
    page.wait_for_url("**/my/cases/")

    # Signed in, an empty list: the link is pending, with what to do next.
    pending = page.get_by_test_id("pending-links")
    expect(pending).to_contain_text(enterprise.name)
    expect(pending).to_contain_text("待核验")
    expect(pending).to_contain_text("授权委托书")
    expect(page.get_by_test_id("case-table")).to_have_count(0)
    assert case.number not in page.content()
    page.get_by_role("link", name="查看关联并完成核验").click()
    page.wait_for_url("**/my/links/")
    expect(page.get_by_test_id("link-status").first).to_have_text("待核验")
    expect(page.get_by_test_id("next-steps")).to_contain_text("138****0011")  # the number on record, masked
    assert "13847000011" not in page.content()

    # At the window: the queue, the authorisation scanned, the identity seen, verified.
    window = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url).new_page()
    window.goto("/accounts/login/")
    window.fill("#id_username", clerk.username)
    window.fill("#id_password", "pass-xinyipi-2026")
    window.click("button[type=submit]")
    window.wait_for_url("**/console/**")
    window.get_by_role("link", name="账户关联核验").first.click()
    window.wait_for_url("**/console/cases/agents/")
    row = window.get_by_test_id("agent-queue").locator("tr", has_text=enterprise.name)
    expect(row).to_contain_text("周经办")
    expect(row).to_contain_text("13947000033")
    row.get_by_test_id("open-link").click()
    window.wait_for_url("**/console/cases/agents/*/")
    window.get_by_test_id("verify-submit").click()  # nothing uploaded: refused next to the field
    expect(window.locator('.field-error[data-field="authorisation_file"]')).to_be_visible()
    window.set_input_files(
        "#id_authorisation_file", files=[{"name": "授权委托书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    window.select_option("#id_identity_document", "resident_id")
    window.fill("#id_identity_last4", "0013")
    window.get_by_test_id("verify-submit").click()
    window.wait_for_url("**/console/cases/agents/")
    expect(window.locator(".messages")).to_contain_text("已核验")
    expect(window.get_by_test_id("agent-queue")).not_to_contain_text(enterprise.name)
    window.context.close()

    # The account now sees the enterprise's case.
    page.goto("/my/cases/")
    expect(page.get_by_test_id("case-table")).to_contain_text(case.number)
    expect(page.get_by_test_id("pending-links")).to_have_count(0)
    page.goto("/my/links/")
    expect(page.get_by_test_id("link-status").first).to_have_text("已核验")
