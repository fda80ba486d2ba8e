"""Demo applicant accounts, each acting for a demo subject (development only: the password is public), and a
few cases in the queues, filed at the window through the services as a clerk would."""

from django.contrib.auth.models import Group

from xinyipi.accounts import roles
from xinyipi.accounts.demo import DEMO_PASSWORD
from xinyipi.accounts.models import Department, User
from xinyipi.accounts.services import user_save
from xinyipi.applications.models import DocumentPrefix, SubjectAgent
from xinyipi.applications.numbers import DEMO_PREFIXES
from xinyipi.applications.services import application_file, subject_agent_link, subject_agent_request
from xinyipi.catalog.models import Matter
from xinyipi.subjects.models import Subject
from xinyipi.subjects.services import subject_update

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
    rows += _load_demo_pending_link(actor=actor, group=group)
    return rows


# An account that registered online for an enterprise and waits in the window's queue (R9a): it sees no case
# of the enterprise until a clerk verifies it, or until it enters the code sent to the legal representative's
# phone on record (the demo's SMS gateway, run_registry, lists what it received at /sms/messages).
PENDING = (
    "zhaoli",
    "赵丽（北疆物流经办人，待核验）",
    "13947000088",
    "扎兰屯市北疆物流有限公司",
    "授权委托书 2026-031 号：委托赵丽办理本公司政务服务事项，期限至 2026 年 12 月 31 日。",
)
PENDING_REPRESENTATIVE = ("刘北疆", "13947000066")


def _load_demo_pending_link(*, actor, group) -> list[dict]:
    username, display, phone, subject_name, authorisation = PENDING
    subject = Subject.objects.filter(name=subject_name).order_by("id").first()
    if subject is None:
        return []
    if not subject.contact_phone:
        representative, mobile = PENDING_REPRESENTATIVE
        subject = subject_update(
            actor=actor, subject=subject, legal_representative=representative, contact_phone=mobile
        )
    user = User.objects.filter(username=username).first() or User(username=username)
    user.display_name = display
    user.phone = phone
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user_save(actor=actor, user=user, groups=[group])
    if not SubjectAgent.objects.filter(user=user, subject=subject).exists():
        subject_agent_request(
            actor=user, subject=subject, relation=SubjectAgent.Relation.AGENT, authorisation=authorisation
        )
    return [
        {
            "username": username,
            "role": str(roles.ROLE_LABELS[roles.APPLICANT]),
            "department": f"{subject.name}（待核验）",
        }
    ]


MARKET_REGULATION = "11150783MB1520118R"  # the department of the demo reviewer reviewer_scjg


def load_demo_document_prefixes() -> None:
    """The 机关代字 of the demo departments' document numbers (kept when the bureau has set one)."""
    for department in Department.objects.filter(short_name__in=DEMO_PREFIXES):
        DocumentPrefix.objects.get_or_create(
            department=department, defaults={"prefix": DEMO_PREFIXES[department.short_name]}
        )


def load_demo_cases(*, fresh: bool = True) -> list[str]:
    """File a handful of cases of the market regulation bureau's matters at the window, so that every queue
    has work in it: a tolerance case awaiting its supplement (the applicant's company), a licence commitment
    approved on the spot and due for verification, a case under review, and an instant approval. Each goes
    through ``application_file`` with its credit check (R1). Only when ``fresh`` (the database had no case
    before this load: the demo history, if any, was filed just before)."""
    load_demo_document_prefixes()
    if not fresh:
        return []
    clerk = User.objects.get(username="clerk")
    good = Subject.objects.get(name="扎兰屯市雅鲁河餐饮管理有限公司")
    exemplary = Subject.objects.get(name="扎兰屯市金穗农业科技有限公司")
    matters = list(
        Matter.objects.filter(department__code=MARKET_REGULATION, status=Matter.Status.IN_USE)
        .prefetch_related("materials")
        .order_by("code")
    )
    tolerance = next((m for m in matters if m.tolerance and any(x.tolerable for x in m.materials.all())), None)
    licence = next((m for m in matters if m.commitment_kind == Matter.CommitmentKind.LICENCE), None)
    instant = next((m for m in matters if m.instant), None)
    standard = next((m for m in matters if not m.instant and m not in (tolerance, licence)), None)
    if None in (tolerance, licence, instant, standard):
        return []  # a catalog without one of each kind of matter: no demo cases rather than half of them
    filed = []

    def file(matter, subject, mode, materials, **terms):
        filed.append(
            application_file(
                actor=clerk, matter=matter, subject=subject, mode=mode, materials=materials, channel="window", **terms
            ).number
        )

    every = [m.code for m in tolerance.materials.all() if not m.tolerable]
    file(tolerance, good, "tolerance", every, supplement_pledge={"accepted": True})
    certificates = [m.code for m in licence.materials.all() if m.certificate and m.replaceable]
    brought = [m.code for m in licence.materials.all() if m.code not in certificates]
    file(licence, exemplary, "commitment", brought, commitment={"certificates": certificates, "accepted": True})
    file(standard, good, "standard", [m.code for m in standard.materials.all()])
    file(instant, exemplary, "instant", [m.code for m in instant.materials.all()])
    return filed
