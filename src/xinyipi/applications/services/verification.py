"""Verification after approval of a case resting on a commitment (R4, R5, R7):

- ``fulfilled`` → ``verified``;
- ``breached`` (the commitment was false) → the approval is revoked, both go into the credit record, and a
  listing is proposed (R9); the subject is dishonest from that moment (R3);
- ``nonconforming`` (conditions not yet met, nothing false) → ``rectifying`` with a rectification order and a
  date (国发〔2021〕7号 "责令限期整改"); a re-check then verifies, or revokes with no listing. A second
  ``nonconforming``, or the date passing (the sweep), revokes.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from xinyipi.accounts.access import access_application
from xinyipi.applications import letters
from xinyipi.applications.models import Application, LetterKind, Mode, Status, Verification, VerificationFile
from xinyipi.applications.policy import workflow_policy_on
from xinyipi.applications.services.common import (
    document_context,
    document_issue,
    tell_applicant,
)
from xinyipi.applications.workflow import VERIFIABLE_STATUSES, transition_apply
from xinyipi.core import clock
from xinyipi.core.actors import actor_label
from xinyipi.core.errors import DomainError, InvalidTransition
from xinyipi.core.text import in_default_language
from xinyipi.core.uploads import upload_check, upload_store
from xinyipi.licences.services import licence_revoke
from xinyipi.records.services import record_append
from xinyipi.supervision.models import BlacklistEntry
from xinyipi.supervision.services import blacklist_propose
from xinyipi.workdays.calendar import add_working_days

OUTCOMES = tuple(Verification.Outcome.values)
MAX_FILES = 10


def application_verify(
    *, actor, application: Application, outcome: str, evidence: str, files: list | None = None
) -> Application:
    """Record the verification of a commitment case in ``approved``, ``verifying`` or ``rectifying`` (409
    otherwise). ``evidence`` (the written account) is required; ``files`` (photos, PDFs) are checked before
    anything is written and kept under their SM3 hash. Reviewers of the matter's department only."""
    access_application(actor, application, action="verify")
    if outcome not in OUTCOMES:
        raise DomainError("invalid_outcome", _("核查结果应为 fulfilled、nonconforming 或 breached。"), "outcome")
    evidence = (evidence or "").strip()
    if not evidence:
        raise DomainError("evidence_required", _("请填写核查证据（核查方式、所见事实、材料）。"), "evidence")
    if application.mode != Mode.COMMITMENT:
        raise InvalidTransition(
            "not_a_commitment_case",
            _("该办件不是告知承诺办件，无需核查承诺。"),
            from_status=application.status,
        )
    if application.status not in VERIFIABLE_STATUSES:
        raise InvalidTransition(
            "invalid_transition",
            _("办件当前状态为“%(status)s”，不能登记核查结果。") % {"status": Status(application.status).label},
            from_status=application.status,
            to_status=Status.VERIFIED if outcome == "fulfilled" else Status.REVOKED,
        )
    if len(files or []) > MAX_FILES:
        raise DomainError("too_many_files", _("核查证据文件不能超过 %(n)d 个。") % {"n": MAX_FILES}, "files")
    checked = [upload_check("evidence", upload) for upload in files or []]
    return _verify(actor=actor, application=application, outcome=outcome, evidence=evidence[:5000], files=checked)


@in_default_language
@transaction.atomic(durable=True)
def _verify(*, actor, application: Application, outcome: str, evidence: str, files: list) -> Application:
    now = clock.now()
    matter = application.matter
    rechecked = application.status == Status.RECTIFYING
    if application.status == Status.APPROVED:
        transition_apply(application, to=Status.VERIFYING, actor=actor, reason=_("开展承诺核查"))
    Verification.objects.update_or_create(
        application=application,
        defaults={
            "due": application.verification_due,
            "outcome": outcome,
            "evidence": evidence,
            "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
            "recorded_by_label": actor_label(actor),
            "recorded_at": now,
        },
    )
    for checked in files:
        VerificationFile.objects.create(
            application=application,
            outcome=outcome,
            file=upload_store(checked),
            file_name=checked.name,
            file_size=checked.size,
            file_sm3=checked.sm3,
            file_type=checked.type,
            recorded_at=now,
            recorded_by_label=actor_label(actor),
        )
    names = {"matter": matter.name, "number": application.number}
    payload = {
        "application_id": application.pk,
        "number": application.number,
        "matter_code": matter.code,
        "verification_due": application.verification_due.isoformat() if application.verification_due else None,
        "outcome": outcome,
        "evidence": evidence[:500],
        "evidence_files": [{"name": f.name, "sm3": f.sm3} for f in files],
    }

    def record(type_: str, summary: str, **extra) -> None:
        record_append(
            subject=application.subject,
            type=type_,
            summary=summary % names,
            payload=payload | extra,
            source=application,
            actor=actor,
            at=now,
        )

    if outcome == Verification.Outcome.FULFILLED:
        transition_apply(application, to=Status.VERIFIED, actor=actor, reason=evidence)
        record("commitment_fulfilled", _("告知承诺经核查属实：%(matter)s（办件 %(number)s）"), rechecked=rechecked)
        tell_applicant(
            application,
            kind="verification",
            key="verification",
            title=_("核查结果"),
            body=(
                _("您就“%(matter)s”（办件编号 %(number)s）整改后经复查，符合许可条件，核查完毕。")
                if rechecked
                else _("您就“%(matter)s”（办件编号 %(number)s）作出的告知承诺经核查属实。")
            )
            % names,
        )
        return application

    if outcome == Verification.Outcome.NONCONFORMING and not rechecked:
        return _order_rectification(actor=actor, application=application, evidence=evidence, record=record)

    if outcome == Verification.Outcome.NONCONFORMING:
        # Re-checked after rectification and still short of the conditions: revoked, not listed (nothing false).
        reason = _("整改后经复查仍不符合许可条件：%(evidence)s") % {"evidence": evidence}
        revocation_after_rectification(actor=actor, application=application, reason=reason, record=record)
        return application

    transition_apply(application, to=Status.REVOKED, actor=actor, reason=evidence)
    licence_revoke(application, actor=actor, reason=evidence)
    record("commitment_breached", _("告知承诺经核查不实：%(matter)s（办件 %(number)s）"))
    record("revocation", _("撤销行政许可：%(matter)s（办件 %(number)s）"))
    document_issue(
        application, LetterKind.REVOCATION_DECISION, document_context(application, decision={"reason": evidence})
    )
    tell_applicant(
        application,
        kind="revocation",
        key="revocation",
        title=_("撤销决定"),
        body=_("您就“%(matter)s”（办件编号 %(number)s）作出的告知承诺经核查不实，该许可已被撤销，并拟列入黑名单。")
        % names,
    )
    blacklist_propose(
        subject=application.subject,
        reason=BlacklistEntry.Reason.COMMITMENT_BREACHED,
        case=application,
        evidence=evidence,
        actor=actor,
    )
    return application


def _order_rectification(*, actor, application: Application, evidence: str, record) -> Application:
    today = clock.today()
    policy = workflow_policy_on(today)
    due = add_working_days(today, policy.rectification_days)
    transition_apply(
        application,
        to=Status.RECTIFYING,
        actor=actor,
        reason=_("核查发现尚不符合许可条件，责令于 %(due)s 前整改：%(evidence)s")
        % {"due": due.date.isoformat(), "evidence": evidence},
        changes={"rectification_due": due.date, "rectification_due_provisional": due.provisional},
    )
    application.rectification_due, application.rectification_due_provisional = due.date, due.provisional
    document = document_issue(
        application,
        LetterKind.RECTIFICATION_ORDER,
        document_context(
            application,
            decision={"reason": evidence},
            deadline={"date": letters.date_label(due.date), "provisional": due.provisional},
        ),
    )
    record(
        "rectification_ordered",
        _("责令限期整改：%(matter)s（办件 %(number)s）"),
        rectification_due=due.date.isoformat(),
        document_number=document.number,
        reference=policy.rectification_reference,
    )
    tell_applicant(
        application,
        kind="verification",
        key="rectification",
        title=_("责令限期整改通知"),
        body=_(
            "您申请的“%(matter)s”（办件编号 %(number)s）经核查尚不符合许可条件，请于 %(due)s 前整改完毕并告知"
            "审批部门复查；逾期不整改或整改后仍不符合条件的，将依法撤销许可。"
        )
        % {"matter": application.matter.name, "number": application.number, "due": due.date.isoformat()},
    )
    return application


def revocation_after_rectification(*, actor, application: Application, reason: str, record) -> None:
    """Revoke a case whose rectification did not bring it up to the conditions: the decision states the
    reason and the remedies; no listing (nothing false was found, R7). In the caller's transaction."""
    transition_apply(application, to=Status.REVOKED, actor=actor, reason=reason)
    licence_revoke(application, actor=actor, reason=reason)
    record("revocation", _("撤销行政许可（整改后仍不符合条件）：%(matter)s（办件 %(number)s）"))
    document_issue(
        application,
        LetterKind.REVOCATION_DECISION,
        document_context(application, decision={"reason": reason, "lapsed": True}),
    )
    tell_applicant(
        application,
        kind="revocation",
        key="revocation",
        title=_("撤销决定"),
        body=_("您申请的“%(matter)s”（办件编号 %(number)s）经责令整改仍不符合许可条件，该许可已被撤销。")
        % {"matter": application.matter.name, "number": application.number},
    )
