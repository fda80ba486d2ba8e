"""补正 end to end (行政许可法 Art. 32): the reviewer reads the case's facts first, then issues the one correction
notice from the actions below them; the printed notice carries its 文号; the applicant answers on a phone with
the corrected file; the case is back under review. Both pages fit 390 and 1366 px without sideways scrolling."""

import re

import pytest
from playwright.sync_api import expect

from xinyipi.applications.models import Application
from xinyipi.core.testing import uscc_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PNG = {"mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 16}
FITS = """() => {
  const header = document.querySelector("header.topbar");
  if (header) header.style.display = "none";
  return document.documentElement.scrollWidth <= window.innerWidth;
}"""


@pytest.fixture
def case(window_case):
    return window_case(
        "公共场所卫生许可（新办）",
        {"A1": "卫生许可申请书", "A2": "营业执照复印件"},
        uscc_for("91150783", "MA0E2E801"),
        "扎兰屯市秀水宾馆有限公司",
    )


@pytest.fixture
def agent(case, legal_representative):
    return legal_representative(case.subject, "agent.zhou", "13947000008")


def test_correction_notice_issued_by_the_reviewer_and_answered_online(page, case, agent, reviewer, sign_in, fits):
    page.set_viewport_size(DESKTOP)
    sign_in(reviewer, "**/console/**")
    page.goto(f"/console/cases/{case.pk}/")
    facts = page.get_by_test_id("case-status").bounding_box()
    history = page.get_by_test_id("history").bounding_box()
    actions = page.get_by_test_id("case-actions").bounding_box()
    assert facts["y"] < history["y"] < actions["y"]  # the facts first, the actions after them
    expect(page.get_by_test_id("reject-form").locator("button.danger")).to_be_visible()
    assert fits()
    page.set_viewport_size(PHONE)
    assert fits()
    page.set_viewport_size(DESKTOP)

    page.check("#correct-A2")
    page.get_by_label("补正要求：营业执照复印件").fill("复印件未加盖公章，请提交加盖公章的复印件")
    page.get_by_role("button", name="出具补正材料通知书").click()
    expect(page.get_by_test_id("status")).to_have_text("待补正")
    expect(page.get_by_test_id("correction")).to_contain_text("加盖公章")
    row = page.locator('[data-document="correction_notice"]')
    expect(row).to_contain_text(re.compile(r"扎.+许〔\d{4}〕\d+号"))
    row.get_by_role("link", name="查看/打印").click()
    expect(page.locator("body")).to_contain_text("补正材料通知书")
    expect(page.locator("body")).to_contain_text(case.matter.code)

    # The applicant answers on a phone, with the corrected file.
    page.set_viewport_size(PHONE)
    sign_in(agent, "**/my/cases/")
    page.goto(f"/my/cases/{case.pk}/")
    form = page.get_by_test_id("correction-answer-form")
    expect(form).to_contain_text("营业执照复印件")
    assert fits()
    form.locator("input[type=file]").set_input_files(files=[{"name": "营业执照.png", **PNG}])
    page.fill("#id_correction_note", "已加盖公章")
    page.get_by_role("button", name="提交补正").click()
    expect(page.get_by_test_id("status")).to_have_text("审查中")
    expect(page.get_by_test_id("correction")).to_have_attribute("data-outcome", "answered")
    assert Application.objects.get(pk=case.pk).status == "under_review"
