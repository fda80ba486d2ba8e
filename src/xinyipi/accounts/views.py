"""The administrators' second-factor step: enrol a TOTP device, then give its code after each password login."""

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from xinyipi.accounts.forms import OTPTokenForm
from xinyipi.accounts.selectors import otp_device_confirmed, staff_otp_required
from xinyipi.accounts.services import otp_enrol_confirm, otp_enrolment_device, otp_verify
from xinyipi.core.errors import DomainError


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@login_required
def otp_verify_view(request):
    next_url = _next_url(request)
    if not staff_otp_required(request.user) or request.user.is_verified():
        return redirect(next_url)
    if otp_device_confirmed(request.user) is None:
        return redirect(_with_next("accounts:otp_enrol", next_url))
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp_verify(user=request.user, token=form.cleaned_data["otp"], step="login")
        except DomainError as exc:
            form.add_error("otp", exc.message)
        else:
            django_otp.login(request, device)
            return redirect(next_url)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


@login_required
def otp_enrol_view(request):
    next_url = _next_url(request)
    if not staff_otp_required(request.user) or request.user.is_verified():
        return redirect(next_url)
    if otp_device_confirmed(request.user) is not None:
        return redirect(_with_next("accounts:otp_verify", next_url))
    device = otp_enrolment_device(user=request.user)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp_enrol_confirm(user=request.user, token=form.cleaned_data["otp"])
        except DomainError as exc:
            form.add_error("otp", exc.message)
        else:
            django_otp.login(request, device)
            return redirect(next_url)
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": next_url,
        # segno writes only path data and presentation attributes: no script, no inline style (CSP).
        "qr_svg": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#1f2d3d")),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "accounts/otp_enrol.html", context)
