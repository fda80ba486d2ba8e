"""What a locked-out login sees: JSON for the API (the §6.1 error shape), a page for people."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, *args, **kwargs):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "login_locked", "message": _("登录失败次数过多，请稍后再试。")}, status=429)
    return render(request, "accounts/locked_out.html", status=429)
