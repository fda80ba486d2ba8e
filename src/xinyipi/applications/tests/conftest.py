"""Fixtures of the case-workflow tests: matters of every kind, subjects of every credit level, applicants."""

import datetime as dt
import itertools

import pytest

from xinyipi.accounts import roles
from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.applications.models import SubjectAgent
from xinyipi.catalog.models import Matter
from xinyipi.catalog.tests.factories import MaterialFactory, MatterFactory
from xinyipi.core import clock
from xinyipi.core.testing import ric_for, uscc_for
from xinyipi.credit.models import CreditRecord
from xinyipi.credit.sources.http import http_state_reset
from xinyipi.subjects.services import subject_register

NO_SOURCES = {"enterprise_publicity": {"url": ""}, "credit_china": {"url": ""}, "incentive_card": {"url": ""}}


@pytest.fixture(autouse=True)
def _local_sources_only(settings):
    """No external credit source: checks ask the local store, the city list and the card table (complete)."""
    settings.CREDIT_SOURCES = {k: dict(v) for k, v in NO_SOURCES.items()}
    http_state_reset()
    yield
    http_state_reset()


_serial = itertools.count(1000)


@pytest.fixture
def make_enterprise(db):
    def make(name: str | None = None, phone: str = "13800138000"):
        n = next(_serial)
        return subject_register(
            actor=None,
            kind="enterprise",
            code=uscc_for("91150783", f"MA0A{n:05d}"),
            name=name or f"扎兰屯市测试企业{n}有限公司",
            contact_phone=phone,
        )

    return make


@pytest.fixture
def enterprise(make_enterprise):
    return make_enterprise("扎兰屯市诚信商贸有限公司")


@pytest.fixture
def person(db):
    n = next(_serial)
    return subject_register(actor=None, kind="person", code=ric_for(f"150783198808{n:05d}"), name="赵测试")


def _record(subject, category: str, **fields) -> CreditRecord:
    n = next(_serial)
    values = {
        "code_hash": subject.code_hash,
        "subject_name": subject.name,
        "category": category,
        "source": "test",
        "record_id": f"R{n}",
        "document_number": f"测试文书〔2026〕{n}号",
        "authority": "扎兰屯市测试局",
        "decided_on": clock.today() - dt.timedelta(days=30),
        "status": CreditRecord.Status.ACTIVE,
        "imported_at": clock.now(),
    }
    if hasattr(CreditRecord, "key_of"):  # the store's indexed lookup key, where the model has one
        values["code_key"] = CreditRecord.key_of(subject.code_hash)
    values.update(fields)
    return CreditRecord.objects.create(**values)


@pytest.fixture
def make_dishonest():
    """``make_dishonest(subject)`` — put the subject on a serious dishonesty list (level ``dishonest``)."""
    return lambda subject: _record(subject, "serious_dishonesty")


@pytest.fixture
def make_ordinary():
    """``make_ordinary(subject)`` — a general administrative penalty (level ``ordinary``: commitment only)."""
    return lambda subject: _record(subject, "administrative_penalty", severity="general")


def _matter(department, materials: list[dict], **traits) -> Matter:
    matter = MatterFactory(department=department, **traits)
    for order, spec in enumerate(materials):
        MaterialFactory(matter=matter, order=order, **spec)
    return Matter.objects.select_related("department").prefetch_related("materials").get(pk=matter.pk)


@pytest.fixture
def standard_matter(department):
    return _matter(department, [{"code": "A1", "name": "申请书"}, {"code": "A2", "name": "营业执照"}])


@pytest.fixture
def tolerance_matter(department):
    return _matter(
        department,
        [
            {"code": "A1", "name": "申请书"},
            {"code": "B1", "name": "场所平面图", "essential": False, "tolerable": True},
            {"code": "B2", "name": "从业人员名单", "essential": False, "tolerable": True},
            {"code": "B3", "name": "设备清单", "essential": False, "tolerable": False},
        ],
        with_tolerance=True,
        name="食品经营许可（仅销售预包装食品备案）",
    )


@pytest.fixture
def certificate_matter(department):
    return _matter(
        department,
        [
            {"code": "A1", "name": "申请表"},
            {
                "code": "C1",
                "name": "无犯罪记录证明",
                "certificate": True,
                "replaceable": True,
                "accept_stand": "申请人无犯罪记录",
                "issuer": "公安机关",
            },
            {"code": "C2", "name": "学历证明", "certificate": True, "replaceable": False},
        ],
        certificate_commitment=True,
        name="导游证核发",
    )


@pytest.fixture
def licence_matter(department):
    return _matter(
        department,
        [
            {"code": "A1", "name": "申请书"},
            {"code": "C1", "name": "经营场所使用证明", "certificate": True, "replaceable": True},
        ],
        licence_commitment=True,
        name="公共场所卫生许可",
        accept_condition="经营场所面积不少于 20 平方米",
        verification_days=30,
    )


@pytest.fixture
def instant_matter(department):
    return _matter(department, [{"code": "A1", "name": "申请表"}], instant_approval=True, name="个体工商户名称变更")


@pytest.fixture
def applicant_for(db):
    """``applicant_for(subject, relation="legal_representative")`` — an applicant account acting for ``subject``."""

    def make(subject, relation: str = SubjectAgent.Relation.LEGAL_REPRESENTATIVE, **user_fields):
        user = UserFactory(roles=[roles.APPLICANT], **user_fields)
        SubjectAgent.objects.create(
            user=user,
            subject=subject,
            relation=relation,
            authorisation="授权委托书（2026）第1号" if relation == SubjectAgent.Relation.AGENT else "",
            created_at=clock.now(),
            created_by_label="test",
            status=SubjectAgent.Status.VERIFIED,
            verified_at=clock.now(),
        )
        return user

    return make


@pytest.fixture
def other_reviewer(make_user, other_department):
    return make_user(roles.REVIEWER, other_department)


@pytest.fixture
def api_as(db):
    """``api_as(user)`` — one API client per user for the whole test. The clients are kept alive: the shared
    helper names each token after its client object's id, which Python reuses once a client is freed."""
    from xinyipi.core.testing import ApiClient

    clients = {}

    def make(user, language=None):
        key = (user.pk, language)
        if key not in clients:
            clients[key] = ApiClient(user, language=language)
        return clients[key]

    return make
