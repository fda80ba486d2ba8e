"""Verification after approval of a case resting on a commitment (R4, R5, R7): fulfilled → verified;
breached → the approval is revoked, both go into the credit record, and a listing is proposed (R9)."""

from django.db import transaction
from django.utils.translation import gettext as _

from xinyipi.accounts.access import access_application
from xinyipi.applications.models import Application, LetterKind, Mode, Status, Verification
from xinyipi.applications.services.common import (
    actor_label,
    document_context,
    document_issue,
    tell_applicant,
)
from xinyipi.applications.workflow import VERIFIABLE_STATUSES, transition_apply
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, InvalidTransition
from xinyipi.core.text import in_default_language
from xinyipi.records.services import record_append
from xinyipi.supervision.models import BlacklistEntry
from xinyipi.supervision.services import blacklist_propose

OUTCOMES = tuple(Verification.Outcome.values)


def application_verify(*, actor, application: Application, outcome: str, evidence: str) -> Application:
    """Record the verification of a commitment case in ``approved`` or ``verifying`` (409 otherwise).

    ``fulfilled`` → ``verified`` (``commitment_fulfilled``); ``breached`` → ``revoked`` (``revocation`` and
    ``commitment_breached``) and a listing proposed for the subject. ``evidence`` is required. Reviewers of
    the matter's department only.
    """
    access_application(actor, application, action="verify")
    if outcome not in OUTCOMES:
        raise DomainError("invalid_outcome", _("核查结果应为 fulfilled 或 breached。"), "outcome")
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
    return _verify(actor=actor, application=application, outcome=outcome, evidence=evidence[:5000])


@in_default_language
@transaction.atomic(durable=True)
def _verify(*, actor, application: Application, outcome: str, evidence: str) -> Application:
    now = clock.now()
    matter = application.matter
    if application.status == Status.APPROVED:
        transition_apply(application, to=Status.VERIFYING, actor=actor, reason=_("开展承诺核查"))
    fulfilled = outcome == Verification.Outcome.FULFILLED
    target = Status.VERIFIED if fulfilled else Status.REVOKED
    transition_apply(application, to=target, actor=actor, reason=evidence)
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
    payload = {
        "application_id": application.pk,
        "number": application.number,
        "matter_code": matter.code,
        "verification_due": application.verification_due.isoformat() if application.verification_due else None,
        "outcome": outcome,
        "evidence": evidence[:500],
    }
    names = {"matter": matter.name, "number": application.number}

    def record(type_: str, summary: str) -> None:
        record_append(
            subject=application.subject,
            type=type_,
            summary=summary % names,
            payload=payload,
            source=application,
            actor=actor,
            at=now,
        )

    if fulfilled:
        record("commitment_fulfilled", _("告知承诺经核查属实：%(matter)s（办件 %(number)s）"))
        tell_applicant(
            application,
            kind="verification",
            key="verification",
            title=_("核查结果"),
            body=_("您就“%(matter)s”（办件编号 %(number)s）作出的告知承诺经核查属实。") % names,
        )
        return application

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
