"""R9a against the real identity-platform stand-in (``run_registry`` on a free port): a person registering for
themself is verified when the platform matches name and ID number; no match, a failing or a slow platform
verify nobody and say to come to the window; with no URL configured the path is off."""

import pytest

from xinyipi.accounts import roles
from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.applications.models import SubjectAgent
from xinyipi.applications.services import subject_agent_identity_verify, subject_agent_request
from xinyipi.audit.models import AuditEntry
from xinyipi.core.errors import DomainError
from xinyipi.credit.registry.server import registry_in_thread, source_urls
from xinyipi.subjects.identity import MATCH, NO_MATCH, NOT_CONFIGURED, UNAVAILABLE, identity_verify
from xinyipi.subjects.services import subject_register

pytestmark = pytest.mark.django_db

KNOWN = ("刘晓燕", "150783199204150039")  # a fixture person of credit/registry/fixtures.yaml


@pytest.fixture(scope="module")
def platform():
    with registry_in_thread(slow_seconds=1.5) as server:
        yield server


def configure(settings, server, mode=None, timeout=0.5, retries=0):
    settings.IDENTITY_PLATFORM = {
        "url": source_urls(server.base_url, mode)["identity_platform"],
        "token": "",
        "timeout": timeout,
        "retries": retries,
        "backoff": 0.01,
    }


@pytest.fixture
def off(settings):
    settings.IDENTITY_PLATFORM = {"url": "", "token": "", "timeout": 0.5, "retries": 0, "backoff": 0.01}


def pending_person(name: str, number: str) -> SubjectAgent:
    user = UserFactory(roles=[roles.APPLICANT], display_name=name)
    subject = subject_register(actor=user, kind="person", code=number, name=name)
    return subject_agent_request(actor=user, subject=subject, relation="legal_representative")


def test_adapter_match_and_no_match(settings, platform):
    configure(settings, platform)
    assert identity_verify(name=KNOWN[0], id_number=KNOWN[1]).result == MATCH
    assert identity_verify(name="刘晓", id_number=KNOWN[1]).result == NO_MATCH
    assert identity_verify(name=KNOWN[0], id_number="150783198707090045").result == NO_MATCH
    sent = platform.state.requests[-1]
    assert sent["path"] == "/identity/verify" and sent["method"] == "POST"  # the number is in the body


@pytest.mark.parametrize("mode", ["fail", "slow"])
def test_adapter_failing_or_slow_platform_is_unavailable(settings, platform, mode):
    configure(settings, platform, mode=mode, retries=1)
    answer = identity_verify(name=KNOWN[0], id_number=KNOWN[1])
    assert answer.result == UNAVAILABLE and not answer.matched
    assert ("HTTP 503" if mode == "fail" else "no answer within 0.5 s") in answer.detail


def test_adapter_unreachable_platform_is_unavailable(settings):
    settings.IDENTITY_PLATFORM = {"url": "http://127.0.0.1:9", "token": "", "timeout": 0.5, "retries": 0}
    assert identity_verify(name=KNOWN[0], id_number=KNOWN[1]).result == UNAVAILABLE


def test_adapter_off_without_url(off):
    assert identity_verify(name=KNOWN[0], id_number=KNOWN[1]).result == NOT_CONFIGURED


def test_r9a_identity_platform_match_verifies_the_persons_own_link(settings, platform):
    configure(settings, platform)
    link = pending_person(*KNOWN)
    subject_agent_identity_verify(actor=link.user, link=link)
    link.refresh_from_db()
    assert link.status == SubjectAgent.Status.VERIFIED
    assert link.verification_method == SubjectAgent.Method.IDENTITY_PLATFORM
    assert SubjectAgent.objects.acts_for(link.user, link.subject_id)
    assert AuditEntry.objects.filter(action="applications.subject_agent.verify", object_id=str(link.pk)).exists()


def test_r9a_identity_platform_no_match_verifies_nobody(settings, platform):
    configure(settings, platform)
    link = pending_person("刘晓燕", "150783198707090045")  # someone else's number with this name
    with pytest.raises(DomainError) as refused:
        subject_agent_identity_verify(actor=link.user, link=link)
    assert refused.value.code == "identity_no_match"
    link.refresh_from_db()
    assert link.status == SubjectAgent.Status.PENDING
    assert AuditEntry.objects.filter(action="applications.subject_agent.identity_no_match").exists()


@pytest.mark.parametrize("mode", ["fail", "slow"])
def test_r9a_identity_platform_failing_or_slow_verifies_nobody_and_says_so(settings, platform, mode):
    configure(settings, platform, mode=mode)
    link = pending_person(*KNOWN)
    with pytest.raises(DomainError) as refused:
        subject_agent_identity_verify(actor=link.user, link=link)
    assert refused.value.code == "identity_unavailable"
    assert str(refused.value.message) == "暂时无法核验，请到窗口办理。"
    link.refresh_from_db()
    assert link.status == SubjectAgent.Status.PENDING


def test_r9a_identity_platform_off_says_to_come_to_the_window(off):
    link = pending_person(*KNOWN)
    with pytest.raises(DomainError) as refused:
        subject_agent_identity_verify(actor=link.user, link=link)
    assert refused.value.code == "identity_platform_off"
    link.refresh_from_db()
    assert link.status == SubjectAgent.Status.PENDING


def test_r9a_identity_platform_is_only_for_a_persons_own_link(settings, platform, make_user):
    configure(settings, platform)
    link = pending_person(*KNOWN)
    with pytest.raises(DomainError):
        subject_agent_identity_verify(actor=make_user(roles.APPLICANT), link=link)
    enterprise = subject_register(
        actor=None, kind="enterprise", code="91150783MA7XYP0028", name="扎兰屯市雅鲁河餐饮管理有限公司"
    )
    agent = subject_agent_request(actor=link.user, subject=enterprise, relation="agent", authorisation="委托书")
    with pytest.raises(DomainError) as refused:
        subject_agent_identity_verify(actor=link.user, link=agent)
    assert refused.value.code == "identity_not_applicable"
