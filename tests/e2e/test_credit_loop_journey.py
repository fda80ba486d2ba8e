"""The credit loop end to end (R3, R7, R9, R11): a false commitment is found and a listing proposed; the
applicant objects from "我的信用" with a file; the credit officer dismisses the objection; the sweep lists the
entry when the period is over; a repair asked before the minimum period is refused with the date it becomes
possible; later the applicant asks for repair with a signed credit commitment and the officer approves it;
the public list no longer shows the subject and its next credit check is no longer dishonest."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from xinyipi.accounts import roles
from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.applications.models import SubjectAgent
from xinyipi.core import clock
from xinyipi.core.testing import uscc_for
from xinyipi.credit.services import credit_check_run
from xinyipi.subjects.services import subject_register
from xinyipi.supervision.models import BlacklistEntry, CreditRepair
from xinyipi.supervision.services import blacklist_propose

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-xinyipi-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PNG = {"mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 16}


def sign_in(page, user, landing: str):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(landing)


def check(subject):
    return credit_check_run(actor=None, subject=subject, purpose="window_enquiry")


@pytest.fixture
def subject(local_sources_only):
    return subject_register(
        actor=None, kind="enterprise", code=uscc_for("91150783", "MA0E2E601"), name="扎兰屯市兴安岭食品有限公司"
    )


@pytest.fixture
def agent(subject):
    user = UserFactory(username="agent.sun", roles=[roles.APPLICANT], phone="13947000006")
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


def test_r3_r7_r9_r11_breach_objection_listing_and_repair(page, agent, subject, make_user):
    officer = make_user(roles.CREDIT_OFFICER, username="credit.qian")
    entry = blacklist_propose(
        subject=subject,
        reason="commitment_breached",
        reason_text="告知承诺经核查不实：经营场所面积与承诺不符",
        evidence="现场核查笔录",
        actor=None,
    )
    assert check(subject).level == "dishonest"  # R3: from the breach, before any listing

    # The applicant objects on a phone, with a photo of the lease.
    page.set_viewport_size(PHONE)
    sign_in(page, agent, "**/my/cases/")
    page.get_by_role("link", name="我的信用", exact=True).click()
    expect(page.get_by_text("经营场所面积与承诺不符")).to_be_visible()
    page.fill(f"#statement-{entry.pk}", "经营场所另有仓储面积，附租赁合同。")
    page.set_input_files(f"#files-{entry.pk}", files=[{"name": "租赁合同.png", **PNG}])
    page.get_by_role("button", name="提交异议").click()
    expect(page.get_by_text("异议已提交")).to_be_visible()

    # The credit officer dismisses it with a reason.
    page.set_viewport_size(DESKTOP)
    sign_in(page, officer, "**/console/**")
    page.goto(f"/console/blacklist/{entry.pk}/")
    expect(page.get_by_role("link", name="租赁合同.png")).to_be_visible()
    page.get_by_role("radio", name="异议不成立").check()
    page.fill("#id_reason", "租赁合同所载仓储不在许可经营场所内。")
    page.get_by_role("button", name="作出处理并告知当事人").click()
    expect(page.get_by_test_id("objection-status")).to_have_attribute("data-status", "dismissed")

    # The period over, the sweep lists the entry (R9).
    after = dt.datetime.combine(entry.objection_due + dt.timedelta(days=1), dt.time(9), tzinfo=clock.BEIJING)
    assert deadlines_sweep(now=after).listed == [entry.pk]
    entry.refresh_from_db()
    assert entry.status == "listed"

    # Too early for repair: the page says from which day, and a request made anyway is refused with it (R11).
    page.set_viewport_size(PHONE)
    sign_in(page, agent, "**/my/cases/")
    page.goto("/my/credit/")
    expect(page.get_by_text("最早可于")).to_be_visible()
    page.goto(f"/my/credit/{entry.pk}/repair/")
    earliest = page.get_by_test_id("earliest").inner_text()
    page.fill("#statement", "已按承诺条件整改经营场所。")
    page.check("input[name=accept]")
    page.get_by_role("button", name="提交信用修复申请").click()
    expect(page.get_by_test_id("repair-error")).to_contain_text(earliest)
    assert not CreditRepair.objects.exists()

    # Four months on, the minimum period of a general listing (three months) has passed.
    BlacklistEntry.objects.filter(pk=entry.pk).update(listed_at=clock.now() - dt.timedelta(days=125))
    page.goto("/my/credit/")
    page.get_by_test_id("repair-link").click()
    page.fill("#statement", "已按承诺条件整改经营场所，面积已达标，附验收照片。")
    page.set_input_files("#files", files=[{"name": "整改照片.png", **PNG}])
    page.check("input[name=accept]")
    page.get_by_role("button", name="提交信用修复申请").click()
    expect(page.locator(".msg-success")).to_contain_text("信用修复申请已提交")
    repair = CreditRepair.objects.get(entry=entry)

    # The officer approves it from the queue.
    page.set_viewport_size(DESKTOP)
    sign_in(page, officer, "**/console/**")
    page.goto("/console/credit-repairs/")
    page.get_by_role("link", name=repair.due.isoformat()).click()
    page.get_by_role("radio", name="准予修复（立即移出黑名单）").check()
    page.get_by_role("button", name="作出决定并告知当事人").click()
    expect(page.get_by_text("信用修复决定已作出")).to_be_visible()

    entry.refresh_from_db()
    assert entry.status == "repaired"
    page.goto("/blacklist/")
    expect(page.get_by_text(subject.name)).to_have_count(0)
    assert check(subject).level == "good"
