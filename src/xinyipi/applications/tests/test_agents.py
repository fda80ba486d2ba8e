"""R9a: a link asked for online is verified at the window (authorisation scan, identity document), by the
enterprise's legal representative with a one-time code sent to the phone on record, or refused; it is revoked
by staff, by the account itself or by the legal representative. Every change is audited; two deciders at once:
one wins."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xinyipi.accounts import roles
from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.applications.models import SubjectAgent, SubjectAgentCode
from xinyipi.applications.services import (
    subject_agent_code_confirm,
    subject_agent_code_send,
    subject_agent_refuse,
    subject_agent_request,
    subject_agent_revoke,
    subject_agent_verify_window,
)
from xinyipi.audit.models import AuditEntry
from xinyipi.core.crypto import sm3_hex
from xinyipi.core.errors import DomainError, InvalidTransition, NotPermitted
from xinyipi.notifications.models import InAppMessage, Notification

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% authorisation of the enterprise\n" + b"0" * 200
ENTERPRISE_PHONE = "13800138000"  # make_enterprise's contact phone on record


@pytest.fixture
def stranger(db):
    return UserFactory(roles=[roles.APPLICANT], display_name="陌生人", phone="13911112222")


@pytest.fixture
def pending(stranger, enterprise):
    return subject_agent_request(
        actor=stranger, subject=enterprise, relation="agent", authorisation="授权委托书 2026-001 号，期限一年"
    )


def scan(content: bytes = PDF, name: str = "委托书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def sent_code() -> str:
    body = Notification.objects.filter(channel="sms", kind="agent_link_code").latest("id").body
    return re.search(r"验证码 (\d{6})", body).group(1)


# The window ----------------------------------------------------------------------------------------------


def test_r9a_pending_link_gives_nothing_until_verified(pending, stranger, enterprise):
    assert pending.status == SubjectAgent.Status.PENDING
    assert not SubjectAgent.objects.acts_for(stranger, enterprise.pk)
    assert "applications.subject_agent.request" in actions()


def test_r9a_window_queue_lists_pending_links_oldest_first(client, clerk, make_enterprise, stranger):
    first = subject_agent_request(
        actor=stranger, subject=make_enterprise("扎兰屯市先到企业有限公司"), relation="agent", authorisation="委托书一"
    )
    later = subject_agent_request(
        actor=UserFactory(phone="13722223333"),
        subject=make_enterprise("扎兰屯市后到企业有限公司"),
        relation="legal_representative",
    )
    SubjectAgent.objects.filter(pk=first.pk).update(created_at=first.created_at - dt.timedelta(hours=3))
    client.force_login(clerk)
    response = client.get(reverse("applications:agent_queue"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("先到企业") < page.index("后到企业")
    assert "13911112222" in page and "陌生人" in page  # the account and its phone
    assert re.search(r"<td>3\s小时</td>", page)  # how long it has waited
    assert f'data-link="{later.pk}"' in page
    assert "账户关联核验" in page  # the navigation entry


def test_r9a_queue_is_for_those_who_verify_links(client, reviewer, stranger, pending):
    for user in (reviewer, stranger):
        client.force_login(user)
        assert client.get(reverse("applications:agent_queue")).status_code == 403
        assert client.get(reverse("applications:agent_detail", args=[pending.pk])).status_code == 403
        response = client.post(reverse("applications:agent_verify", args=[pending.pk]), {"identity_checked": "on"})
        assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == SubjectAgent.Status.PENDING


def test_r9a_clerk_verifies_with_the_authorisation_scan_and_the_identity_seen(
    client, clerk, pending, stranger, enterprise
):
    client.force_login(clerk)
    response = client.post(
        reverse("applications:agent_verify", args=[pending.pk]),
        {"authorisation_file": scan(), "identity_document": "resident_id", "identity_last4": "123x"},
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == SubjectAgent.Status.VERIFIED
    assert pending.verification_method == SubjectAgent.Method.WINDOW
    assert pending.verified_by_label == clerk.username
    assert (pending.identity_document, pending.identity_last4, pending.identity_checked) == (
        "resident_id",
        "123X",
        True,
    )
    assert pending.authorisation_file_sm3 == sm3_hex(PDF) and pending.authorisation_file_type == "pdf"
    assert pending.authorisation_file.read() == PDF
    assert SubjectAgent.objects.acts_for(stranger, enterprise.pk)
    entry = AuditEntry.objects.filter(action="applications.subject_agent.verify").get()
    assert entry.before["status"] == "pending" and entry.after["status"] == "verified"
    assert entry.after["authorisation_file_sm3"] == sm3_hex(PDF)
    assert InAppMessage.objects.filter(user=stranger).exists()  # told at once
    download = client.get(reverse("applications:agent_file", args=[pending.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"identity_checked": "on"}, "authorisation_file"),  # an agent's link needs the scan
        ({"authorisation_file": "scan"}, "identity_document"),  # and the identity seen
        ({"authorisation_file": "text", "identity_checked": "on"}, "authorisation_file"),  # a scan, not text
        ({"authorisation_file": "ofd", "identity_checked": "on"}, "authorisation_file"),  # PDF/JPEG/PNG only
        ({"authorisation_file": "scan", "identity_document": "resident_id", "identity_last4": "12"}, "identity_last4"),
    ],
)
def test_r9a_window_verification_refused_changes_nothing(client, clerk, pending, fields, field):
    files = {
        "scan": scan(),
        "text": SimpleUploadedFile("a.pdf", b"just text", content_type="application/pdf"),
        "ofd": SimpleUploadedFile("a.ofd", _ofd(), content_type="application/ofd"),
    }
    data = {k: files[v] if k == "authorisation_file" else v for k, v in fields.items()}
    client.force_login(clerk)
    response = client.post(reverse("applications:agent_verify", args=[pending.pk]), data)
    assert response.status_code == 422
    assert f'data-field="{field}"' in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == SubjectAgent.Status.PENDING and not pending.authorisation_file
    assert "applications.subject_agent.verify" not in actions()


def _ofd() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("OFD.xml", "<ofd/>")
    return buffer.getvalue()


def test_r9a_scan_size_is_limited(settings, clerk, pending):
    settings.APPLICATIONS = {**settings.APPLICATIONS, "UPLOAD_MAX_BYTES": 100}
    with pytest.raises(DomainError) as refused:
        subject_agent_verify_window(actor=clerk, link=pending, authorisation_file=scan(), identity_checked=True)
    assert refused.value.code == "file_too_large"


def test_r9a_clerk_refuses_with_a_reason(client, clerk, pending, stranger, enterprise):
    client.force_login(clerk)
    response = client.post(reverse("applications:agent_refuse", args=[pending.pk]), {"reason": ""})
    assert response.status_code == 422
    response = client.post(reverse("applications:agent_refuse", args=[pending.pk]), {"reason": "授权委托书未加盖公章"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == SubjectAgent.Status.REVOKED and pending.revocation_reason == "授权委托书未加盖公章"
    assert not SubjectAgent.objects.acts_for(stranger, enterprise.pk)
    assert "applications.subject_agent.refuse" in actions()


def test_r9a_two_clerks_cannot_both_decide(client, clerk, make_user, department, pending):
    other = make_user(roles.WINDOW_CLERK, department)
    subject_agent_verify_window(actor=clerk, link=pending, authorisation_file=scan(), identity_checked=True)
    stale = SubjectAgent.objects.get(pk=pending.pk)
    stale.status = SubjectAgent.Status.PENDING  # as the second clerk's page still shows it
    with pytest.raises(InvalidTransition):
        subject_agent_refuse(actor=other, link=stale, reason="迟到的决定")
    client.force_login(other)
    response = client.post(reverse("applications:agent_refuse", args=[pending.pk]), {"reason": "迟到的决定"})
    assert response.status_code == 409
    pending.refresh_from_db()
    assert pending.status == SubjectAgent.Status.VERIFIED
    assert actions().count("applications.subject_agent.verify") == 1
    assert "applications.subject_agent.refuse" not in actions()


def test_r9a_a_clerk_cannot_verify_their_own_link(clerk, enterprise):
    own = subject_agent_request(actor=clerk, subject=enterprise, relation="legal_representative")
    with pytest.raises(NotPermitted):
        subject_agent_verify_window(actor=clerk, link=own, identity_checked=True)


# The legal representative's one-time code -----------------------------------------------------------------


def test_r9a_code_goes_to_the_phone_on_record_and_the_right_code_verifies(pending, stranger, enterprise):
    row = subject_agent_code_send(actor=stranger, link=pending)
    assert row.phone_masked == "138****8000"
    sms = Notification.objects.get(channel="sms", kind="agent_link_code")
    assert sms.recipient == ENTERPRISE_PHONE and sms.status == Notification.Status.PENDING  # the worker sends it
    code = sent_code()
    stored = SubjectAgentCode.objects.get(link=pending)
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    entry = AuditEntry.objects.filter(action="applications.subject_agent.code_sent").get()
    assert code not in str(entry.after) and ENTERPRISE_PHONE not in str(entry.after)

    subject_agent_code_confirm(actor=stranger, link=pending, code=code)
    pending.refresh_from_db()
    assert pending.status == SubjectAgent.Status.VERIFIED
    assert pending.verification_method == SubjectAgent.Method.LEGAL_REPRESENTATIVE
    assert SubjectAgent.objects.acts_for(stranger, enterprise.pk)
    with pytest.raises(InvalidTransition):  # used once
        subject_agent_code_confirm(actor=stranger, link=pending, code=code)


def test_r9a_wrong_code_counts_and_too_many_attempts_kill_the_code(settings, pending, stranger):
    settings.AGENT_LINKS = {**settings.AGENT_LINKS, "CODE_ATTEMPTS": 3}
    subject_agent_code_send(actor=stranger, link=pending)
    code = sent_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(DomainError) as first:
        subject_agent_code_confirm(actor=stranger, link=pending, code=wrong)
    assert first.value.code == "code_wrong" and first.value.extra["attempts_left"] == 2
    assert SubjectAgentCode.objects.get(link=pending).attempts == 1  # kept although refused
    with pytest.raises(DomainError):
        subject_agent_code_confirm(actor=stranger, link=pending, code="abc")
    with pytest.raises(DomainError) as third:
        subject_agent_code_confirm(actor=stranger, link=pending, code=wrong)
    assert third.value.code == "code_attempts_exhausted"
    with pytest.raises(DomainError) as after:
        subject_agent_code_confirm(actor=stranger, link=pending, code=code)  # even the right one now
    assert after.value.code == "code_attempts_exhausted"
    pending.refresh_from_db()
    assert pending.status == SubjectAgent.Status.PENDING


def test_r9a_expired_code_does_not_verify(pending, stranger):
    subject_agent_code_send(actor=stranger, link=pending)
    code = sent_code()
    SubjectAgentCode.objects.filter(link=pending).update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(DomainError) as expired:
        subject_agent_code_confirm(actor=stranger, link=pending, code=code)
    assert expired.value.code == "code_expired"
    pending.refresh_from_db()
    assert pending.status == SubjectAgent.Status.PENDING


def test_r9a_resend_is_throttled_and_replaces_the_code(settings, pending, stranger):
    subject_agent_code_send(actor=stranger, link=pending)
    first = sent_code()
    with pytest.raises(DomainError) as soon:
        subject_agent_code_send(actor=stranger, link=pending)
    assert soon.value.code == "code_resend_too_soon"
    settings.AGENT_LINKS = {**settings.AGENT_LINKS, "CODE_RESEND_SECONDS": 0, "CODE_DAILY_SENDS": 2}
    subject_agent_code_send(actor=stranger, link=pending)
    second = sent_code()
    assert SubjectAgentCode.objects.filter(link=pending).count() == 1  # one live code per link
    if first != second:
        with pytest.raises(DomainError):
            subject_agent_code_confirm(actor=stranger, link=pending, code=first)
    with pytest.raises(DomainError) as daily:
        subject_agent_code_send(actor=stranger, link=pending)
    assert daily.value.code == "code_daily_limit"


def test_r9a_no_mobile_on_record_means_no_code_path(make_enterprise, stranger):
    for phone in ("", "0470-3222222"):  # nothing on record; a landline cannot receive a code
        link = subject_agent_request(
            actor=stranger, subject=make_enterprise(phone=phone), relation="agent", authorisation="委托书"
        )
        with pytest.raises(DomainError) as refused:
            subject_agent_code_send(actor=stranger, link=link)
        assert refused.value.code == "no_contact_on_record"
        assert "窗口" in str(refused.value.message)
    assert not Notification.objects.filter(channel="sms").exists()


def test_r9a_the_requesters_own_number_on_record_confirms_nothing(make_enterprise, stranger):
    link = subject_agent_request(
        actor=stranger, subject=make_enterprise(phone=stranger.phone), relation="agent", authorisation="委托书"
    )
    with pytest.raises(DomainError) as refused:
        subject_agent_code_send(actor=stranger, link=link)
    assert refused.value.code == "no_contact_on_record"


def test_r9a_only_the_requester_sends_and_enters_the_code(pending, make_user):
    other = make_user(roles.APPLICANT)
    with pytest.raises(NotPermitted):
        subject_agent_code_send(actor=other, link=pending)
    with pytest.raises(NotPermitted):
        subject_agent_code_confirm(actor=other, link=pending, code="000000")


# Revocation ------------------------------------------------------------------------------------------------


def test_r9a_legal_representative_revokes_an_agents_link(applicant_for, enterprise, pending, stranger):
    representative = applicant_for(enterprise, relation="legal_representative")
    subject_agent_verify_window(
        actor=UserFactory(roles=[roles.WINDOW_CLERK]), link=pending, authorisation_file=scan(), identity_checked=True
    )
    subject_agent_revoke(actor=representative, link=pending, reason="授权到期")
    pending.refresh_from_db()
    assert pending.status == SubjectAgent.Status.REVOKED and pending.revocation_reason == "授权到期"
    assert pending.revoked_by_label == representative.username
    assert not SubjectAgent.objects.acts_for(stranger, enterprise.pk)
    assert "applications.subject_agent.revoke" in actions()


def test_r9a_an_agent_cannot_revoke_another_agent(applicant_for, enterprise, pending):
    agent = applicant_for(enterprise, relation="agent")
    with pytest.raises(NotPermitted):
        subject_agent_revoke(actor=agent, link=pending)
    pending.refresh_from_db()
    assert pending.status == SubjectAgent.Status.PENDING


def test_r9a_an_account_gives_up_its_own_link(pending, stranger):
    subject_agent_revoke(actor=stranger, link=pending)
    pending.refresh_from_db()
    assert pending.status == SubjectAgent.Status.REVOKED
    with pytest.raises(DomainError) as again:
        subject_agent_revoke(actor=stranger, link=pending)
    assert again.value.code == "already_revoked"


def test_r9a_staff_revoke_a_verified_link_from_the_console(client, clerk, applicant_for, enterprise):
    agent = applicant_for(enterprise, relation="agent")
    link = SubjectAgent.objects.get(user=agent)
    client.force_login(clerk)
    page = client.get(reverse("applications:agent_detail", args=[link.pk])).content.decode()
    assert 'data-testid="revoke-panel"' in page
    response = client.post(reverse("applications:agent_revoke", args=[link.pk]), {"reason": "企业撤回授权"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == SubjectAgent.Status.REVOKED and link.revocation_reason == "企业撤回授权"
    assert not SubjectAgent.objects.acts_for(agent, enterprise.pk)
