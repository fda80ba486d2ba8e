"""A window clerk's tolerance case completed by a supplement (R6): the applicant's code, the credit result,
an auxiliary material missing, the supplement pledge read and accepted at the window and printed, then the
missing material uploaded and the case approved at once."""

import re

import pytest
from playwright.sync_api import expect

from xinyipi.catalog.tests.factories import MaterialFactory, MatterFactory
from xinyipi.core.testing import uscc_for
from xinyipi.subjects.services import subject_register

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CODE = uscc_for("91150783", "MA0E2E201")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def tolerance_matter(local_sources_only, department):
    matter = MatterFactory(department=department, with_tolerance=True, name="食品经营许可（新办）")
    MaterialFactory(matter=matter, code="A1", name="食品经营许可申请书", order=1)
    MaterialFactory(matter=matter, code="B1", name="经营场所平面布局图", order=2, essential=False, tolerable=True)
    MaterialFactory(matter=matter, code="B2", name="设备布局和工艺流程", order=3, essential=False, tolerable=False)
    return matter


@pytest.fixture
def enterprise(local_sources_only):
    return subject_register(actor=None, kind="enterprise", code=CODE, name="扎兰屯市河畔食品店有限公司")


def test_clerk_tolerance_case_completed_by_a_supplement(page, login, clerk, tolerance_matter, enterprise):
    login(clerk)
    page.get_by_role("link", name="窗口受理").first.click()
    page.wait_for_url("**/console/cases/window/")
    page.fill("#id_query", CODE)
    page.fill("#id_matter", tolerance_matter.code)
    page.get_by_role("button", name="信用核查并继续").click()
    page.wait_for_url(re.compile(r".*/console/cases/window/\d+/.+/$"))
    expect(page.get_by_test_id("credit-level")).to_have_text("信用良好")
    expect(page.locator('[data-mode="tolerance"]')).to_have_attribute("data-allowed", "true")

    # The plan is missing: tolerance, with the pledge the applicant reads at the window.
    page.check("input[name=mode][value=tolerance]")
    page.check("#material-A1")
    page.check("#material-B2")
    preview = page.get_by_test_id("letter-preview")
    expect(preview).to_contain_text("容缺受理承诺书")
    expect(preview).to_contain_text("经营场所平面布局图")
    expect(preview).not_to_contain_text("设备布局和工艺流程")  # the last choice is in: the text is final
    page.check("#id_accepted")
    page.get_by_test_id("submit-application").click()
    page.wait_for_url(re.compile(r".*/console/cases/\d+/$"))
    expect(page.get_by_test_id("status")).to_have_text("容缺待补正")
    expect(page.get_by_test_id("missing-materials")).to_contain_text("经营场所平面布局图")
    expect(page.get_by_test_id("supplement-due")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    case_url = page.url

    # The clerk prints the pledge for the applicant's signature.
    page.locator('[data-document="supplement_pledge"]').get_by_role("link", name="查看/打印").click()
    expect(page.locator(".document-text")).to_contain_text("经营场所平面布局图")
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("window.__printed") == 1
    page.goto(case_url)

    # The case waits in the clerk's queue, then the plan arrives and the case is approved at once.
    page.goto("/console/cases/queue/window/")
    page.get_by_test_id("case-table").get_by_role("link").first.click()
    page.wait_for_url(case_url)
    form = page.get_by_test_id("supplement-form")
    form.locator('input[name=materials][value="B1"]').check()
    form.locator('tr[data-material="B1"] input[type=file]').set_input_files(
        files=[{"name": "平面图.png", "mimeType": "image/png", "buffer": PNG}]
    )
    form.get_by_role("button", name="提交补正材料").click()
    page.wait_for_url(case_url)
    expect(page.get_by_test_id("status")).to_have_text("准予许可")
    expect(page.locator(".messages")).to_contain_text("即时办结")
    expect(page.locator('[data-document="approval_decision"]')).to_be_visible()
    expect(page.locator('tr[data-material="B1"]')).to_have_attribute("data-state", "supplied")
