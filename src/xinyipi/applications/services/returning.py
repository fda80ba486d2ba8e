"""退回 (return to the window): before deciding, the department's reviewer sends a case back to the window that
accepted it — it was accepted under the wrong matter or for the wrong department, or the acceptance itself
needs redoing. It is an internal step before any decision, not a decision on the application: the applicant
sees it in the case's history, the decision period runs on (the department's own time), and the window
either sends the case back to review with its answer, or closes it as not accepted — 行政许可法 Art. 32(2):
a matter outside the department's powers is not accepted, and the applicant is told where to apply (the
termination notice carries the window's reason). A new filing under the right matter is an ordinary filing.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from xinyipi.accounts.access import access_application
from xinyipi.applications.models import Application, LetterKind, Status
from xinyipi.applications.services.common import document_context, document_issue, tell_applicant
from xinyipi.applications.workflow import check_transition, transition_apply
from xinyipi.core.errors import DomainError
from xinyipi.core.text import in_default_language
from xinyipi.notifications.services import notify

RESOLUTIONS = ("resubmit", "not_accept")


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", message, "reason")
    return reason[:2000]


def application_return(*, actor, application: Application, reason: str) -> Application:
    """The reviewer returns a case under review to the window (→ ``returned``), saying why. 409 outside review."""
    access_application(actor, application, action="return")
    reason = _reason(reason, _("请写明退回理由（如受理事项或实施部门有误）。"))
    check_transition(application.status, Status.RETURNED)
    return _return(actor=actor, application=application, reason=reason)


@in_default_language
@transaction.atomic(durable=True)
def _return(*, actor, application: Application, reason: str) -> Application:
    transition_apply(
        application,
        to=Status.RETURNED,
        actor=actor,
        reason=_("退回窗口：%(reason)s") % {"reason": reason},
        audit_action="applications.application.return",
    )
    # The clerk who accepted the case at the window is told in the console's inbox (an online filing has no
    # such clerk: the window's queue shows it to every clerk).
    clerk = application.filed_by if application.channel == Application.Channel.WINDOW else None
    if clerk is not None and clerk.is_active:
        notify(
            channel="in_app",
            recipient=clerk,
            kind="return",
            title=_("办件退回窗口"),
            body=_("办件 %(number)s（%(matter)s，%(subject)s）已由审查部门退回：%(reason)s")
            % {
                "number": application.number,
                "matter": application.matter.name,
                "subject": application.subject.name,
                "reason": reason,
            },
            subject=application.subject,
            source=application,
            dedupe_key=f"application:{application.pk}:returned:{application.updated_at.isoformat()}",
        )
    return application


def application_return_resolve(*, actor, application: Application, outcome: str, reason: str) -> Application:
    """The window answers a returned case: ``resubmit`` (back to review, with the window's answer) or
    ``not_accept`` (closed as not accepted, with a termination notice to the applicant saying where to
    apply). 409 unless the case is ``returned``."""
    access_application(actor, application, action="resubmit")
    if outcome not in RESOLUTIONS:
        raise DomainError("invalid_outcome", _("处理结果应为 resubmit 或 not_accept。"), "outcome")
    if outcome == "resubmit":
        reason = _reason(reason, _("请写明重新提交审查的说明。"))
        check_transition(application.status, Status.UNDER_REVIEW)
    else:
        reason = _reason(reason, _("请写明不予受理的理由，并告知申请人向哪个机关申请。"))
        check_transition(application.status, Status.TERMINATED)  # only from ``returned``
    return _resolve(actor=actor, application=application, outcome=outcome, reason=reason)


@in_default_language
@transaction.atomic(durable=True)
def _resolve(*, actor, application: Application, outcome: str, reason: str) -> Application:
    if outcome == "resubmit":
        transition_apply(
            application,
            to=Status.UNDER_REVIEW,
            actor=actor,
            reason=_("窗口重新提交审查：%(reason)s") % {"reason": reason},
            audit_action="applications.application.resubmit",
        )
        return application
    text = _("不予受理：%(reason)s") % {"reason": reason}
    transition_apply(
        application, to=Status.TERMINATED, actor=actor, reason=text, audit_action="applications.application.not_accept"
    )
    document_issue(application, LetterKind.TERMINATION_NOTICE, document_context(application, decision={"reason": text}))
    tell_applicant(
        application,
        kind="termination",
        key="not_accepted",
        title=_("终止办理通知"),
        body=_("您申请的“%(matter)s”（办件编号 %(number)s）不予受理，终止办理。理由：%(reason)s")
        % {"matter": application.matter.name, "number": application.number, "reason": reason},
    )
    return application
