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


def department_save(*, actor, department, fields: list[str] | None = None):
    """Create or change a department (the bureau's admin), audited."""
    from xinyipi.accounts.models import Department
    from xinyipi.audit.services import snapshot

    with transaction.atomic():
        before = snapshot(Department.objects.get(pk=department.pk)) if department.pk else None
        department.full_clean()
        department.save()
        audit_record(
            actor=actor, action="accounts.department.save", obj=department, before=before, after=snapshot(department)
        )
    return department


_USER_AUDIT_FIELDS = ["username", "display_name", "department", "phone", "is_active", "is_staff", "is_superuser"]


def user_snapshot(user) -> dict:
    from xinyipi.audit.services import snapshot

    return snapshot(user, _USER_AUDIT_FIELDS) | {"groups": sorted(user.groups.values_list("name", flat=True))}


def user_save(*, actor, user, groups=None, before: dict | None = None):
    """Create or change a user account, audited (the password hash is never written to the trail).

    ``before`` is the state read before an earlier save in the same transaction (the admin saves the
    user, then its groups); by default it is read here.
    """
    with transaction.atomic():
        if before is None and user.pk:
            before = user_snapshot(User.objects.get(pk=user.pk))
        user.save()
        if groups is not None:
            user.groups.set(groups)
        audit_record(actor=actor, action="accounts.user.save", obj=user, before=before, after=user_snapshot(user))
    return user
