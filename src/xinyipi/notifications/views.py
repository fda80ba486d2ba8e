"""Console pages: the delivery failures administrators watch (and resend), and each user's inbox.

The failures page also shows, beside the messages, how the sharing of the credit record with the credit
platform keeps up (``records.sharing_selectors``): the same people watch both outboxes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyipi.core.errors import DomainError, NotFound
from xinyipi.core.paging import query_number
from xinyipi.notifications.models import Notification
from xinyipi.notifications.selectors import (
    PROBLEM_STATUSES,
    in_app_message_links,
    in_app_messages_for,
    in_app_unread_count,
    notification_by_id,
    notification_list,
    notification_status_counts,
)
from xinyipi.notifications.services import in_app_message_mark_read, notification_resend
from xinyipi.records.sharing import record_share_retry_dead
from xinyipi.records.sharing_selectors import share_batch_problems, sharing_lag


def _row(request, notification_id: int, perm: str) -> Notification:
    try:
        return notification_by_id(actor=request.user, notification_id=notification_id, perm=perm)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _cursor(request) -> int | None:
    return query_number(request.GET.get("before", ""))


@login_required
@permission_required("notifications.view_notification", raise_exception=True)
def failures(request):
    status = request.GET.get("status", "")
    statuses = [status] if status in Notification.Status.values else PROBLEM_STATUSES
    channel = request.GET.get("channel", "")
    channel = channel if channel in Notification.Channel.values else ""
    rows, next_before = notification_list(
        actor=request.user, statuses=statuses, channel=channel, before=_cursor(request)
    )
    counts = notification_status_counts(actor=request.user)
    return render(
        request,
        "notifications/failures.html",
        {
            "rows": rows,
            "next_before": next_before,
            "status": status if status in Notification.Status.values else "",
            "channel": channel,
            "statuses": Notification.Status.choices,
            "channels": Notification.Channel.choices,
            "status_cards": [
                (code, label, counts.get(code, 0))
                for code, label in Notification.Status.choices
                if code != Notification.Status.SENT
            ],
            "sharing": sharing_lag(),
            "share_batches": share_batch_problems(actor=request.user, limit=10),
        },
    )


@login_required
@permission_required("notifications.view_notification", raise_exception=True)
def detail(request, notification_id: int):
    row = _row(request, notification_id, "notifications.view_notification")
    return render(request, "notifications/detail.html", {"row": row})


@login_required
@permission_required("notifications.resend_notification", raise_exception=True)
@require_POST
def resend(request, notification_id: int):
    row = _row(request, notification_id, "notifications.resend_notification")
    try:
        notification_resend(actor=request.user, notification=row)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("消息已重新排入发送队列（消息编号不变，接收方不会重复收到）。"))
    return redirect("notifications:detail", notification_id=row.pk)


@login_required
@permission_required("notifications.resend_notification", raise_exception=True)
@require_POST
def share_retry(request):
    """Send the credit-record batches set aside after their last attempt again (``share_records --retry-dead``)."""
    n = record_share_retry_dead(actor=request.user)
    if n:
        messages.success(
            request, _("已把 %(n)s 个搁置的批次重新排入共享队列（事件编号不变，信用平台不会重复计入）。") % {"n": n}
        )
    else:
        messages.info(request, _("没有已搁置的批次。"))
    return redirect(f"{reverse('notifications:failures')}#sharing")


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    rows, next_before = in_app_messages_for(user=request.user, unread_only=unread_only, before=_cursor(request))
    return render(
        request,
        "notifications/inbox.html",
        {
            "rows": in_app_message_links(rows, portal=False),
            "next_before": next_before,
            "unread_only": unread_only,
            "unread": in_app_unread_count(user=request.user),
        },
    )


@login_required
@require_POST
def read(request, message_id: int):
    try:
        in_app_message_mark_read(user=request.user, message_id=message_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    # Back to the page the inbox was shown on (the console's, or the portal's that reuses the partial).
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("notifications:inbox")
