"""好差评 end to end: the applicant rates a service badly with a comment on the case page (a phone); the
department's reviewer finds the 差评 in the follow-up queue, calls back, fixes and reports back; the applicant
sees the answer on the case page. Every page fits 390 and 1366 px without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from xinyipi.core.testing import uscc_for
from xinyipi.notifications.models import Notification
from xinyipi.ratings.models import FollowUp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
FITS = """() => {
  const header = document.querySelector("header.topbar");
  if (header) header.style.display = "none";
  return document.documentElement.scrollWidth <= window.innerWidth;
}"""


@pytest.fixture
def case(window_case):
    return window_case(
        "食品经营许可（新办）",
        {"A1": "食品经营许可申请书", "A2": "营业执照复印件"},
        uscc_for("91150783", "MA0E2E901"),
        "扎兰屯市河畔餐饮有限公司",
    )


@pytest.fixture
def agent(case, legal_representative):
    return legal_representative(case.subject, "agent.he", "13947000009")


def test_bad_rating_is_followed_up_and_the_applicant_sees_the_answer(page, case, agent, reviewer, sign_in, fits):
    page.set_viewport_size(PHONE)
    sign_in(agent, "**/my/**")
    page.goto(f"/my/cases/{case.pk}/")
    form = page.get_by_test_id("rating-form")
    expect(form).to_be_visible()
    assert fits()
    form.get_by_label("不满意", exact=True).check()
    form.locator("textarea[name=comment]").fill("窗口让我来回跑了两趟")
    form.locator("button[type=submit]").click()
    expect(page.get_by_text("感谢您的评价")).to_be_visible()
    rating = page.get_by_test_id("rating")
    expect(rating).to_contain_text("不满意")
    expect(rating).to_contain_text("窗口让我来回跑了两趟")
    expect(page.get_by_test_id("rating-form")).to_have_count(0)
    assert fits()

    page.set_viewport_size(DESKTOP)
    sign_in(reviewer, "**/console/**")
    page.get_by_role("link", name="差评整改").first.click()
    queue = page.get_by_test_id("follow-up-queue")
    page.get_by_test_id("follow-up-tabs").locator("[data-state=open]").click()
    expect(queue).to_contain_text(case.number)
    assert fits()
    queue.get_by_role("link", name="办理").click()
    answer = page.get_by_test_id("follow-up-form")
    answer.locator("textarea[name=call_back]").fill("已电话回访申请人，情况属实")
    answer.locator("textarea[name=rectification]").fill("一次性告知材料清单已张贴到窗口")
    answer.locator("textarea[name=answer]").fill("已整改：材料清单一次告知，不再让您多跑")
    answer.locator("button[type=submit]").click()
    expect(page.get_by_test_id("follow-up-outcome")).to_contain_text("不再让您多跑")
    assert fits()
    page.set_viewport_size(PHONE)
    assert fits()
    assert FollowUp.objects.get().status == "answered"

    sign_in(agent, "**/my/**")
    page.goto(f"/my/cases/{case.pk}/")
    expect(page.get_by_test_id("follow-up-answer")).to_have_text("已整改：材料清单一次告知，不再让您多跑")
    assert fits()
    assert Notification.objects.filter(kind="rating_follow_up", user=agent).exists()
