"""Demo accounts for every role (development only: the password is public)."""

from django.contrib.auth.models import Group
from django.db import transaction

from xinyipi.accounts import roles
from xinyipi.accounts.models import Department, User
from xinyipi.accounts.services import department_save, user_save

DEMO_PASSWORD = "Xinyipi@2026"

BUREAU = {"code": "11150783MB1937420E", "name": "扎兰屯市政务服务与数据管理局", "short_name": "政数局"}


def _department_by_name_fragment(fragment: str) -> Department | None:
    return Department.objects.filter(name__contains=fragment).order_by("id").first()


def load_demo_users() -> list[dict]:
    """Create (or reset) one account per role; returns rows for the printed login table."""
    from xinyipi.subjects.validators import uscc_check_char

    code = BUREAU["code"][:17] + uscc_check_char(BUREAU["code"][:17])
    bureau = Department.objects.filter(name=BUREAU["name"]).first() or department_save(
        actor=None, department=Department(code=code, name=BUREAU["name"], short_name=BUREAU["short_name"])
    )
    market = _department_by_name_fragment("市场监督") or bureau
    health = _department_by_name_fragment("卫生健康") or bureau
    wanted = [
        ("admin", "超级管理员", None, None, True),
        ("bureau", "政数局管理员", roles.BUREAU_ADMIN, bureau, False),
        ("clerk", "综合窗口受理员", roles.WINDOW_CLERK, bureau, False),
        ("reviewer_scjg", "市场监管局审核员", roles.REVIEWER, market, False),
        ("reviewer_wsjk", "卫健委审核员", roles.REVIEWER, health, False),
        ("credit", "信用管理员", roles.CREDIT_OFFICER, bureau, False),
        ("auditor", "审计员", roles.AUDITOR, bureau, False),
    ]
    rows = []
    with transaction.atomic():
        for username, display, role, department, superuser in wanted:
            user = User.objects.filter(username=username).first() or User(username=username)
            user.display_name = display
            user.department = department
            user.is_superuser = superuser
            user.is_staff = superuser or role == roles.BUREAU_ADMIN
            user.is_active = True
            user.set_password(DEMO_PASSWORD)
            groups = list(Group.objects.filter(name=role)) if role else []
            user_save(actor=None, user=user, groups=groups)
            rows.append(
                {
                    "username": username,
                    "role": str(roles.ROLE_LABELS[role]) if role else "超级用户",
                    "department": department.name if department else "全部部门",
                }
            )
    return rows
