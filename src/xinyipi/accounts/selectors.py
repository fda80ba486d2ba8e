"""Reads for accounts: which staff an administrator may see and edit, and who needs a second factor."""

from django.conf import settings

from xinyipi.accounts import roles
from xinyipi.accounts.models import User


def staff_for_actor(actor, users=None):
    """The accounts ``actor`` may see in the admin: superusers are visible to superusers only."""
    users = (User.objects.all() if users is None else users).select_related("department")
    if actor.is_superuser:
        return users
    return users.filter(is_superuser=False)


def staff_editable_by(actor, target) -> bool:
    """Whether ``actor`` may change ``target`` at all (which fields it may change is ``staff_save``'s rule).

    Only a superuser changes a superuser or another bureau administrator: changing an administrator's
    password, department or active flag is as good as taking the account over.
    """
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if not actor.has_perm("accounts.change_user"):
        return False
    if actor.is_superuser:
        return True
    if target.is_superuser:
        return False
    return target.pk == actor.pk or roles.BUREAU_ADMIN not in roles.roles_of(target)


def staff_administers(user) -> bool:
    """Staff who administer the system: superusers, admin-site staff and whoever may change accounts."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.is_staff or user.has_perm("accounts.change_user")


def staff_otp_required(user) -> bool:
    return bool(settings.STAFF_OTP_REQUIRED) and staff_administers(user)


def otp_device_confirmed(user):
    """The user's confirmed TOTP device, or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("id").first()
