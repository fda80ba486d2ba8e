from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "xinyipi.accounts"
    label = "accounts"
    verbose_name = _("用户与部门")

    def ready(self) -> None:
        from xinyipi.accounts.roles import roles_sync_after_migrate

        # Django creates permissions after migrate; the role groups are synced right after, so a fresh
        # database always has every role of DESIGN.md §3 with its permissions.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="xinyipi-roles-sync")

        from django.contrib.auth.models import Group, Permission

        from xinyipi.accounts.models import Department, User
        from xinyipi.core.caches import CATALOG, PERMISSIONS, bump_on_change

        # Kept per process (core.caches): a token user's permissions, and the matters filed for with their
        # department; a change of either reaches every process at its next request.
        bump_on_change(
            PERMISSIONS,
            Group,
            Permission,
            through=[User.groups.through, User.user_permissions.through, Group.permissions.through],
        )
        bump_on_change(CATALOG, Department)
