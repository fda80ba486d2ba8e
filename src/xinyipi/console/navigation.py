"""The staff console's navigation: each entry shows only to those holding its permission."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinyipi.accounts.roles import ROLE_LABELS, STAFF_ROLES, roles_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str | None = None
    staff_only: bool = False


NAVIGATION = [
    NavItem(_("工作台"), "console:home"),
    NavItem(_("申请主体"), "subjects:subject_list", "subjects.view_subject"),
    NavItem(_("事项目录"), "catalog:matter_list", "catalog.view_matter"),
    NavItem(_("工作日历"), "workdays:calendar", "workdays.view_holiday"),
    NavItem(_("窗口受理"), "applications:window", "applications.add_application"),
    NavItem(_("补正队列"), "applications:queue_window", "applications.supplement_application"),
    NavItem(_("账户关联核验"), "applications:agent_queue", "applications.verify_subjectagent"),
    NavItem(_("审核队列"), "applications:queue_review", "applications.decide_application"),
    NavItem(_("事后核查"), "applications:queue_verification", "applications.verify_application"),
    NavItem(_("办件查询"), "applications:list", "applications.view_application"),
    NavItem(_("预约服务"), "bookings:queue", "bookings.view_servicebooking"),
    NavItem(_("特殊情况准予"), "bookings:special_grants", "bookings.add_specialgrant"),
    NavItem(_("信用核查"), "credit:check", "credit.add_creditcheck"),
    NavItem(_("核查记录"), "credit:check_list", "credit.view_creditcheck"),
    NavItem(_("信用政策"), "credit:policy", "credit.view_policy"),
    NavItem(_("黑名单管理"), "supervision:entry_list", "supervision.view_blacklistentry"),
    NavItem(_("信用修复"), "supervision:repair_list", "supervision.view_creditrepair"),
    NavItem(_("差评整改"), "ratings:follow_ups", "ratings.view_followup"),
    NavItem(_("统计分析"), "stats:dashboard", "applications.view_statistics"),
    NavItem(_("好差评导出"), "ratings:export", "ratings.export_rating"),
    NavItem(_("导出信用记录"), "records:export", "records.export_creditrecordevent"),
    NavItem(_("站内消息"), "notifications:inbox"),
    NavItem(_("消息投递"), "notifications:failures", "notifications.view_notification"),
    NavItem(_("审计日志"), "audit:entries", "audit.view_auditentry"),
    NavItem(_("系统管理"), "admin:index", staff_only=True),
]


def navigation_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    for item in NAVIGATION:
        if item.perm and not user.has_perm(item.perm):
            continue
        if item.staff_only and not user.is_staff:
            continue
        items.append({"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name})
    return items


def context(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": [], "portal_user": False}
    roles = roles_of(user)
    return {
        "nav_items": navigation_for(user),
        "user_roles": [ROLE_LABELS[r] for r in roles],
        # An applicant's account (no staff role): the portal's "my cases" instead of the console.
        "portal_user": is_portal_user(user, roles),
    }


def is_portal_user(user, roles: list[str] | None = None) -> bool:
    """Whether ``user`` signs in as an applicant only (no staff role, not staff, not superuser)."""
    if not user.is_authenticated or user.is_superuser or user.is_staff:
        return False
    roles = roles_of(user) if roles is None else roles
    return not (set(roles) & STAFF_ROLES)
