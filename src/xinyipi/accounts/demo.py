"""Demo accounts for every role (development only: the password is public)."""

from django.contrib.auth.models import Group
from django.db import transaction

from xinyipi.accounts import roles
from xinyipi.accounts.models import Department, User
from xinyipi.accounts.services import department_save, user_save

DEMO_PASSWORD = "Xinyipi@2026"

BUREAU = {"code": "11150783MB1937420E", "name": "扎兰屯市政务服务与数据管理局", "short_name": "政数局"}


# One reviewer per department of the demo catalog (by its short name): every matter has someone to decide it.
REVIEWERS = {
    "市场监管局": "reviewer_scjg",
    "卫健委": "reviewer_wsjk",
    "交通运输局": "reviewer_jtys",
    "住建局": "reviewer_zjj",
    "生态环境分局": "reviewer_sthj",
    "文旅体局": "reviewer_wlt",
    "人社局": "reviewer_rsj",
    "民政局": "reviewer_mzj",
    "应急管理局": "reviewer_yjgl",
    "公安局": "reviewer_gaj",
    "发改委": "reviewer_fgw",
}


def load_demo_users() -> list[dict]:
    """Create (or reset) one account per role; returns rows for the printed login table."""
    from xinyipi.subjects.validators import uscc_check_char

    code = BUREAU["code"][:17] + uscc_check_char(BUREAU["code"][:17])
    bureau = Department.objects.filter(name=BUREAU["name"]).first() or department_save(
        actor=None, department=Department(code=code, name=BUREAU["name"], short_name=BUREAU["short_name"])
    )
    wanted = [
        ("admin", "超级管理员", None, None, True),
        ("bureau", "政数局管理员", roles.BUREAU_ADMIN, bureau, False),
        ("clerk", "综合窗口受理员", roles.WINDOW_CLERK, bureau, False),
    ]
    for short_name, username in REVIEWERS.items():
        department = Department.objects.filter(short_name=short_name).order_by("id").first()
        if department is not None:
            wanted.append((username, f"{short_name}审核员", roles.REVIEWER, department, False))
    wanted += [
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
