"""Writes for accounts: API tokens, staff accounts and the administrators' second factor."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from xinyipi.accounts import roles
from xinyipi.accounts.models import ApiToken, User
from xinyipi.accounts.selectors import otp_device_confirmed, staff_editable_by, staff_otp_required
from xinyipi.audit.services import audit_record
from xinyipi.core import clock
from xinyipi.core.caches import PERMISSIONS, GenerationCache, generations_column, generations_seen
from xinyipi.core.crypto import sm3_hex
from xinyipi.core.errors import DomainError, NotAuthenticated, NotPermitted, TooManyAttempts, from_django_validation
from xinyipi.core.rows import row_select_with


def api_token_issue(*, request, username: str, password: str, otp: str | None = None) -> str:
    """Check the credentials (throttled by django-axes), and the second factor of an administrator when it
    is required, and return a new bearer token."""
    from xinyipi.accounts.lockout import lockout_message

    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise TooManyAttempts("login_locked", lockout_message(request))
    if user is None or not user.is_active:
        raise NotAuthenticated("invalid_credentials", _("用户名或密码不正确。"))
    if staff_otp_required(user):
        otp_verify(user=user, token=otp, step="api_token")
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
    """The active user behind a bearer token that has not expired nor been revoked.

    Every API request asks this first: one statement written out (a quarter of the ORM's cost of building
    it), the user's fields converted as the ORM would."""
    now = connection.ops.adapt_datetimefield_value(clock.now())
    user, extra = row_select_with(
        User, _TOKEN_USER_SQL, [sm3_hex(raw), now], alias="u", extra=(generations_column(connection),)
    )
    if user is None:
        return None
    generations_seen(extra[0])  # the per-process copies' generations, read with the user (core.caches)
    _permissions_attach(user)
    return user


_TOKEN_USER_SQL = (
    f"FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
    "WHERE t.key_hash = %s AND t.revoked = false AND t.expires_at > %s AND u.is_active = true"
)


_PERMISSIONS = GenerationCache(PERMISSIONS)


def _permissions_attach(user: User) -> None:
    """Give ``user`` its permissions from the per-process copy (``core.caches``), where ``ModelBackend`` looks
    for them (``_perm_cache``): a token request reads one row for them instead of two joins. A superuser has
    every permission without a query."""
    if user.is_superuser:
        return
    user._perm_cache = set(_PERMISSIONS.get(user.pk, lambda: frozenset(ModelBackend().get_all_permissions(user))))


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


# Staff accounts (the bureau administrator's work in the admin). The rules of who may change what live in
# ``staff_save`` and nowhere else; forms call ``staff_save_check`` only to show the refusal beside the form.

STAFF_FIELDS = ["username", "display_name", "email", "phone", "department", "is_active"]


def staff_save_check(*, actor, user, roles_wanted: set[str] | None) -> None:
    """Refuse (``NotPermitted``/``DomainError``) what ``actor`` may not do in saving ``user`` with those roles.

    ``user`` carries the wanted values; the stored row is read here, so nothing the caller sets can widen
    what the actor may do.
    """
    stored = User.objects.filter(pk=user.pk).first() if user.pk else None
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise NotPermitted()
    if stored is None and not actor.has_perm("accounts.add_user"):
        raise NotPermitted()
    if stored is not None and not staff_editable_by(actor, stored):
        if stored.is_superuser:
            raise NotPermitted("staff_superuser_protected", _("只有超级管理员可以修改超级管理员账号。"))
        if actor.has_perm("accounts.change_user"):
            raise NotPermitted("staff_peer_admin", _("只有超级管理员可以修改其他管理员的账号。"))
        raise NotPermitted()
    if bool(user.is_superuser) != bool(stored is not None and stored.is_superuser):
        raise NotPermitted(
            "staff_superuser_flag", _("超级管理员只能由服务器上的 createsuperuser 命令设立，不能在此设置或取消。")
        )
    if roles_wanted is None:
        return
    unknown = sorted(set(roles_wanted) - set(roles.ROLE_LABELS))
    if unknown:
        raise DomainError("unknown_role", _("没有这个角色：%(roles)s。") % {"roles": "、".join(unknown)}, "roles")
    if actor.is_superuser:
        return
    roles_before = set(roles.roles_of(stored)) if stored is not None else set()
    if stored is not None and stored.pk == actor.pk:
        if set(roles_wanted) != roles_before:
            raise NotPermitted("staff_own_roles", _("不能修改自己的角色。"))
        if user.department_id != stored.department_id or bool(user.is_active) != bool(stored.is_active):
            raise NotPermitted("staff_own_account", _("不能修改自己的部门或启用状态。"))
    if roles.BUREAU_ADMIN in set(roles_wanted) - roles_before:
        raise NotPermitted("staff_grant_admin", _("只有超级管理员可以授予“政务服务与数据管理局管理员”角色。"))


def staff_save(*, actor, user, roles_wanted=None, password: str | None = None) -> User:
    """Create or change a staff account on behalf of ``actor``, audited.

    Only the fields of ``STAFF_FIELDS`` are written, roles only from ``roles.ROLE_LABELS`` (groups that are
    not roles are kept as they are), ``is_staff`` follows the roles, ``is_superuser`` and the user's own
    permissions are never written. ``roles_wanted=None`` leaves the roles as they are.
    """
    with transaction.atomic():
        stored = User.objects.filter(pk=user.pk).first() if user.pk else None
        staff_save_check(actor=actor, user=user, roles_wanted=roles_wanted)
        before = user_snapshot(stored) if stored is not None else None
        roles_now = set(roles.roles_of(stored)) if stored is not None else set()
        roles_after = roles_now if roles_wanted is None else set(roles_wanted)
        target = stored if stored is not None else User(username=user.username)
        for name in STAFF_FIELDS:
            field = User._meta.get_field(name)
            setattr(target, field.attname, getattr(user, field.attname))
        target.is_staff = target.is_superuser or bool(roles_after & roles.ADMIN_SITE_ROLES)
        if password:
            try:
                validate_password(password, target)
            except ValidationError as exc:
                raise DomainError("invalid_password", " ".join(exc.messages), "password") from exc
            target.set_password(password)
        elif stored is None:
            target.set_unusable_password()
        try:
            target.full_clean(exclude=["password", "last_login", "date_joined"])
        except ValidationError as exc:
            raise from_django_validation(exc) from exc
        if stored is None:
            target.save()
        else:
            fields = [User._meta.get_field(name).attname for name in STAFF_FIELDS]
            target.save(update_fields=[*fields, "is_staff", *(["password"] if password else [])])
        if roles_after != roles_now:
            kept = list(target.groups.exclude(name__in=roles.ROLE_LABELS)) if stored is not None else []
            target.groups.set([*Group.objects.filter(name__in=roles_after), *kept])
        after = user_snapshot(target)
        if before != after or password:
            audit_record(
                actor=actor,
                action="accounts.user.save",
                obj=target,
                before=before,
                after=after | ({"password_changed": True} if password else {}),
            )
    user.pk = target.pk
    return target


# The administrators' second factor: TOTP devices from django-otp. A device is enrolled unconfirmed, shown
# to its owner once as a QR code, and confirmed by one valid code; every refusal is written to the trail.


def otp_enrolment_device(*, user):
    """The device ``user`` is enrolling (made on the first visit); refused once a device is confirmed, so a
    stolen password cannot enrol a second device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if otp_device_confirmed(user) is not None:
        raise DomainError("otp_already_enrolled", _("该账号已绑定动态口令，请直接输入动态口令。"))
    with transaction.atomic():
        device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("id").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=str(_("动态口令")), confirmed=False)
    return device


def otp_enrol_confirm(*, user, token: str | None):
    """Confirm the device being enrolled with one valid code; audited either way."""
    device = otp_enrolment_device(user=user)
    _otp_check(user=user, device=device, token=token, step="enrol")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=user, action="accounts.otp.enrol", obj=device, after={"user_id": user.pk, "confirmed": True})
    return device


def otp_verify(*, user, token: str | None, step: str = "login"):
    """The confirmed device that accepts ``token``, or a refusal with code ``otp_required``/``otp_invalid``."""
    device = otp_device_confirmed(user)
    if device is None:
        _otp_refusal_record(user=user, device=None, step=step, reason="not_enrolled")
        raise NotAuthenticated(
            "otp_required", _("管理员账号须先绑定动态口令：请在网页登录后按提示用验证器应用扫码绑定。"), "otp"
        )
    _otp_check(user=user, device=device, token=token, step=step)
    return device


def _otp_check(*, user, device, token, step: str) -> None:
    token = (token or "").strip()
    if not token:
        _otp_refusal_record(user=user, device=device, step=step, reason="missing")
        raise NotAuthenticated("otp_required", _("管理员账号须同时提供 6 位动态口令。"), "otp")
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        _otp_refusal_record(user=user, device=device, step=step, reason="throttled")
        raise TooManyAttempts("otp_throttled", _("动态口令错误次数过多，请稍候片刻再试。"), "otp")
    with transaction.atomic():
        accepted = device.verify_token(token)
    if not accepted:
        _otp_refusal_record(user=user, device=device, step=step, reason="invalid")
        message = _("动态口令不正确或已过期，请输入验证器应用上当前显示的 6 位数字。")
        raise NotAuthenticated("otp_invalid", message, "otp")


def _otp_refusal_record(*, user, device, step: str, reason: str) -> None:
    # Committed on its own: the refusal raised right after must not roll the trail back.
    with transaction.atomic():
        audit_record(
            actor=user,
            action="accounts.otp.refuse",
            obj=device if device is not None else user,
            after={"user_id": user.pk, "step": step, "reason": reason},
        )
