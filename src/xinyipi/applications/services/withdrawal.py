"""The applicant withdraws a case that is still being handled (DESIGN.md §5: any open state → withdrawn)."""

from django.db import transaction
from django.utils.translation import gettext as _

from xinyipi.accounts.access import access_application
from xinyipi.applications.models import Application, CorrectionRequest, LetterKind, Status
from xinyipi.applications.services.common import (
    document_context,
    document_issue,
    tell_applicant,
)
from xinyipi.applications.workflow import transition_apply
from xinyipi.core.text import in_default_language


def application_withdraw(*, actor, application: Application, reason: str = "") -> Application:
    """Withdraw ``application`` (409 ``invalid_transition`` once it is decided or closed). The applicant acting
    for the subject may, and so may a window clerk recording the applicant's written request. A withdrawn
    tolerance case owes nothing more: its pledge is neither kept nor broken."""
    access_application(actor, application, action="withdraw")
    reason = (reason or "").strip()[:2000]
    return _withdraw(actor=actor, application=application, reason=reason)


@in_default_language
@transaction.atomic(durable=True)
def _withdraw(*, actor, application: Application, reason: str) -> Application:
    reason = reason or _("申请人撤回申请")
    transition_apply(application, to=Status.WITHDRAWN, actor=actor, reason=reason)
    # A correction notice still waiting for its answer is closed with the case.
    CorrectionRequest.objects.filter(application=application, outcome="").update(
        outcome=CorrectionRequest.Outcome.WITHDRAWN
    )
    document_issue(
        application, LetterKind.TERMINATION_NOTICE, document_context(application, decision={"reason": reason})
    )
    tell_applicant(
        application,
        kind="termination",
        key="withdrawn",
        title=_("终止办理通知"),
        body=_("您申请的“%(matter)s”（办件编号 %(number)s）已按您的申请撤回，终止办理。")
        % {"matter": application.matter.name, "number": application.number},
    )
    return application
