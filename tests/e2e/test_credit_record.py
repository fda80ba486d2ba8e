"""The credit record in the browser (R8): a credit officer reads a subject's timeline on its console page and
downloads a period's events; the applicant reads 我的信用记录 for its own subject; an applicant with no link to
that subject gets nothing for it, in the portal or through the API. The console pages fit 390 px."""

import datetime as dt
import json

import pytest
from playwright.sync_api import expect

from xinyipi.accounts import roles
from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.applications.models import SubjectAgent
from xinyipi.core import clock
from xinyipi.core.testing import uscc_for
from xinyipi.credit.services import credit_check_run
from xinyipi.records.models import CreditRecordEvent
from xinyipi.subjects.services import subject_register
from xinyipi.supervision.services import blacklist_propose

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-xinyipi-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def sign_in(page, user, landing: str):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(landing)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def subject(local_sources_only):
    subject = subject_register(
        actor=None, kind="enterprise", code=uscc_for("91150783", "MA0E2E801"), name="扎兰屯市信达粮油有限公司"
    )
    credit_check_run(subject=subject, purpose="window_enquiry", actor=None)
    blacklist_propose(subject=subject, reason="other", reason_text="提供虚假检验报告", evidence="核查笔录", actor=None)
    return subject


def applicant(username: str, subject=None):
    user = UserFactory(username=username, roles=[roles.APPLICANT])
    if subject is not None:
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


def test_credit_officer_reads_the_timeline_and_downloads_the_period(page, subject, make_user, tmp_path):
    officer = make_user(roles.CREDIT_OFFICER, username="credit.sun")
    page.set_viewport_size(DESKTOP)
    sign_in(page, officer, "**/console/**")
    page.goto(f"/console/subjects/{subject.pk}/")
    timeline = page.get_by_test_id("credit-record")
    expect(timeline.locator("li")).to_have_count(2)
    expect(timeline.locator("li[data-type=blacklist_proposed]")).to_contain_text("提供虚假检验报告")
    expect(timeline.locator("li[data-type=credit_check]")).to_be_visible()
    page.set_viewport_size(PHONE)
    expect(timeline).to_be_visible()
    assert fits(page)
    page.screenshot(path="/tmp/credit-record-subject-390.png", full_page=True)

    page.locator(".sidenav").get_by_role("link", name="导出信用记录").click()
    expect(page.get_by_test_id("records-export")).to_be_visible()
    assert fits(page)
    page.screenshot(path="/tmp/credit-record-export-390.png", full_page=True)
    today = clock.today()
    page.fill("#id_start", (today - dt.timedelta(days=400)).isoformat())
    page.fill("#id_end", today.isoformat())
    page.get_by_role("button", name="下载").click()
    expect(page.get_by_test_id("export-errors")).to_contain_text("截止日期")  # longer than a year: refused
    assert fits(page)
    page.fill("#id_start", today.isoformat())
    page.select_option("#id_format", "jsonl")
    with page.expect_download() as caught:
        page.get_by_role("button", name="下载").click()
    saved = tmp_path / caught.value.suggested_filename
    caught.value.save_as(saved)
    lines = [json.loads(line) for line in saved.read_text("utf-8").splitlines()]
    assert [(e["id"], e["type"]) for e in lines] == list(
        CreditRecordEvent.objects.filter(subject=subject).order_by("id").values_list("id", "type")
    )


def test_the_applicant_reads_its_own_record_and_a_stranger_nothing(page, subject, live_server):
    owner = applicant("owner.zhou", subject)
    page.set_viewport_size(PHONE)
    sign_in(page, owner, "**/my/cases/")
    page.get_by_role("link", name="我的信用记录", exact=True).click()
    record = page.get_by_test_id("my-record")
    expect(page.get_by_role("heading", name=subject.name)).to_be_visible()
    expect(record.locator("li[data-type=blacklist_proposed]")).to_contain_text("提供虚假检验报告")
    assert fits(page)

    stranger = applicant("stranger.wu")
    sign_in(page, stranger, "**/my/cases/")
    page.goto(f"/my/record/?subject={subject.pk}")
    expect(page.get_by_role("heading", name="我的信用记录")).to_be_visible()
    expect(page.get_by_test_id("my-record")).to_have_count(0)
    expect(page.get_by_text(subject.name)).to_have_count(0)

    api = page.context.request
    token = api.post("/api/v1/auth/token", data={"username": stranger.username, "password": PASSWORD}).json()["token"]
    answer = api.get(
        f"/api/v1/subjects/{subject.code_display}/credit-record", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 404 and answer.json()["code"] == "subject_not_found"
    assert subject.name not in answer.text()
