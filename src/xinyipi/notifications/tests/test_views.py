"""Console pages: failures for administrators (and resend), inboxes for everyone — role by role."""

import itertools
import re

import pytest
from django.db import transaction

from xinyipi.accounts import roles
from xinyipi.audit.models import AuditEntry
from xinyipi.notifications.models import InAppMessage, Notification
from xinyipi.notifications.services import notify

pytestmark = pytest.mark.django_db
S = Notification.Status


@pytest.fixture
def dead_sms(queue_message):
    row = queue_message(channel="sms", recipient="13912345678", kind="reminder", title="催告通知")
    Notification.objects.filter(pk=row.pk).update(
        status=S.DEAD, attempts=8, total_attempts=8, last_error="sms gateway: HTTP 503: down"
    )
    row.refresh_from_db()
    return row


@pytest.mark.parametrize("role", [roles.BUREAU_ADMIN, roles.CREDIT_OFFICER])
def test_administrators_see_failed_and_dead_messages_with_their_error(client, make_user, role, dead_sms, queue_message):
    queue_message(channel="sms", recipient="13912345679", title="尚未发送")
    client.force_login(make_user(role))
    page = client.get("/console/messages/").content.decode()
    assert "催告通知" in page
    assert "HTTP 503: down" in page
    assert "139****5678" in page
    assert "13912345678" not in page  # the full number is personal data: masked on screen
    assert "尚未发送" not in page  # pending rows are not failures
    assert "尚未发送" in client.get("/console/messages/?status=pending").content.decode()
    assert "催告通知" not in client.get("/console/messages/?channel=email").content.decode()


@pytest.mark.parametrize("role", [roles.APPLICANT, roles.WINDOW_CLERK, roles.REVIEWER, roles.AUDITOR])
def test_other_roles_cannot_see_the_failures_or_resend(client, make_user, department, role, dead_sms):
    client.force_login(make_user(role, department))
    assert client.get("/console/messages/").status_code == 403
    assert client.get(f"/console/messages/{dead_sms.pk}/").status_code == 403
    assert client.post(f"/console/messages/{dead_sms.pk}/resend/").status_code == 403
    dead_sms.refresh_from_db()
    assert dead_sms.status == S.DEAD


def test_anonymous_is_sent_to_login(client, dead_sms):
    response = client.get("/console/messages/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_resend_from_the_console_is_audited_and_keeps_the_message_id(client, bureau_admin, dead_sms):
    client.force_login(bureau_admin)
    response = client.post(f"/console/messages/{dead_sms.pk}/resend/")
    assert response.status_code == 302
    row = Notification.objects.get(pk=dead_sms.pk)
    assert (row.status, row.attempts, row.message_id) == (S.PENDING, 0, dead_sms.message_id)
    assert AuditEntry.objects.filter(action="notifications.notification.resend", actor=bureau_admin).count() == 1
    # A second click finds nothing to resend: refused with a message, no second audit entry.
    page = client.post(f"/console/messages/{dead_sms.pk}/resend/", follow=True).content.decode()
    assert "只有发送失败或已放弃的消息可以重发" in page
    assert AuditEntry.objects.filter(action="notifications.notification.resend").count() == 1


def test_resend_needs_post(client, bureau_admin, dead_sms):
    client.force_login(bureau_admin)
    assert client.get(f"/console/messages/{dead_sms.pk}/resend/").status_code == 405


def test_admin_lists_messages_and_resends_through_the_service(client, superuser, dead_sms):
    client.force_login(superuser)
    assert client.get("/admin/notifications/notification/").status_code == 200
    assert client.get(f"/admin/notifications/notification/{dead_sms.pk}/change/").status_code == 200
    response = client.post(
        "/admin/notifications/notification/", {"action": "resend", "_selected_action": [dead_sms.pk]}
    )
    assert response.status_code == 302
    assert Notification.objects.get(pk=dead_sms.pk).status == S.PENDING
    assert AuditEntry.objects.filter(action="notifications.notification.resend").count() == 1


def test_each_user_sees_only_their_own_inbox_and_marks_read(client, make_user, department):
    clerk = make_user(roles.WINDOW_CLERK, department)
    other = make_user(roles.WINDOW_CLERK, department)
    with transaction.atomic():
        notify(channel="in_app", recipient=clerk, kind="general", title="给窗口的消息", body="请注意。")
        notify(channel="in_app", recipient=other, kind="general", title="别人的消息", body="不应看到。")
    client.force_login(clerk)
    page = client.get("/console/messages/inbox/").content.decode()
    assert "给窗口的消息" in page
    assert "别人的消息" not in page
    mine = InAppMessage.objects.get(user=clerk)
    theirs = InAppMessage.objects.get(user=other)
    assert client.post(f"/console/messages/inbox/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/console/messages/inbox/{mine.pk}/read/").status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None
    assert "给窗口的消息" not in client.get("/console/messages/inbox/?unread=1").content.decode()


def test_navigation_shows_the_failures_page_only_to_those_who_may_see_it(client, make_user, department):
    clerk = make_user(roles.WINDOW_CLERK, department)
    officer = make_user(roles.CREDIT_OFFICER)
    client.force_login(clerk)
    page = client.get("/console/").content.decode()
    assert "站内消息" in page
    assert "消息投递" not in page
    client.force_login(officer)
    assert "消息投递" in client.get("/console/").content.decode()


def test_marking_read_returns_to_the_page_it_came_from_but_never_off_site(client, make_user):
    user = make_user(roles.APPLICANT)
    with transaction.atomic():
        notify(channel="in_app", recipient=user, kind="general", title="一", body="…")
        notify(channel="in_app", recipient=user, kind="general", title="二", body="…")
    first, second = InAppMessage.objects.filter(user=user).order_by("id")
    client.force_login(user)
    response = client.post(f"/console/messages/inbox/{first.pk}/read/", {"next": "/console/messages/inbox/?unread=1"})
    assert response["Location"] == "/console/messages/inbox/?unread=1"
    response = client.post(f"/console/messages/inbox/{second.pk}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/console/messages/inbox/"


@pytest.mark.parametrize(
    ("role", "url"), [(roles.WINDOW_CLERK, "/console/messages/inbox/"), (roles.APPLICANT, "/my/messages/")]
)
def test_an_inbox_names_each_message_one_heading_level_below_the_page(client, make_user, department, role, url):
    """A screen reader lists a page by its headings: each message's title sits under the page's h1, no level skipped."""
    user = make_user(role, department if role != roles.APPLICANT else None)
    with transaction.atomic():
        notify(channel="in_app", recipient=user, kind="general", title="受理通知", body="已受理。")
    client.force_login(user)
    page = client.get(url).content.decode()
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", page)]
    assert "受理通知" in page and levels[:2] == [1, 2]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
