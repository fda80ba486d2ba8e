"""Filing a case: the credit check first (R1), then only the modes the subject's entitlements and the
matter allow, the materials each mode needs, the frozen letter or pledge (R4–R6), and the first moves of
the lifecycle — all in one durable transaction with the history, audit entry, credit-record events and
outbox rows.
"""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from xinyipi.applications import letters
from xinyipi.applications.files import file_fields, uploads_check
from xinyipi.applications.models import (
    Application,
    ApplicationMaterial,
    Channel,
    CommitmentLetter,
    LetterKind,
    Mode,
    Status,
    SubjectAgent,
    SupplementPledge,
    Transition,
    Verification,
)
from xinyipi.applications.numbers import case_number_next
from xinyipi.applications.policy import workflow_policy_on
from xinyipi.applications.services.common import (
    actor_label,
    case_context,
    document_context,
    document_issue,
    tell_applicant,
)
from xinyipi.applications.workflow import check_transition, due_date_for
from xinyipi.audit.services import audit_record
from xinyipi.catalog.exclusions import exclusions_on
from xinyipi.catalog.models import Material, Matter
from xinyipi.core import clock
from xinyipi.core.crypto import sm3_hex
from xinyipi.core.errors import DomainError
from xinyipi.core.text import in_default_language, join_list
from xinyipi.credit.categories import Entitlement, Level, Purpose
from xinyipi.credit.models import CreditCheck
from xinyipi.credit.selectors import credit_check_reusable
from xinyipi.credit.services import credit_check_run
from xinyipi.records.services import record_append
from xinyipi.workdays.calendar import Deadline, add_working_days

S = Status


# ---------------------------------------------------------------------------------------------------
# R1: the check a filing rests on


def application_credit_check(*, actor, subject, incentive_card: str | None = None) -> CreditCheck:
    """The credit check a case of ``subject`` rests on (R1): a complete check of the subject younger than
    ``XINYIPI_CHECK_REUSE_SECONDS`` is reused; otherwise (and always when a card is presented, since a card
    is re-checked at each use) a new check with purpose ``application`` is run.

    Asks the credit sources outside any transaction: call it before the filing transaction opens.
    """
    if not incentive_card:
        reusable = credit_check_reusable(subject=subject, max_age_seconds=settings.APPLICATIONS["CHECK_REUSE_SECONDS"])
        if reusable is not None:
            return reusable
    return credit_check_run(subject=subject, purpose=Purpose.APPLICATION, actor=actor, incentive_card=incentive_card)


# ---------------------------------------------------------------------------------------------------
# Which modes the subject and the matter allow


@dataclass(frozen=True)
class ModeOffer:
    """One mode as offered to the applicant: allowed or not, and why not (``matter`` or ``credit``)."""

    mode: str
    allowed: bool
    reason: str = ""
    message: str = ""


def _matter_refusal(mode: str, matter: Matter) -> str:
    """Why ``matter`` does not offer ``mode`` ('' when it does)."""
    if mode == Mode.INSTANT and not matter.instant:
        return _("事项“%(name)s”未实行信用+秒批。")
    if mode == Mode.COMMITMENT:
        if matter.commitment_kind == Matter.CommitmentKind.NONE:
            return _("事项“%(name)s”未实行告知承诺制。")
        if exclusions_on().commitment_hits(matter.excluded_domains or []):
            return _("事项“%(name)s”涉及不适用告知承诺的领域（国办发〔2020〕42号）。")
    if mode == Mode.TOLERANCE:
        if not matter.tolerance:
            return _("事项“%(name)s”不在容缺受理事项目录中。")
        if exclusions_on().tolerance_hits(matter.excluded_domains or []):
            return _("事项“%(name)s”涉及不适用容缺受理的领域。")
    return ""


_ENTITLEMENT_OF_MODE = {
    Mode.INSTANT: Entitlement.INSTANT_APPROVAL,
    Mode.COMMITMENT: Entitlement.COMMITMENT,
    Mode.TOLERANCE: Entitlement.TOLERANCE,
}


def application_modes(*, matter: Matter, check: CreditCheck) -> list[ModeOffer]:
    """Every mode, each allowed or refused with its reason, for ``matter`` and the subject's ``check``.

    When the credit policy prescribes a mode for the subject's level (``key_review`` for a dishonest subject
    under the default policy, R3/R9), that mode is the only one, and a ``standard`` request is filed in it;
    a prescribed-only mode (``key_review``) is offered to no other level. The policy decides, so a new policy
    version changes filing without a change of code.
    """
    required = check.required_mode()
    level_label = str(Level(check.level).label) if check.level in Level.values else check.level
    offers = []
    for mode in Mode.values:
        if required:
            offers.append(
                ModeOffer(mode, True)
                if mode == required
                else ModeOffer(
                    mode,
                    False,
                    "credit",
                    _("信用等级为“%(level)s”的申请主体按%(mode)s办理。")
                    % {"level": level_label, "mode": Mode(required).label},
                )
            )
            continue
        if mode == Mode.KEY_REVIEW:
            offers.append(ModeOffer(mode, False, "credit", _("重点审查仅适用于信用政策规定的信用等级（失信主体）。")))
            continue
        if mode == Mode.STANDARD:
            offers.append(ModeOffer(mode, True))
            continue
        refusal = _matter_refusal(mode, matter)
        if refusal:
            offers.append(ModeOffer(mode, False, "matter", refusal % {"name": matter.name}))
            continue
        entitlement = _ENTITLEMENT_OF_MODE[mode]
        if not check.allows(entitlement):
            incomplete = "" if check.complete else _("（本次信用核查不完整）")
            offers.append(
                ModeOffer(
                    mode,
                    False,
                    "credit",
                    _("申请主体信用等级为“%(level)s”%(incomplete)s，不享受“%(entitlement)s”便利措施。")
                    % {"level": level_label, "incomplete": incomplete, "entitlement": Entitlement(entitlement).label},
                )
            )
            continue
        offers.append(ModeOffer(mode, True))
    return offers


def _effective_mode(requested: str, matter: Matter, check: CreditCheck) -> str:
    """The mode the case is filed in, or 422 ``mode_not_allowed`` naming the matter or the credit."""
    required = check.required_mode()
    if requested == Mode.STANDARD and required:
        return required  # DESIGN.md: "mode: standard from a dishonest subject is filed as key_review"
    offers = {offer.mode: offer for offer in application_modes(matter=matter, check=check)}
    offer = offers[requested]
    if not offer.allowed:
        raise DomainError(
            "mode_not_allowed",
            offer.message,
            "mode",
            reason=offer.reason,
            allowed_modes=[o.mode for o in offers.values() if o.allowed],
            credit_level=check.level,
            credit_check_id=check.pk,
        )
    return requested


# ---------------------------------------------------------------------------------------------------
# Materials


def _names(materials: Iterable[Material]) -> str:
    return join_list(f"{m.name}（{m.code}）" for m in materials)


def _materials_missing(missing: list[Material]) -> DomainError:
    # 行政许可法 Art. 32: every material to be supplied is told at once, in one notice.
    return DomainError(
        "materials_missing",
        _("申请材料不齐全，请一次性补齐以下材料：%(names)s。") % {"names": _names(missing)},
        "materials",
        missing=[m.code for m in missing],
    )


def _codes(values, field: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise DomainError("invalid_input", _("应为材料编码的列表。"), field)
    codes = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise DomainError("invalid_input", _("材料编码应为非空文本。"), field)
        if value.strip() not in codes:
            codes.append(value.strip())
    return codes


def _known(codes: list[str], catalog: dict[str, Material], field: str) -> None:
    unknown = [c for c in codes if c not in catalog]
    if unknown:
        raise DomainError(
            "unknown_material",
            _("事项没有以下材料：%(codes)s。") % {"codes": join_list(unknown)},
            field,
            codes=unknown,
        )


def _accepted(statement, field: str, code: str, message) -> dict:
    if not isinstance(statement, dict) or statement.get("accepted") is not True:
        raise DomainError(code, message, field)
    return statement


def _material_states(
    *, mode: str, matter: Matter, catalog: dict[str, Material], provided: list[str], commitment, pledge
) -> tuple[dict[str, str], list[Material]]:
    """The state of every material of the matter under ``mode``, and the certificates replaced; or the
    refusal naming what is wrong (nothing is written before this passes)."""
    ordered = list(catalog.values())
    provided_set = set(provided)
    states = {code: ApplicationMaterial.State.PROVIDED for code in provided}
    replaced: list[Material] = []
    if mode == Mode.COMMITMENT:
        _accepted(
            commitment,
            "commitment.accepted",
            "commitment_not_accepted",
            _("请阅读并接受告知承诺书（accepted: true）。"),
        )
        certificates = _codes(commitment.get("certificates"), "commitment.certificates")
        _known(certificates, catalog, "commitment.certificates")
        for code in certificates:
            material = catalog[code]
            if not (material.certificate and material.replaceable):
                raise DomainError(
                    "certificate_not_replaceable",
                    _("材料“%(name)s”不是可以由告知承诺替代的证明材料。") % {"name": material.name},
                    "commitment.certificates",
                )
            if code in provided_set:
                raise DomainError(
                    "certificate_provided_and_replaced",
                    _("证明材料“%(name)s”不能既提交又以承诺替代，请选择其一。") % {"name": material.name},
                    "commitment.certificates",
                )
        if matter.commitment_kind == Matter.CommitmentKind.CERTIFICATE and not certificates:
            raise DomainError(
                "commitment_certificates_required",
                _("请选择以告知承诺替代的证明材料；不作承诺的，可选择一般办理并提交全部材料。"),
                "commitment.certificates",
            )
        replaced = [catalog[c] for c in certificates]
        missing = [m for m in ordered if m.code not in provided_set and m.code not in certificates]
        if missing:
            raise _materials_missing(missing)
        states |= {c: ApplicationMaterial.State.REPLACED for c in certificates}
    elif mode == Mode.TOLERANCE:
        missing = [m for m in ordered if m.code not in provided_set]
        essential = [m for m in missing if m.essential]
        if essential:
            raise DomainError(
                "essential_material_missing",
                _("容缺受理须主要材料齐全，缺少主要材料：%(names)s。") % {"names": _names(essential)},
                "materials",
                missing=[m.code for m in essential],
            )
        intolerable = [m for m in missing if not m.tolerable]
        if intolerable:
            raise DomainError(
                "material_not_tolerable",
                _("以下材料不在本事项可容缺材料清单中，须当场提交：%(names)s。") % {"names": _names(intolerable)},
                "materials",
                missing=[m.code for m in intolerable],
            )
        if not missing:
            raise DomainError(
                "nothing_to_tolerate",
                _("申请材料已经齐全，无需容缺受理，请选择其他办理模式。"),
                "mode",
            )
        _accepted(
            pledge,
            "supplement_pledge.accepted",
            "supplement_pledge_required",
            _("容缺受理须签署容缺受理承诺书（supplement_pledge.accepted: true）。"),
        )
        states |= {m.code: ApplicationMaterial.State.MISSING for m in missing}
    else:
        missing = [m for m in ordered if m.code not in provided_set]
        if missing:
            raise _materials_missing(missing)
    return states, replaced


# ---------------------------------------------------------------------------------------------------
# Deadlines


def decision_deadline(matter: Matter, start) -> Deadline:
    """The promised completion date (承诺办结时限), in the matter's unit."""
    if matter.promised_day_unit == Matter.DayUnit.CALENDAR:
        import datetime as dt

        return Deadline(date=start + dt.timedelta(days=matter.promised_days), provisional=False)
    return add_working_days(start, matter.promised_days)


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


# ---------------------------------------------------------------------------------------------------
# The filing


def _signer(actor, subject, statement: dict | None) -> dict:
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


def _target(mode: str, matter: Matter) -> str:
    if mode == Mode.INSTANT:
        return S.APPROVED  # R10: decided with no human step
    if mode == Mode.COMMITMENT and matter.commitment_kind == Matter.CommitmentKind.LICENCE:
        return S.APPROVED  # R5: the decision on the spot, in the same request
    if mode == Mode.TOLERANCE:
        return S.AWAITING_SUPPLEMENT
    return S.UNDER_REVIEW


def application_file(
    *,
    actor,
    matter: Matter,
    subject,
    mode: str,
    materials: Iterable[str],
    commitment: dict | None = None,
    supplement_pledge: dict | None = None,
    channel: str,
    incentive_card: str | None = None,
    files: dict | None = None,
) -> Application:
    """File a case of ``subject`` for ``matter`` in ``mode`` (DESIGN.md §5, §6.1 "Filing").

    ``materials`` are the codes of the materials brought; ``files`` optionally maps some of them to uploaded
    files. ``commitment`` is ``{"certificates": [...], "accepted": True, "agent_name"?, "agent_authorisation"?}``
    and is read only under ``commitment``; ``supplement_pledge`` is ``{"accepted": True, …}`` and is read only
    under ``tolerance``. Refusals are ``DomainError``s (422) with a stable code; nothing about the case is
    written before every check has passed (the credit check itself is recorded, R8).
    """
    if matter.status != Matter.Status.IN_USE:
        raise DomainError(
            "matter_not_in_use",
            _("事项“%(name)s”当前状态为“%(status)s”，不受理申请。")
            % {"name": matter.name, "status": matter.get_status_display()},
            "matter_code",
        )
    if mode not in Mode.values:
        raise DomainError("unknown_mode", _("办理模式应为：%(modes)s。") % {"modes": join_list(Mode.values)}, "mode")
    if channel not in Channel.values:
        raise DomainError("invalid_channel", _("受理渠道应为 online 或 window。"), "channel")
    catalog = {m.code: m for m in matter.materials.all()}
    provided = _codes(materials, "materials")
    _known(provided, catalog, "materials")
    uploads = uploads_check(files, set(provided))

    check = application_credit_check(actor=actor, subject=subject, incentive_card=incentive_card)
    effective = _effective_mode(mode, matter, check)
    states, replaced = _material_states(
        mode=effective,
        matter=matter,
        catalog=catalog,
        provided=provided,
        commitment=commitment,
        pledge=supplement_pledge,
    )
    statement = (
        commitment if effective == Mode.COMMITMENT else supplement_pledge if effective == Mode.TOLERANCE else None
    )
    signer = _signer(actor, subject, statement) if statement is not None else {}
    return _file(
        actor=actor,
        matter=matter,
        subject=subject,
        requested=mode,
        mode=effective,
        channel=channel,
        check=check,
        catalog=catalog,
        states=states,
        replaced=replaced,
        uploads=uploads,
        signer=signer,
    )


@in_default_language
@transaction.atomic(durable=True)
def _file(
    *, actor, matter, subject, requested, mode, channel, check, catalog, states, replaced, uploads, signer
) -> Application:
    now = clock.now()
    today = clock.to_beijing(now).date()
    policy = workflow_policy_on(today)
    target = _target(mode, matter)
    path = [S.SUBMITTED, S.ACCEPTED, target]
    check_transition(S.DRAFT, S.SUBMITTED)
    for before, after in itertools.pairwise(path):
        check_transition(before, after, mode=mode)

    decision_due = decision_deadline(matter, today)
    values = {
        "number": case_number_next(matter=matter, on=today),
        "matter": matter,
        "subject": subject,
        "department": matter.department,
        "mode": mode,
        "requested_mode": requested,
        "status": target,
        "channel": channel,
        "filed_by": actor if getattr(actor, "is_authenticated", False) else None,
        "credit_check": check,
        "credit_level": check.level,
        # R10: the green channel is granted with the check the case rests on, and withdrawn on listing (R9).
        "green_channel": check.allows(Entitlement.GREEN_CHANNEL),
        "decision_due": decision_due.date,
        "decision_due_provisional": decision_due.provisional,
        "created_at": now,
        "updated_at": now,
    }
    supplement_due = None
    if target == S.AWAITING_SUPPLEMENT:
        supplement_due = add_working_days(today, matter.supplement_days)
        values |= {"supplement_due": supplement_due.date, "supplement_due_provisional": supplement_due.provisional}
    if target == S.APPROVED:
        values["decided_at"] = now
    values["due_date"] = due_date_for(target, values)
    application = Application(**values)
    if target == S.APPROVED:
        for field, value in verification_schedule(application, matter, today).items():
            setattr(application, field, value)
    application.save(force_insert=True)

    label = actor_label(actor)
    user = values["filed_by"]
    reasons = {
        S.SUBMITTED: _("提交申请（%(channel)s）") % {"channel": Channel(channel).label},
        S.ACCEPTED: _("信用核查 #%(id)d：%(level)s；按“%(mode)s”受理")
        % {"id": check.pk, "level": Level(check.level).label, "mode": Mode(mode).label},
        S.APPROVED: _("信用+秒批，系统即时作出决定")
        if mode == Mode.INSTANT
        else _("涉企经营许可告知承诺，当场作出许可决定"),
        S.AWAITING_SUPPLEMENT: _("容缺受理，补正期限 %(date)s") % {"date": values.get("supplement_due")},
        S.UNDER_REVIEW: _("进入审查"),
    }
    Transition.objects.bulk_create(
        [
            Transition(
                application=application,
                from_status=before,
                to_status=after,
                at=now,
                actor=user,
                actor_label=label,
                reason=reasons[after],
            )
            for before, after in zip(["", *path], path, strict=False)
        ]
    )

    rows = []
    for code, material in catalog.items():
        state = states.get(code)
        if state is None:  # an optional material not brought: not part of the case
            continue
        extra = file_fields(uploads[code]) if code in uploads else {}
        rows.append(
            ApplicationMaterial(
                application=application, material=material, code=code, name=material.name, state=state, **extra
            )
        )
    ApplicationMaterial.objects.bulk_create(rows)
    _materials_known(application, rows)

    frozen = {}
    if mode == Mode.COMMITMENT:
        frozen["commitment_letter"] = _letter_freeze(application, matter, subject, replaced, signer, actor, now)
    if mode == Mode.TOLERANCE:
        missing = [catalog[c] for c, s in states.items() if s == ApplicationMaterial.State.MISSING]
        missing.sort(key=lambda m: (m.order, m.pk))
        frozen["supplement_pledge"] = _pledge_freeze(
            application, matter, subject, missing, supplement_due, policy.grace_days, signer, actor, now
        )
        _tolerance_notice(application, missing, supplement_due, policy.grace_days)
    if application.verification_due is not None:
        Verification.objects.create(application=application, due=application.verification_due)
    if target == S.APPROVED:
        decision_issue_approval(application, actor=actor)
    else:
        tell_applicant(
            application,
            kind="acceptance",
            key="acceptance",
            title=_("受理通知"),
            body=_("您申请的“%(matter)s”已受理，办件编号 %(number)s，办理模式：%(mode)s。")
            % {"matter": matter.name, "number": application.number, "mode": Mode(mode).label},
        )

    audit_record(
        actor=actor,
        action="applications.application.file",
        obj=application,
        after={
            "number": application.number,
            "matter": matter.code,
            "subject_id": subject.pk,
            "mode": mode,
            "requested_mode": requested,
            "status": target,
            "history": path,
            "channel": channel,
            "credit_check_id": check.pk,
            "credit_level": check.level,
            "green_channel": application.green_channel,
            "supplement_due": application.supplement_due,
            "verification_due": application.verification_due,
            "verification_sampled": application.verification_sampled,
            "materials": states,
            "files": {code: f.sm3 for code, f in uploads.items()},
            **{f"{kind}_sm3": row.text_sm3 for kind, row in frozen.items()},
        },
    )
    return application


def _materials_known(application: Application, rows: list[ApplicationMaterial]) -> None:
    """Keep the case's material rows as just written, as ``prefetch_related`` would: the answer to the filing
    request reads ``application.materials.all()`` without another query."""
    queryset = ApplicationMaterial.objects.filter(application=application)  # lazy: never run
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    application._prefetched_objects_cache = {"materials": queryset}


def _letter_freeze(application, matter, subject, replaced, signer, actor, now) -> CommitmentLetter:
    """R4: the commitment letter as accepted, frozen (text + SM3 + time + who) and put in the credit record."""
    template = letters.letter_template_current(LetterKind.COMMITMENT_LETTER, matter)
    certificates = [letters.certificate_context(m, matter) for m in replaced]
    verification = letters.verification_context(matter)
    context = {
        "case": case_context(application),
        "matter": letters.matter_context(matter),
        "subject": letters.subject_context(subject),
        "certificates": certificates,
        "verification": verification,
        "listing": letters.listing_context(clock.to_beijing(now).date()),
        "signer": letters.signer_context(subject=subject, signed_at=now, **signer),
    }
    text, digest = letters.render(template, context)
    letter = CommitmentLetter.objects.create(
        application=application,
        template=template,
        template_version=template.version,
        text=text,
        text_sm3=digest,
        commitment_kind=matter.commitment_kind,
        certificates=[{"code": c["code"], "name": c["name"]} for c in certificates],
        signer_name=subject.name,
        agent_name=signer.get("agent_name", ""),
        agent_authorisation=signer.get("agent_authorisation", ""),
        accepted_at=now,
        accepted_by=actor if getattr(actor, "is_authenticated", False) else None,
        accepted_by_label=actor_label(actor),
    )
    record_append(
        subject=subject,
        type="commitment_letter",
        summary=_("签署告知承诺书：%(matter)s（办件 %(number)s）")
        % {"matter": matter.name, "number": application.number},
        payload={
            "application_id": application.pk,
            "number": application.number,
            "matter_code": matter.code,
            "commitment_kind": matter.commitment_kind,
            "certificates": [c["code"] for c in certificates],
            "letter_id": letter.pk,
            "text_sm3": digest,
            "template_version": template.version,
        },
        source=letter,
        actor=actor,
        at=now,
    )
    return letter


def _pledge_freeze(application, matter, subject, missing, due, grace_days, signer, actor, now) -> SupplementPledge:
    """R6: the supplement pledge as accepted, frozen and put in the credit record."""
    template = letters.letter_template_current(LetterKind.SUPPLEMENT_PLEDGE, matter)
    context = {
        "case": case_context(application),
        "matter": letters.matter_context(matter),
        "subject": letters.subject_context(subject),
        "missing": [letters.missing_context(m) for m in missing],
        "deadline": {"date": letters.date_label(due.date), "provisional": due.provisional},
        "grace_days": grace_days,
        "listing": letters.listing_context(clock.to_beijing(now).date()),
        "signer": letters.signer_context(subject=subject, signed_at=now, **signer),
    }
    text, digest = letters.render(template, context)
    pledge = SupplementPledge.objects.create(
        application=application,
        template=template,
        template_version=template.version,
        text=text,
        text_sm3=digest,
        missing=[{"code": m.code, "name": m.name} for m in missing],
        due=due.date,
        signer_name=subject.name,
        agent_name=signer.get("agent_name", ""),
        agent_authorisation=signer.get("agent_authorisation", ""),
        accepted_at=now,
        accepted_by=actor if getattr(actor, "is_authenticated", False) else None,
        accepted_by_label=actor_label(actor),
    )
    record_append(
        subject=subject,
        type="supplement_pledge",
        summary=_("签署容缺受理承诺书：%(matter)s（办件 %(number)s），承诺于 %(due)s 前补齐")
        % {"matter": matter.name, "number": application.number, "due": due.date.isoformat()},
        payload={
            "application_id": application.pk,
            "number": application.number,
            "matter_code": matter.code,
            "missing": [m.code for m in missing],
            "due": due.date.isoformat(),
            "pledge_id": pledge.pk,
            "text_sm3": digest,
            "template_version": template.version,
        },
        source=pledge,
        actor=actor,
        at=now,
    )
    return pledge


def _tolerance_notice(application, missing, due, grace_days) -> None:
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


def decision_issue_approval(application: Application, *, actor) -> None:
    """The approval's record event, decision document and notice (inside the approving transaction)."""
    matter = application.matter
    document_issue(application, LetterKind.APPROVAL_DECISION, document_context(application))
    record_append(
        subject=application.subject,
        type="decision",
        summary=_("准予许可：%(matter)s（办件 %(number)s，%(mode)s）")
        % {"matter": matter.name, "number": application.number, "mode": Mode(application.mode).label},
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
        body=_("您申请的“%(matter)s”（办件编号 %(number)s）已准予许可%(due)s。")
        % {"matter": matter.name, "number": application.number, "due": due},
    )
