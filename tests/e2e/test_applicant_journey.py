"""An applicant's licence commitment approved on the spot (R5): the guide, registration as an enterprise's
agent (the link verified at the window, R9a), the own credit result, the commitment letter read and accepted,
"准予许可" at once, the letter printed with its verification QR code, and the public verification page."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from xinyipi.accounts import roles
from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.applications.models import SubjectAgent
from xinyipi.applications.services import subject_agent_verify_window
from xinyipi.catalog.tests.factories import MaterialFactory, MatterFactory
from xinyipi.core.testing import uscc_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Yalu-river-2026"


@pytest.fixture
def licence_matter(local_sources_only, department):
    matter = MatterFactory(
        department=department,
        licence_commitment=True,
        name="公共场所卫生许可",
        accept_condition="经营场所面积不少于 20 平方米",
        verification_days=30,
    )
    MaterialFactory(matter=matter, code="A1", name="公共场所卫生许可申请书", order=1)
    MaterialFactory(matter=matter, code="C1", name="经营场所使用证明", order=2, certificate=True, replaceable=True)
    return matter


def test_applicant_licence_commitment_approved_on_the_spot(page, licence_matter):
    page.goto(f"/guides/{licence_matter.code}/")
    page.get_by_test_id("apply-online").click()
    page.wait_for_url(re.compile(r".*/login/\?next=.*"))
    expect(page.get_by_role("heading", name="申请人登录")).to_be_visible()

    # No account yet: register as the agent of the enterprise, and come back to the application.
    page.get_by_role("link", name="还没有账号？申请人注册").click()
    page.wait_for_url("**/register/**")
    expect(page.locator("#id_uscc")).to_be_hidden()  # a person registers with the own ID number by default
    page.check("input[name=kind][value=enterprise]")
    expect(page.locator("#id_id_number")).to_be_hidden()
    page.fill("#id_username", "agent.sun")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    page.fill("#id_name", "孙经办")
    page.fill("#id_mobile", "13947000001")
    page.fill("#id_uscc", uscc_for("91150783", "MA0E2E101"))
    page.fill("#id_enterprise_name", "扎兰屯市雅鲁河宾馆有限公司")
    page.fill("#id_authorisation", "授权委托书 2026-011 号：委托孙经办办理公共场所卫生许可，期限一年")
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(f"**/guides/{licence_matter.code}/apply/**")

    # The link is pending (R9a): nothing can be filed for the enterprise until it is verified, here at the
    # window with the written authorisation.
    expect(page.locator(".alert-info")).to_contain_text("尚未关联已核验的申请主体")
    link = SubjectAgent.objects.get(user__username="agent.sun")
    scan = SimpleUploadedFile("授权委托书.pdf", b"%PDF-1.4\n" + b"0" * 64, content_type="application/pdf")
    clerk = UserFactory(roles=[roles.WINDOW_CLERK])
    subject_agent_verify_window(actor=clerk, link=link, authorisation_file=scan, identity_checked=True)
    page.reload()

    # The own credit result, and the modes with the reason one is not offered.
    summary = page.get_by_test_id("credit-summary")
    expect(summary.get_by_test_id("credit-level")).to_have_text("信用良好")
    expect(summary.locator('[data-entitlement="commitment"]')).to_be_visible()
    expect(page.locator('[data-mode="instant"]')).to_contain_text("未实行信用+秒批")

    page.check("input[name=mode][value=commitment]")
    page.check("#material-A1")
    page.get_by_test_id("paper-A1").check()  # the paper comes to the window (no file uploaded)
    page.check("input[name=certificates][value=C1]")
    preview = page.get_by_test_id("letter-preview")
    expect(preview).to_contain_text("告知承诺书")
    expect(preview).to_contain_text("经营场所使用证明")
    expect(preview).to_contain_text("扎兰屯市雅鲁河宾馆有限公司")

    # Submitting without accepting is refused next to the box; nothing is filed.
    page.get_by_test_id("submit-application").click()
    expect(page.locator('.field-error[data-field="accepted"]')).to_be_visible()
    page.check("#id_accepted")
    page.get_by_test_id("submit-application").click()
    page.wait_for_url(re.compile(r".*/my/cases/\d+/$"))
    expect(page.get_by_test_id("status")).to_have_text("准予许可")
    expect(page.locator(".messages")).to_contain_text("申请已提交")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("涉企经营许可告知承诺，当场作出许可决定")

    # The letter, printable, with its QR code pointing at the public verification page.
    page.locator('[data-document="commitment_letter"]').get_by_role("link", name="查看/打印").click()
    expect(page.locator(".document-text")).to_contain_text("申请人郑重承诺")
    expect(page.locator("img.document-qr")).to_be_visible()
    verify_url = page.locator(".document-url").inner_text()
    page.goto(verify_url)
    expect(page.get_by_test_id("verification").locator('[data-status="valid"]')).to_be_visible()
    assert "雅鲁河宾馆" not in page.content()

    # "我的办件" lists it.
    page.goto("/my/cases/")
    expect(page.get_by_test_id("case-table")).to_contain_text("公共场所卫生许可")
