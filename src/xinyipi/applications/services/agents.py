"""Links between user accounts and the subjects they act for online (legal representative or agent with a
written authorisation), R9a. A link staff make at the window is verified at once (they checked the identity
and the authorisation); a link an account asks for online stays pending until it is verified one of three
ways, and gives nothing until then:

- at the window (``subject_agent_verify_window``): a clerk checks the written authorisation (its scan is kept
  under its SM3 hash) and the agent's identity document, or refuses with a reason;
- by the enterprise's legal representative (``subject_agent_code_send`` / ``subject_agent_code_confirm``): a
  one-time code goes by SMS to the phone on record for the subject — never a number the requester typed — and
  the requester enters it;
- by the unified identity platform (``subject_agent_identity_verify``), for a person acting for themself.

Every change is one transaction with its audit entry. Two clerks (or a clerk and a code) deciding one link at
once: the conditional UPDATE on ``status`` lets exactly one win.
"""

import datetime as dt
import hmac
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from xinyipi.accounts.access import require_perm
from xinyipi.applications.models import IdentityDocument, SubjectAgent, SubjectAgentCode
from xinyipi.audit.services import audit_record, snapshot
from xinyipi.core import clock
from xinyipi.core.actors import actor_label
from xinyipi.core.crypto import blind_index
from xinyipi.core.errors import DomainError, InvalidTransition, NotPermitted, ValidationFailed
from xinyipi.core.text import join_list
from xinyipi.core.uploads import TYPE_LABELS, upload_check, upload_store
from xinyipi.notifications.contrib.sms.plugin import mobile_normalise
from xinyipi.notifications.services import notify
from xinyipi.subjects.identity import MATCH, NO_MATCH, NOT_CONFIGURED, identity_verify

VERIFY = "applications.verify_subjectagent"
_AUDITED = [
    "user",
    "subject",
    "relation",
    "status",
    "created_at",
    "verified_at",
    "verified_by_label",
    "verification_method",
    "authorisation_file_sm3",
    "identity_document",
    "identity_last4",
    "identity_checked",
    "revoked_at",
    "revoked_by_label",
    "revocation_reason",
]
# The written authorisation is a document: a scan or photo, whatever case materials may also be (OFD aside).
SCAN_TYPES = ("pdf", "jpg", "png")
_LAST4 = re.compile(r"^[0-9A-Za-z]{4}$")


def _not_pending() -> InvalidTransition:
    return InvalidTransition("link_not_pending", _("该关联已不是待核验状态（可能已由他人处理），请刷新页面。"))


def _own(actor, link: SubjectAgent) -> None:
    if not getattr(actor, "is_authenticated", False) or link.user_id != actor.pk:
        raise NotPermitted()


def _tell_account(link: SubjectAgent, *, title: str, body: str) -> None:
    notify(channel="in_app", recipient=link.user, kind="agent_link", title=title, body=body, source=link)


def subject_agent_link(*, actor, user, subject, relation: str, authorisation: str = "") -> SubjectAgent:
    """Let ``user`` act for ``subject``. An agent needs the text of the written authorisation."""
    require_perm(actor, "applications.add_subjectagent")
    if relation not in SubjectAgent.Relation.values:
        raise DomainError("invalid_relation", _("关系应为法定代表人/本人或委托代理人。"), "relation")
    authorisation = (authorisation or "").strip()[:2000]
    if relation == SubjectAgent.Relation.AGENT and not authorisation:
        raise DomainError("authorisation_required", _("委托代理人须登记书面授权委托的内容。"), "authorisation")
    if not user.is_active:
        raise DomainError("user_inactive", _("该用户已停用。"), "user")
    now = clock.now()
    try:
        with transaction.atomic():
            link = SubjectAgent.objects.create(
                user=user,
                subject=subject,
                relation=relation,
                status=SubjectAgent.Status.VERIFIED,
                authorisation=authorisation,
                created_at=now,
                created_by_label=actor_label(actor),
                verified_at=now,
                verified_by_label=actor_label(actor),
                verification_method=SubjectAgent.Method.WINDOW,
                identity_checked=True,
            )
            audit_record(
                actor=actor, action="applications.subject_agent.link", obj=link, after=snapshot(link, _AUDITED)
            )
    except IntegrityError as exc:
        raise DomainError("already_linked", _("该用户已关联此主体。"), "user") from exc
    return link


def subject_agent_request(*, actor, subject, relation: str, authorisation: str = "") -> SubjectAgent:
    """An account asks to act for ``subject`` (at registration or later, "申请关联主体"): a pending link that
    gives nothing until it is verified. A person acts for themself; an enterprise's agent states the written
    authorisation. At most one open link per account and subject."""
    if relation not in SubjectAgent.Relation.values:
        raise DomainError("invalid_relation", _("关系应为法定代表人/本人或委托代理人。"), "relation")
    if subject.is_person and relation != SubjectAgent.Relation.LEGAL_REPRESENTATIVE:
        raise DomainError(
            "invalid_relation", _("个人只能在网上为本人申请关联；代他人办理请到窗口登记委托。"), "relation"
        )
    authorisation = (authorisation or "").strip()
    if relation == SubjectAgent.Relation.AGENT and not authorisation:
        raise DomainError(
            "authorisation_required",
            _("企业经办人须填写企业的书面授权委托（委托书编号、授权事项和期限）。"),
            "authorisation",
        )
    if len(authorisation) > 2000:
        raise DomainError("value_too_long", _("授权委托说明不能超过 2000 字。"), "authorisation")
    try:
        with transaction.atomic():
            link = SubjectAgent.objects.create(
                user=actor,
                subject=subject,
                relation=relation,
                status=SubjectAgent.Status.PENDING,
                authorisation=authorisation,
                created_at=clock.now(),
                created_by_label=actor.get_username(),
            )
            audit_record(
                actor=actor, action="applications.subject_agent.request", obj=link, after=snapshot(link, _AUDITED)
            )
    except IntegrityError as exc:
        raise DomainError("already_linked", _("您已关联或已申请关联该主体。"), "code") from exc
    return link


def _decide(*, actor, link: SubjectAgent, action: str, fields: dict) -> SubjectAgent:
    """Move a pending link to verified or revoked with ``fields``; exactly one decision wins. In the caller's
    transaction."""
    before = snapshot(link, _AUDITED)
    if not SubjectAgent.objects.filter(pk=link.pk, status=SubjectAgent.Status.PENDING).update(**fields):
        raise _not_pending()
    for name, value in fields.items():
        setattr(link, name, value)
    audit_record(actor=actor, action=action, obj=link, before=before, after=snapshot(link, _AUDITED))
    return link


def _verified_fields(method: str, label: str) -> dict:
    return {
        "status": SubjectAgent.Status.VERIFIED,
        "verified_at": clock.now(),
        "verified_by_label": label[:150],
        "verification_method": method,
    }


def _scan_checked(upload):
    checked = upload_check("authorisation_file", upload)
    if checked.type not in SCAN_TYPES:
        raise DomainError(
            "file_type_refused",
            _("文件类型不被接受，只接受：%(types)s。") % {"types": join_list(TYPE_LABELS[t] for t in SCAN_TYPES)},
            "files.authorisation_file",
        )
    return checked


def subject_agent_verify_window(
    *,
    actor,
    link: SubjectAgent,
    authorisation_file=None,
    identity_document: str = "",
    identity_last4: str = "",
    identity_checked: bool = False,
) -> SubjectAgent:
    """The window checked the agent's identity document (its type and last four characters, or a tick) and,
    for an agent, the written authorisation (its scan: PDF, JPEG or PNG, kept under its SM3 hash). Every fault
    is reported at once (``ValidationFailed`` when there are several); nothing is written then."""
    require_perm(actor, VERIFY)
    if link.user_id == actor.pk:
        raise NotPermitted("own_link", _("不能核验本人账号的关联。"))
    errors = []
    identity_document = (identity_document or "").strip()
    identity_last4 = (identity_last4 or "").strip().upper()
    if identity_document and identity_document not in IdentityDocument.values:
        errors.append(DomainError("invalid_identity_document", _("请选择身份证件类型。"), "identity_document"))
    if identity_document and not _LAST4.match(identity_last4):
        errors.append(DomainError("invalid_last4", _("请填写所见证件号码的后四位。"), "identity_last4"))
    if identity_last4 and not identity_document:
        errors.append(DomainError("identity_document_required", _("请选择身份证件类型。"), "identity_document"))
    if not (identity_document or identity_checked):
        errors.append(
            DomainError(
                "identity_required",
                _("请核验经办人身份证件：登记证件类型和号码后四位，或勾选“已核验身份证件”。"),
                "identity_document",
            )
        )
    checked = None
    if authorisation_file is not None:
        try:
            checked = _scan_checked(authorisation_file)
        except DomainError as exc:
            errors.append(exc)
    elif link.relation == SubjectAgent.Relation.AGENT:
        errors.append(
            DomainError(
                "authorisation_scan_required",
                _("委托代理人须上传书面授权委托书的扫描件或照片。"),
                "files.authorisation_file",
            )
        )
    if errors:
        raise errors[0] if len(errors) == 1 else ValidationFailed(errors)
    fields = _verified_fields(SubjectAgent.Method.WINDOW, actor_label(actor))
    fields.update(identity_document=identity_document, identity_last4=identity_last4, identity_checked=True)
    if checked is not None:
        fields.update(
            authorisation_file=upload_store(checked),
            authorisation_file_name=checked.name,
            authorisation_file_size=checked.size,
            authorisation_file_sm3=checked.sm3,
            authorisation_file_type=checked.type,
        )
    with transaction.atomic():
        _decide(actor=actor, link=link, action="applications.subject_agent.verify", fields=fields)
        _tell_account(
            link,
            title=_("账户关联已核验"),
            body=_("您与“%(subject)s”的关联已在窗口核验通过，现在可以在网上为其申请和查看办件。")
            % {"subject": link.subject.name},
        )
    return link


def subject_agent_refuse(*, actor, link: SubjectAgent, reason: str) -> SubjectAgent:
    """The window does not verify the link (no valid authorisation, identity not shown): revoked, with why."""
    require_perm(actor, VERIFY)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("请填写不予核验的原因。"), "reason")
    if len(reason) > 2000:
        raise DomainError("value_too_long", _("原因不能超过 2000 字。"), "reason")
    fields = {
        "status": SubjectAgent.Status.REVOKED,
        "revoked_at": clock.now(),
        "revoked_by_label": actor_label(actor),
        "revocation_reason": reason,
    }
    with transaction.atomic():
        _decide(actor=actor, link=link, action="applications.subject_agent.refuse", fields=fields)
        _tell_account(
            link,
            title=_("账户关联未通过核验"),
            body=_("您与“%(subject)s”的关联未通过核验：%(reason)s") % {"subject": link.subject.name, "reason": reason},
        )
    return link


def may_revoke(actor, link: SubjectAgent) -> bool:
    """Staff who keep links, the account itself (giving its link up), or the enterprise's legal representative
    (a verified ``legal_representative`` link of the same enterprise) for another account's link."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.has_perm("applications.change_subjectagent") or actor.has_perm(VERIFY):
        return True
    if link.user_id == actor.pk:
        return True
    return (
        not link.subject.is_person
        and SubjectAgent.objects.acting(actor)
        .filter(subject_id=link.subject_id, relation=SubjectAgent.Relation.LEGAL_REPRESENTATIVE)
        .exists()
    )


def subject_agent_revoke(*, actor, link: SubjectAgent, reason: str = "") -> SubjectAgent:
    """End a link (the agent's authorisation ended, the account gives it up, the legal representative withdraws
    it). The cases filed stay the subject's."""
    if not may_revoke(actor, link):
        raise NotPermitted()
    reason = (reason or "").strip()[:2000]
    with transaction.atomic():
        before = snapshot(link, _AUDITED)
        now = clock.now()
        label = actor_label(actor)
        updated = (
            SubjectAgent.objects.open()
            .filter(pk=link.pk)
            .update(
                status=SubjectAgent.Status.REVOKED, revoked_at=now, revoked_by_label=label, revocation_reason=reason
            )
        )
        if not updated:
            raise DomainError("already_revoked", _("该关联已经解除。"))
        link.status, link.revoked_at, link.revoked_by_label = SubjectAgent.Status.REVOKED, now, label
        link.revocation_reason = reason
        audit_record(
            actor=actor,
            action="applications.subject_agent.revoke",
            obj=link,
            before=before,
            after=snapshot(link, _AUDITED),
        )
        if link.user_id != getattr(actor, "pk", None):
            _tell_account(
                link,
                title=_("账户关联已解除"),
                body=_("您与“%(subject)s”的关联已被解除。%(reason)s")
                % {"subject": link.subject.name, "reason": reason},
            )
    return link


# ---------------------------------------------------------------------------------------------------
# The legal representative's one-time code


def mask_phone(number: str) -> str:
    return f"{number[:3]}****{number[-4:]}" if len(number) >= 7 else "****"


def _code_hash(link_id: int, code: str) -> str:
    # Keyed (the field key's index half): a six-digit code's plain hash could be read back by trying all.
    return blind_index(f"subject-agent-code:{link_id}:{code}")


def code_phone(link: SubjectAgent) -> str | None:
    """The mobile number on record for the link's enterprise that a code may go to, or ``None``: no mobile on
    record, a person's link, or a number that is the requester's own (it would confirm nothing)."""
    if link.subject.is_person:
        return None
    number = mobile_normalise(link.subject.contact_phone)
    if number is None or number == mobile_normalise(getattr(link.user, "phone", "") or ""):
        return None
    return number


def subject_agent_code_send(*, actor, link: SubjectAgent) -> SubjectAgentCode:
    """Send a one-time code to the phone on record for the link's enterprise, through the outbox (SMS).

    One live code per link: a new one replaces the last. Resending waits ``CODE_RESEND_SECONDS`` and a link
    gets at most ``CODE_DAILY_SENDS`` codes a day. The requester sees the number masked, never in full."""
    _own(actor, link)
    if link.status != SubjectAgent.Status.PENDING:
        raise _not_pending()
    number = code_phone(link)
    if number is None:
        raise DomainError(
            "no_contact_on_record",
            _(
                "该主体的登记信息中没有可以接收验证码的法定代表人联系电话，不能通过验证码确认。"
                "请携带书面授权委托书和身份证件到政务服务中心综合受理窗口办理核验。"
            ),
        )
    config = settings.AGENT_LINKS
    now = clock.now()
    today = clock.today()
    code = f"{secrets.randbelow(10**6):06d}"
    fields = {
        "code_hash": _code_hash(link.pk, code),
        "phone_masked": mask_phone(number),
        "sent_at": now,
        "expires_at": now + dt.timedelta(minutes=config["CODE_MINUTES"]),
        "attempts": 0,
        "used_at": None,
    }
    with transaction.atomic():
        row = SubjectAgentCode.objects.filter(link=link).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = SubjectAgentCode.objects.create(link=link, sends_today=1, sends_day=today, **fields)
            except IntegrityError as exc:  # a concurrent request sent one just now
                raise DomainError("code_resend_too_soon", _("验证码刚刚已发送，请稍后再试。")) from exc
        else:
            wait = row.sent_at + dt.timedelta(seconds=config["CODE_RESEND_SECONDS"])
            if wait > now:
                seconds = int((wait - now).total_seconds()) + 1
                raise DomainError(
                    "code_resend_too_soon",
                    _("验证码已发送，请 %(s)d 秒后再重新发送。") % {"s": seconds},
                    retry_after=seconds,
                )
            sends = row.sends_today if row.sends_day == today else 0
            if sends >= config["CODE_DAILY_SENDS"]:
                raise DomainError("code_daily_limit", _("今天发送验证码的次数已达上限，请明天再试或到窗口办理。"))
            # Conditional on the row read: of two resends at once, one wins.
            if not SubjectAgentCode.objects.filter(pk=row.pk, sent_at=row.sent_at).update(
                sends_today=sends + 1, sends_day=today, **fields
            ):
                raise DomainError("code_resend_too_soon", _("验证码刚刚已发送，请稍后再试。"))
            row.refresh_from_db()
        requester = link.user.display_name or link.user.get_username()
        notify(
            channel="sms",
            recipient=number,
            kind="agent_link_code",
            title=_("关联确认验证码"),
            body=_(
                "%(person)s 申请作为“%(subject)s”的%(relation)s在信易批网上办理政务服务。"
                "如您同意，请将验证码 %(code)s 告知本人（%(minutes)s 分钟内有效）；如不同意，请勿告知他人。"
            )
            % {
                "person": requester,
                "subject": link.subject.name,
                "relation": link.get_relation_display(),
                "code": code,
                "minutes": f"{config['CODE_MINUTES']:g}",
            },
            subject=link.subject,
            source=link,
        )
        audit_record(
            actor=actor,
            action="applications.subject_agent.code_sent",
            obj=link,
            after={"phone": row.phone_masked, "expires_at": row.expires_at.isoformat(), "sends_today": row.sends_today},
        )
    return row


def subject_agent_code_confirm(*, actor, link: SubjectAgent, code: str) -> SubjectAgent:
    """The requester enters the code the legal representative passed on: right → verified (method
    ``legal_representative``). A wrong entry counts (committed even though refused); after
    ``CODE_ATTEMPTS`` wrong entries, or once expired, the code no longer works."""
    _own(actor, link)
    if link.status != SubjectAgent.Status.PENDING:
        raise _not_pending()
    code = re.sub(r"\s", "", code or "")
    row = SubjectAgentCode.objects.filter(link=link, used_at__isnull=True).first()
    if row is None:
        raise DomainError("code_not_sent", _("请先发送验证码。"), "code")
    if row.expires_at <= clock.now():
        raise DomainError("code_expired", _("验证码已过期，请重新发送。"), "code")
    limit = settings.AGENT_LINKS["CODE_ATTEMPTS"]
    with transaction.atomic():
        if not SubjectAgentCode.objects.filter(pk=row.pk, attempts__lt=limit, used_at__isnull=True).update(
            attempts=F("attempts") + 1
        ):
            raise DomainError("code_attempts_exhausted", _("验证码错误次数过多，已失效，请重新发送。"), "code")
        right = bool(re.fullmatch(r"\d{6}", code)) and hmac.compare_digest(_code_hash(link.pk, code), row.code_hash)
        if right:
            SubjectAgentCode.objects.filter(pk=row.pk).update(used_at=clock.now())
            label = _("法定代表人短信确认（%(phone)s）") % {"phone": row.phone_masked}
            _decide(
                actor=actor,
                link=link,
                action="applications.subject_agent.verify",
                fields=_verified_fields(SubjectAgent.Method.LEGAL_REPRESENTATIVE, label),
            )
    if not right:
        left = limit - row.attempts - 1
        if left <= 0:
            raise DomainError("code_attempts_exhausted", _("验证码错误次数过多，已失效，请重新发送。"), "code")
        raise DomainError(
            "code_wrong", _("验证码不正确，还可以再试 %(n)d 次。") % {"n": left}, "code", attempts_left=left
        )
    return link


# ---------------------------------------------------------------------------------------------------
# The unified identity platform


def subject_agent_identity_verify(*, actor, link: SubjectAgent) -> SubjectAgent:
    """A person acting for themself is verified by the identity platform (name and ID number match); a
    platform that is off, fails or times out verifies nobody and says to come to the window."""
    _own(actor, link)
    if link.status != SubjectAgent.Status.PENDING:
        raise _not_pending()
    if not link.subject.is_person or link.relation != SubjectAgent.Relation.LEGAL_REPRESENTATIVE:
        raise DomainError("identity_not_applicable", _("统一身份认证只能核验个人本人的关联。"))
    answer = identity_verify(name=link.subject.name, id_number=link.subject.code_plain())
    if answer.result == NOT_CONFIGURED:
        raise DomainError(
            "identity_platform_off", _("统一身份认证核验暂未开通，请携带身份证件到政务服务中心窗口办理。")
        )
    if answer.result == NO_MATCH:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="applications.subject_agent.identity_no_match",
                obj=link,
                after={"result": NO_MATCH},
            )
        raise DomainError(
            "identity_no_match",
            _("统一身份认证平台核验未通过：姓名与身份证号码不一致。如有疑问，请携带身份证件到窗口办理。"),
        )
    if answer.result != MATCH:
        raise DomainError("identity_unavailable", _("暂时无法核验，请到窗口办理。"))
    with transaction.atomic():
        _decide(
            actor=actor,
            link=link,
            action="applications.subject_agent.verify",
            fields=_verified_fields(SubjectAgent.Method.IDENTITY_PLATFORM, _("统一身份认证平台")),
        )
    return link
