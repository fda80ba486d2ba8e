"""Demo applicant accounts, each acting for a demo subject (development only: the password is public)."""

from django.contrib.auth.models import Group

from xinyipi.accounts import roles
from xinyipi.accounts.demo import DEMO_PASSWORD
from xinyipi.accounts.models import User
from xinyipi.accounts.services import user_save
from xinyipi.applications.models import SubjectAgent
from xinyipi.applications.services import subject_agent_link
from xinyipi.subjects.models import Subject

APPLICANTS = [
    # username, display name, subject name, relation, written authorisation
    (
        "applicant",
        "张晓梅（雅鲁河餐饮经办人）",
        "扎兰屯市雅鲁河餐饮管理有限公司",
        SubjectAgent.Relation.AGENT,
        "兹委托张晓梅代表本公司办理政务服务事项，委托期限自 2026 年 1 月 1 日至 2026 年 12 月 31 日。",
    ),
    ("wangyaqin", "王雅琴", "王雅琴", SubjectAgent.Relation.LEGAL_REPRESENTATIVE, ""),
]


def load_demo_applicants(*, actor) -> list[dict]:
    """Create the applicant accounts and link each to its subject (idempotent); rows for the login table."""
    group = Group.objects.get(name=roles.APPLICANT)
    rows = []
    for username, display, subject_name, relation, authorisation in APPLICANTS:
        subject = Subject.objects.filter(name=subject_name).order_by("id").first()
        if subject is None:
            continue
        user = User.objects.filter(username=username).first() or User(username=username)
        user.display_name = display
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user_save(actor=actor, user=user, groups=[group])
        if not SubjectAgent.objects.filter(user=user, subject=subject).exists():
            subject_agent_link(actor=actor, user=user, subject=subject, relation=relation, authorisation=authorisation)
        rows.append({"username": username, "role": str(roles.ROLE_LABELS[roles.APPLICANT]), "department": subject.name})
    return rows
