"""A credit officer finds a dead-lettered SMS on the delivery page and resends it; a clerk reads an in-app message."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from xinyipi.accounts import roles
from xinyipi.notifications.models import Notification
from xinyipi.notifications.services import notify

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_credit_officer_resends_a_dead_message(page, login, make_user):
    with transaction.atomic():
        row = notify(channel="sms", recipient="13912345678", kind="reminder", title="催告通知", body="请补齐材料。")
    Notification.objects.filter(pk=row.pk).update(status="dead", attempts=8, last_error="sms gateway: HTTP 503")
    login(make_user(roles.CREDIT_OFFICER))
    page.locator(".sidenav").get_by_role("link", name="消息投递").click()
    expect(page.get_by_text("sms gateway: HTTP 503")).to_be_visible()
    expect(page.get_by_text("139****5678")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="重发").click()
    expect(page.get_by_text("消息已重新排入发送队列")).to_be_visible()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0)


def test_declining_the_confirmation_resends_nothing(page, login, make_user):
    with transaction.atomic():
        row = notify(channel="sms", recipient="13912345678", kind="reminder", title="催告通知", body="请补齐材料。")
    Notification.objects.filter(pk=row.pk).update(status="dead")
    login(make_user(roles.BUREAU_ADMIN))
    page.goto("/console/messages/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="重发").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/console/messages/")
    row.refresh_from_db()
    assert row.status == "dead"


def test_clerk_reads_an_in_app_message(page, login, make_user, department):
    clerk = make_user(roles.WINDOW_CLERK, department)
    with transaction.atomic():
        notify(channel="in_app", recipient=clerk, kind="general", title="系统维护通知", body="今晚 22:00 起维护。")
    login(clerk)
    page.locator(".sidenav").get_by_role("link", name="站内消息").click()
    expect(page.get_by_text("系统维护通知").first).to_be_visible()
    page.get_by_role("button", name="标为已读").click()
    expect(page.get_by_text("0 条未读消息")).to_be_visible()
