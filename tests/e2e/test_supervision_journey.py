"""The city list in the browser (R9, R11): an applicant objects to a proposed listing from "我的信用" on a
phone; a credit officer finds the pending objection in the console, answers it, and approves a repair
request from the queue. Every page is checked at 1366 px and at 390 px (no sideways scrolling)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from xinyipi.accounts import roles
from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.applications.models import SubjectAgent
from xinyipi.core import clock
from xinyipi.core.testing import uscc_for
from xinyipi.subjects.services import subject_register
from xinyipi.supervision.models import BlacklistEntry, CreditRepair, Objection
from xinyipi.supervision.services import blacklist_entry_list, blacklist_propose
from xinyipi.supervision.services.repairs import credit_repair_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-xinyipi-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def sign_in(page, user, landing: str):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(landing)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def subject(local_sources_only):
    return subject_register(
        actor=None, kind="enterprise", code=uscc_for("91150783", "MA0E2E501"), name="扎兰屯市诚达运输有限公司"
    )


@pytest.fixture
def agent(subject):
    user = UserFactory(username="agent.li", roles=[roles.APPLICANT], phone="13947000005")
    SubjectAgent.objects.create(
        user=user,
        subject=subject,
        relation=SubjectAgent.Relation.LEGAL_REPRESENTATIVE,
        created_at=clock.now(),
        created_by_label="test",
        status=SubjectAgent.Status.VERIFIED,
        verified_at=clock.now(),
    )
    return user


def test_applicant_objects_and_credit_officer_dismisses(page, agent, subject, make_user):
    entry = blacklist_propose(
        subject=subject, reason="other", reason_text="提供虚假材料", evidence="核查笔录", actor=None
    )
    page.set_viewport_size(PHONE)
    sign_in(page, agent, "**/my/cases/")
    page.get_by_role("link", name="我的信用", exact=True).click()
    expect(page.get_by_text("提供虚假材料")).to_be_visible()
    assert fits(page)
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator(".field-error[data-field=statement]")).to_be_visible()
    page.fill(f"#statement-{entry.pk}", "所提交材料真实，附原件照片。")
    page.set_input_files(
        f"#files-{entry.pk}",
        files=[{"name": "原件.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 16}],
    )
    page.get_by_role("button", name="提交异议").click()
    expect(page.get_by_text("异议已提交")).to_be_visible()
    assert Objection.objects.get(entry=entry).files.count() == 1

    officer = make_user(roles.CREDIT_OFFICER, username="credit.wang")
    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    sign_in(page, officer, "**/console/**")
    page.locator(".sidenav").get_by_role("link", name="黑名单管理").click()
    page.locator("select[name=pending]").select_option("1")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("pending-objection")).to_have_count(1)
    page.screenshot(path="/tmp/supervision-list-1366.png", full_page=True)
    page.get_by_role("link", name=f"#{entry.pk}").click()
    expect(page.get_by_text("所提交材料真实，附原件照片。")).to_be_visible()
    expect(page.get_by_role("link", name="原件.png")).to_be_visible()
    page.set_viewport_size(PHONE)
    assert fits(page)
    page.screenshot(path="/tmp/supervision-entry-390.png", full_page=True)
    page.get_by_role("radio", name="异议不成立").check()
    page.get_by_role("button", name="作出处理并告知当事人").click()
    expect(page.locator(".field-error[data-field=reason]")).to_be_visible()
    page.get_by_role("radio", name="异议不成立").check()
    page.fill("#id_reason", "材料与原件不符，经现场核对确认。")
    page.get_by_role("button", name="作出处理并告知当事人").click()
    expect(page.get_by_text("异议已处理")).to_be_visible()
    expect(page.get_by_test_id("objection-status")).to_have_attribute("data-status", "dismissed")
    assert BlacklistEntry.objects.get(pk=entry.pk).status == "proposed"


def test_credit_officer_approves_a_repair_on_a_phone(page, subject, make_user):
    entry = blacklist_propose(subject=subject, reason="pledge_breached", case=None, evidence="", actor=None)
    listed_at = dt.datetime.combine(entry.objection_due + dt.timedelta(days=1), dt.time(1), tzinfo=clock.BEIJING)
    with clock.acting_at(listed_at):
        blacklist_entry_list(entry_id=entry.pk)
    BlacklistEntry.objects.filter(pk=entry.pk).update(listed_at=clock.now() - dt.timedelta(days=120))
    repair = credit_repair_request(subject=subject, actor=None, statement="已补齐全部材料", at_window=True)
    officer = make_user(roles.CREDIT_OFFICER, username="credit.zhao")
    page.set_viewport_size(PHONE)
    sign_in(page, officer, "**/console/**")
    page.goto("/console/credit-repairs/")
    expect(page.get_by_text(subject.name)).to_be_visible()
    assert fits(page)
    page.get_by_role("link", name=repair.due.isoformat()).click()
    expect(page.get_by_test_id("commitment")).to_contain_text("郑重承诺")
    assert fits(page)
    page.screenshot(path="/tmp/supervision-repair-390.png", full_page=True)
    page.get_by_role("radio", name="准予修复（立即移出黑名单）").check()
    page.get_by_role("button", name="作出决定并告知当事人").click()
    expect(page.get_by_text("信用修复决定已作出")).to_be_visible()
    assert CreditRepair.objects.get(pk=repair.pk).status == "approved"
    assert BlacklistEntry.objects.get(pk=entry.pk).status == "repaired"
    page.set_viewport_size(DESKTOP)
    page.goto("/credit-repair/")
    expect(page.get_by_test_id("free-of-charge")).to_be_visible()
    page.goto("/blacklist/")
    expect(page.get_by_text(subject.name)).to_have_count(0)
