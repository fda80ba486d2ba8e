"""The department's decision on a case (行政许可法 Art. 38): approve from review; reject from review or
while a tolerance case waits for its materials. Reviewers decide only their own department's cases."""

from django.db import transaction
from django.utils.translation import gettext as _

from xinyipi.accounts.access import access_application
from xinyipi.applications import letters
from xinyipi.applications.models import Application, ApplicationMaterial, Status, Verification, decision_words
from xinyipi.applications.services.approval import decision_issue_approval, verification_schedule
from xinyipi.applications.services.common import document_context, document_issue, tell_applicant
from xinyipi.applications.workflow import SUPPLEMENT_STATUSES, transition_apply
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, InvalidTransition
from xinyipi.core.text import in_default_language, join_list
from xinyipi.records.services import record_append

OUTCOMES = ("approve", "reject")


def application_decide(*, actor, application: Application, outcome: str, reason: str) -> Application:
    """Approve (``under_review`` → ``approved``) or reject (``under_review``/``awaiting_supplement``/``reminded``
    → ``rejected``). A move the lifecycle does not allow, or one another reviewer made first, is 409
    ``invalid_transition``. A refusal needs its reason (Art. 38); approving a certificate-commitment case
    schedules its verification (per the matter: in full, or when sampled)."""
    access_application(actor, application, action="decide")
    if outcome not in OUTCOMES:
        raise DomainError("invalid_outcome", _("决定结果应为 approve 或 reject。"), "outcome")
    reason = (reason or "").strip()
    if outcome == "reject" and not reason:
        raise DomainError("reason_required", _("不予许可须说明理由。"), "reason")
    if outcome == "approve" and application.status in SUPPLEMENT_STATUSES:
        # R6: a tolerance case is approved by its last supplement (即时办结), never while materials are missing.
        raise InvalidTransition(
            "invalid_transition",
            _("容缺材料尚未补齐，不能作出准予许可决定；补齐全部材料后即时办结。"),
            from_status=application.status,
            to_status=Status.APPROVED,
        )
    if outcome == "approve":
        _paper_received_check(application)
    return _decide(actor=actor, application=application, outcome=outcome, reason=reason[:2000])


def _paper_received_check(application: Application) -> None:
    """An approval rests on the materials themselves: paper an online applicant said it would bring must have
    reached the window first (a refusal does not wait for it)."""
    awaiting = list(
        ApplicationMaterial.objects.filter(application=application, state=ApplicationMaterial.State.PAPER_AT_WINDOW)
    )
    if awaiting:
        raise DomainError(
            "paper_not_received",
            _("窗口尚未收到以下材料的纸质件，收到后方可作出准予决定：%(names)s。")
            % {"names": join_list(m.name for m in awaiting)},
            "outcome",
            codes=[m.code for m in awaiting],
        )


@in_default_language
@transaction.atomic(durable=True)
def _decide(*, actor, application: Application, outcome: str, reason: str) -> Application:
    now = clock.now()
    matter = application.matter
    if outcome == "approve":
        changes = {"decided_at": now, **verification_schedule(application, matter, clock.today())}
        transition_apply(
            application,
            to=Status.APPROVED,
            actor=actor,
            reason=reason or _("审查通过，%(decision)s") % {"decision": decision_words(matter.task_type)[0]},
            changes=changes,
        )
        if application.verification_due is not None:
            Verification.objects.create(application=application, due=application.verification_due)
        decision_issue_approval(application, actor=actor)
        return application

    transition_apply(application, to=Status.REJECTED, actor=actor, reason=reason, changes={"decided_at": now})
    refusal = letters.decision_kinds(matter)[1]
    refusal_words = decision_words(matter.task_type)[1]
    document_issue(application, refusal, document_context(application, decision={"reason": reason}))
    record_append(
        subject=application.subject,
        type="decision",
        summary=_("%(decision)s：%(matter)s（办件 %(number)s）")
        % {"decision": refusal_words, "matter": matter.name, "number": application.number},
        payload={
            "application_id": application.pk,
            "number": application.number,
            "matter_code": matter.code,
            "mode": application.mode,
            "outcome": "reject",
            "reason": reason,
        },
        source=application,
        actor=actor,
        at=now,
    )
    tell_applicant(
        application,
        kind="decision",
        key="decision",
        title=_("审批决定"),
        body=_(
            "您申请的“%(matter)s”（办件编号 %(number)s）%(decision)s。理由：%(reason)s。"
            "可依法申请行政复议或提起行政诉讼。"
        )
        % {"matter": matter.name, "number": application.number, "decision": refusal_words, "reason": reason},
    )
    return application
