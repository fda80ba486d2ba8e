"""The administrators' second factor in front of the console, the admin and the session API."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from xinyipi.accounts.selectors import otp_device_confirmed, staff_otp_required

GUARDED_PREFIXES = ("/console/", "/admin/", "/api/")


class StaffSecondFactorMiddleware:
    """An administrator signed in with the password alone is sent to the second-factor step (or to enrol a
    device) before any console or admin page; the API answers 401 ``otp_required`` to such a session.

    Runs after ``django_otp.middleware.OTPMiddleware``, which tells whether the session passed the step.
    A bearer token is issued to an administrator only with a valid code (``api_token_issue``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.STAFF_OTP_REQUIRED and self._needs_second_factor(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "otp_required", "message": _("管理员须先完成动态口令验证。")}, status=401)
            name = "accounts:otp_verify" if otp_device_confirmed(request.user) else "accounts:otp_enrol"
            return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _needs_second_factor(request) -> bool:
        path = request.path
        if not path.startswith(GUARDED_PREFIXES):
            return False
        # The token call checks the code itself. Any other API call carrying this session is refused even
        # with an Authorization header: the API falls back to the session when the bearer token is bad.
        if path in (reverse("api-v1:token"), reverse("admin:logout")):
            return False
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return False
        return staff_otp_required(user)
