"""What an approval of a case brings with it: the verification of a commitment scheduled (R4, R5), the
electronic licence of a matter that issues one, and the decision's record event, document and notice."""

from django.utils.translation import gettext as _

from xinyipi.applications import letters
from xinyipi.applications.models import Application, Mode, decision_words
from xinyipi.applications.policy import workflow_policy_on
from xinyipi.applications.services.common import document_context, document_issue, tell_applicant
from xinyipi.catalog.models import Matter
from xinyipi.core.crypto import sm3_hex
from xinyipi.core.rows import JoinedWrites
from xinyipi.licences.services import licence_issue
from xinyipi.records.services import record_append
from xinyipi.workdays.calendar import add_working_days


def verification_pick(*, number: str, matter: Matter, on) -> bool:
    """Whether a commitment case is verified: always under full verification; under sampling when the
    case number's SM3 hash falls within the policy's rate (reproducible and explainable)."""
    if matter.verification_mode == Matter.VerificationMode.FULL:
        return True
    rate = workflow_policy_on(on).verification_sample_rate
    return int(sm3_hex(number)[:8], 16) < rate * 0x1_0000_0000


def verification_schedule(application: Application, matter: Matter, on) -> dict:
    """The fields that schedule (or not) the verification of a commitment case approved on ``on``."""
    if application.mode != Mode.COMMITMENT:
        return {}
    picked = verification_pick(number=application.number, matter=matter, on=on)
    if not picked:
        return {"verification_sampled": False, "verification_due": None, "verification_due_provisional": False}
    due = add_working_days(on, matter.verification_days)
    return {
        "verification_sampled": matter.verification_mode == Matter.VerificationMode.SAMPLE,
        "verification_due": due.date,
        "verification_due_provisional": due.provisional,
    }


def decision_issue_approval(
    application: Application, *, actor, audit_licence: bool = True, joined: JoinedWrites | None = None
) -> None:
    """The approval's licence, record event, decision document and notice (inside the approving transaction).
    ``audit_licence=False`` when the caller's audit entry of the approval names the licence; the record event
    goes out with a later statement when ``joined`` (``core.rows.writes_joined``)."""
    matter = application.matter
    approval = decision_words(matter.task_type)[0]
    licence_issue(application, actor=actor, audit=audit_licence)
    document_issue(application, letters.decision_kinds(matter)[0], document_context(application))
    record_append(
        subject=application.subject,
        type="decision",
        summary=_("%(decision)s：%(matter)s（办件 %(number)s，%(mode)s）")
        % {
            "decision": approval,
            "matter": matter.name,
            "number": application.number,
            "mode": Mode(application.mode).label,
        },
        payload={
            "application_id": application.pk,
            "number": application.number,
            "matter_code": matter.code,
            "mode": application.mode,
            "outcome": "approve",
            "verification_due": application.verification_due.isoformat() if application.verification_due else None,
        },
        source=application,
        actor=actor,
        at=application.decided_at,
        joined=joined,
    )
    due = (
        _("，本机关将于 %(date)s 前核查您的承诺") % {"date": application.verification_due.isoformat()}
        if application.verification_due
        else ""
    )
    tell_applicant(
        application,
        kind="decision",
        key="decision",
        title=_("审批决定"),
        body=_("您申请的“%(matter)s”（办件编号 %(number)s）已%(decision)s%(due)s。")
        % {"matter": matter.name, "number": application.number, "decision": approval, "due": due},
    )
