"""Writes for accounts: API tokens and staff."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinyipi.accounts.models import ApiToken, User
from xinyipi.audit.services import audit_record
from xinyipi.core import clock
from xinyipi.core.crypto import sm3_hex
from xinyipi.core.errors import NotAuthenticated, TooManyAttempts


def api_token_issue(*, request, username: str, password: str) -> str:
    """Check the credentials (throttled by django-axes) and return a new bearer token."""
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise TooManyAttempts("login_locked", _("登录失败次数过多，请稍后再试。"))
    if user is None or not user.is_active:
        raise NotAuthenticated("invalid_credentials", _("用户名或密码不正确。"))
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            key_hash=sm3_hex(raw),
            created_at=now,
            expires_at=now + dt.timedelta(hours=settings.API_TOKEN_HOURS),
        )
        audit_record(actor=user, action="api_token.issue", obj=token, after={"expires_at": token.expires_at})
    return raw


def api_token_user(raw: str) -> User | None:
    """The active user behind a bearer token that has not expired nor been revoked."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=sm3_hex(raw), revoked=False, expires_at__gt=clock.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user
