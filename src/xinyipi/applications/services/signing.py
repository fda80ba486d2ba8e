"""What the applicant signs at filing, frozen (R4, R6): the commitment letter and the supplement pledge —
text, SM3 hash, time and signer — put in the credit record; and the tolerance notice that goes with a pledge."""

from django.utils.translation import gettext as _

from xinyipi.applications import letters
from xinyipi.applications.models import (
    CommitmentLetter,
    LetterKind,
    SubjectAgent,
    SupplementPledge,
)
from xinyipi.applications.services.common import (
    case_context,
    document_context,
    document_issue,
    tell_applicant,
)
from xinyipi.core import clock
from xinyipi.core.actors import actor_label
from xinyipi.core.errors import DomainError
from xinyipi.records.services import record_append


def signer_for(actor, subject, statement: dict | None) -> dict:
    """Who signs the letter or pledge: the agent named at the window, or the applicant's own link online."""
    statement = statement or {}
    agent_name = (statement.get("agent_name") or "").strip()[:100]
    authorisation = (statement.get("agent_authorisation") or "").strip()[:2000]
    if not agent_name and getattr(actor, "is_authenticated", False):
        link = SubjectAgent.objects.acting(actor).filter(subject=subject).first()
        if link is not None and link.relation == SubjectAgent.Relation.AGENT:
            agent_name, authorisation = str(actor)[:100], link.authorisation
    if agent_name and not authorisation:
        raise DomainError(
            "agent_authorisation_required",
            _("代理人代为承诺的，须有申请人的书面授权（agent_authorisation）。"),
            "agent_authorisation",
        )
    return {"agent_name": agent_name, "agent_authorisation": authorisation}


def _statement_freeze(
    *, kind, model, application, matter, subject, signer, actor, now, context: dict, fields: dict, record: dict
):
    """Render the signed text from the bureau's template, freeze it (text + SM3 + time + who) as a row of
    ``model`` and put it in the credit record (R8), in the filing's transaction."""
    template = letters.letter_template_current(kind, matter)
    text, digest = letters.render(
        template,
        {
            "case": case_context(application),
            "matter": letters.matter_context(matter),
            "subject": letters.subject_context(subject),
            "listing": letters.listing_context(clock.to_beijing(now).date()),
            "signer": letters.signer_context(subject=subject, signed_at=now, **signer),
            **context,
        },
    )
    row = model.objects.create(
        application=application,
        template=template,
        template_version=template.version,
        text=text,
        text_sm3=digest,
        signer_name=subject.name,
        agent_name=signer.get("agent_name", ""),
        agent_authorisation=signer.get("agent_authorisation", ""),
        accepted_at=now,
        accepted_by=actor if getattr(actor, "is_authenticated", False) else None,
        accepted_by_label=actor_label(actor),
        **fields,
    )
    record_append(
        subject=subject,
        type=record["type"],
        summary=record["summary"],
        payload={
            "application_id": application.pk,
            "number": application.number,
            "matter_code": matter.code,
            **record["payload"],
            record["id_key"]: row.pk,
            "text_sm3": digest,
            "template_version": template.version,
        },
        source=row,
        actor=actor,
        at=now,
    )
    return row


def letter_freeze(application, matter, subject, replaced, signer, actor, now) -> CommitmentLetter:
    """R4: the commitment letter as accepted: each certificate replaced, the verification, the liability."""
    certificates = [letters.certificate_context(m, matter) for m in replaced]
    return _statement_freeze(
        kind=LetterKind.COMMITMENT_LETTER,
        model=CommitmentLetter,
        application=application,
        matter=matter,
        subject=subject,
        signer=signer,
        actor=actor,
        now=now,
        context={"certificates": certificates, "verification": letters.verification_context(matter)},
        fields={
            "commitment_kind": matter.commitment_kind,
            "certificates": [{"code": c["code"], "name": c["name"]} for c in certificates],
        },
        record={
            "type": "commitment_letter",
            "summary": _("签署告知承诺书：%(matter)s（办件 %(number)s）")
            % {"matter": matter.name, "number": application.number},
            "payload": {"commitment_kind": matter.commitment_kind, "certificates": [c["code"] for c in certificates]},
            "id_key": "letter_id",
        },
    )


def pledge_freeze(application, matter, subject, missing, due, grace_days, signer, actor, now) -> SupplementPledge:
    """R6: the supplement pledge as accepted: every missing material, the deadline and the consequence."""
    return _statement_freeze(
        kind=LetterKind.SUPPLEMENT_PLEDGE,
        model=SupplementPledge,
        application=application,
        matter=matter,
        subject=subject,
        signer=signer,
        actor=actor,
        now=now,
        context={
            "missing": [letters.missing_context(m) for m in missing],
            "deadline": {"date": letters.date_label(due.date), "provisional": due.provisional},
            "grace_days": grace_days,
        },
        fields={"missing": [{"code": m.code, "name": m.name} for m in missing], "due": due.date},
        record={
            "type": "supplement_pledge",
            "summary": _("签署容缺受理承诺书：%(matter)s（办件 %(number)s），承诺于 %(due)s 前补齐")
            % {"matter": matter.name, "number": application.number, "due": due.date.isoformat()},
            "payload": {"missing": [m.code for m in missing], "due": due.date.isoformat()},
            "id_key": "pledge_id",
        },
    )


def tolerance_notice_issue(application, missing, due, grace_days) -> None:
    """R6: the 容缺受理通知书 at once — every missing material, the form, the deadline, the consequence."""
    document_issue(
        application,
        LetterKind.TOLERANCE_NOTICE,
        document_context(
            application,
            missing=[letters.missing_context(m) for m in missing],
            deadline={"date": letters.date_label(due.date), "provisional": due.provisional},
            grace_days=grace_days,
        ),
    )
    tell_applicant(
        application,
        kind="tolerance_notice",
        key="tolerance_notice",
        title=_("容缺受理通知"),
        body=_(
            "您申请的“%(matter)s”（办件编号 %(number)s）已容缺受理。请于 %(due)s 前补齐：%(missing)s。"
            "逾期将催告并给予 %(grace)d 个工作日补正期限，期满仍未补齐的终止办理并拟列入黑名单。"
        )
        % {
            "matter": application.matter.name,
            "number": application.number,
            "due": due.date.isoformat(),
            "missing": "、".join(m.name for m in missing),
            "grace": grace_days,
        },
    )
