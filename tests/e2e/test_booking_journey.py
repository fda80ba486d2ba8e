"""An applicant books an on-site visit (上门服务, R10) for the enterprise they act for: the page shows the
subject holds the entitlement, a missing address is refused next to the field, the booking is made; a window
clerk confirms it from the console queue, and the applicant sees it confirmed."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from xinyipi.accounts import roles
from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.applications.models import SubjectAgent
from xinyipi.core import clock
from xinyipi.core.testing import uscc_for
from xinyipi.subjects.services import subject_register
from xinyipi.workdays.calendar import is_working_day

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-xinyipi-2026"


@pytest.fixture
def applicant(local_sources_only):
    subject = subject_register(
        actor=None, kind="enterprise", code=uscc_for("91150783", "MA0E2E301"), name="扎兰屯市雅鲁河农机有限公司"
    )
    user = UserFactory(username="agent.zhou", roles=[roles.APPLICANT], phone="13947000003")
    SubjectAgent.objects.create(
        user=user,
        subject=subject,
        relation=SubjectAgent.Relation.AGENT,
        authorisation="授权委托书 2026-021 号",
        created_at=clock.now(),
        created_by_label="test",
        status=SubjectAgent.Status.VERIFIED,
        verified_at=clock.now(),
    )
    return user


def sign_in(page, user, landing: str):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(landing)


def a_working_day() -> dt.date:
    day = clock.today() + dt.timedelta(days=3)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def test_applicant_books_onsite_service_and_clerk_confirms(page, applicant, clerk):
    day = a_working_day()
    sign_in(page, applicant, "**/my/cases/")
    page.get_by_role("link", name="预约上门服务/帮办代办").click()
    page.wait_for_url("**/my/bookings/")
    expect(page.get_by_test_id("credit-level")).to_have_text("信用良好")
    offers = page.get_by_test_id("booking-offers")
    expect(offers.locator('[data-kind="onsite_service"]')).to_have_attribute("data-allowed", "true")

    # On-site without an address: refused next to the field, nothing booked.
    page.check("input[name=kind][value=onsite_service]")
    page.fill("#id_date", day.isoformat())
    page.check("input[name=slot][value=afternoon]")
    expect(page.locator("#id_phone")).to_have_value("13947000003")
    page.get_by_test_id("submit-booking").click()
    expect(page.locator('.field-error[data-field="address"]')).to_contain_text("上门服务须填写服务地址")
    expect(page.get_by_test_id("booking-table")).to_contain_text("暂无预约")

    page.fill("#id_address", "扎兰屯市高台子街道农机产业园 3 号")
    page.fill("#id_note", "办理农机经营备案，需现场核验设备")
    page.get_by_test_id("submit-booking").click()
    expect(page.locator(".messages")).to_contain_text("预约已提交")
    row = page.get_by_test_id("booking-table").locator("tbody tr").first
    expect(row).to_have_attribute("data-status", "requested")
    expect(row).to_contain_text(f"{day.isoformat()} 下午")
    page.get_by_role("button", name="退出").click()

    # The clerk confirms it from the queue.
    sign_in(page, clerk, "**/console/")
    page.get_by_role("link", name="预约服务").first.click()
    page.wait_for_url("**/console/bookings/")
    queued = page.get_by_test_id("booking-queue").locator("tbody tr").first
    expect(queued).to_contain_text("扎兰屯市雅鲁河农机有限公司")
    expect(queued).to_contain_text("农机产业园 3 号")
    queued.get_by_test_id("confirm").click()
    expect(page.locator(".messages")).to_contain_text("预约已确认")
    page.get_by_role("link", name="已确认").click()
    expect(page.get_by_test_id("booking-queue").locator("tbody tr").first).to_have_attribute("data-status", "confirmed")
    page.get_by_role("button", name="退出").click()

    # The applicant sees it confirmed, and was told.
    sign_in(page, applicant, "**/my/cases/")
    page.goto("/my/bookings/")
    expect(page.get_by_test_id("booking-table").locator("tbody tr").first).to_have_attribute("data-status", "confirmed")
    page.goto("/my/messages/")
    expect(page.locator("main")).to_contain_text("上门服务预约已确认")
