"""The only way staff reach department-scoped work: by permission, then by department.

A superuser may do everything in every department. Other staff see only rows of their own department.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xinyipi.core.errors import NotFound, NotPermitted


def require_perm(actor, perm: str) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise NotPermitted("not_authenticated", _("请先登录。"))
    if not actor.has_perm(perm):
        raise NotPermitted()


def sees_all_departments(actor) -> bool:
    return actor.is_superuser or actor.has_perm("accounts.all_departments")


def department_scope(actor, queryset: QuerySet, field: str = "department") -> QuerySet:
    """Rows of ``queryset`` the actor may see: all for superusers, else the actor's department."""
    if sees_all_departments(actor):
        return queryset
    if actor.department_id is None:
        return queryset.none()
    return queryset.filter(**{f"{field}_id": actor.department_id})


def access_by_id(actor, queryset: QuerySet, pk, *, perm: str, field: str = "department"):
    """One department-scoped row; absent and out-of-scope rows are both "not found"."""
    require_perm(actor, perm)
    obj = department_scope(actor, queryset, field).filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj
