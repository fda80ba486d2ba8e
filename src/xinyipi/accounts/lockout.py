"""Login throttling: the two locks, and what a locked-out login sees.

Axes locks one user name at one address (``AXES_LOCKOUT_PARAMETERS``). Password spraying tries a few
passwords on many user names from one address and never reaches that limit, so the handler below also
locks the address once its failures, across every user name, reach ``LOGIN_ADDRESS_FAILURE_LIMIT``.
Axes applies one ``AXES_FAILURE_LIMIT`` to every lockout parameter; adding ``"ip_address"`` there would
lock a hall of clerks behind one address after five typos in total, and a successful login would wipe the
address's count (``AXES_RESET_ON_SUCCESS`` resets every parameter's rows). Counting the address here keeps
its own, higher limit, and a sprayer's own successful login resets only its own user name's rows.
"""

import math

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

ADDRESS = "address"
ACCOUNT = "account"


class AddressThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a lock of the client address across user names."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures >= limit:
            request.xinyipi_lockout = ACCOUNT
            return failures
        address_limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if address_limit and address_failures(request) >= address_limit:
            request.xinyipi_lockout = ADDRESS
            return limit
        return failures


def address_failures(request) -> int:
    """Failed logins from the request's address within the cool-off period, whatever the user name."""
    ip_address = getattr(request, "axes_ip_address", None)
    if not ip_address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=ip_address)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def lockout_minutes(request) -> int:
    """Minutes to wait: the cool-off counts from the last failed attempt, which is the one just refused."""
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_message(request) -> str:
    minutes = lockout_minutes(request)
    if getattr(request, "xinyipi_lockout", ACCOUNT) == ADDRESS:
        reason = _("您所在的网络地址登录失败次数过多（涉及多个账号），该地址的登录已暂时锁定。")
    else:
        reason = _("该账号从您所在的网络地址登录失败次数过多，登录已暂时锁定。")
    if not minutes:
        return reason + _("请联系系统管理员解锁。")
    return reason + _("请在 %(minutes)d 分钟后再试；锁定期间再次尝试会重新计时。") % {"minutes": minutes}


def lockout_response(request, *args, **kwargs):
    """What a locked-out login sees: JSON for the API (the §6.1 error shape), a page for people."""
    message = lockout_message(request)
    minutes = lockout_minutes(request)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": "login_locked", "message": message, "retry_after_minutes": minutes}, status=429
        )
    else:
        response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response
