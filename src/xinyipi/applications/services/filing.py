"""Filing a case: the credit check first (R1), then only the modes the subject's entitlements and the
matter allow, the materials each mode needs, the frozen letter or pledge (R4–R6), and the first moves of
the lifecycle — all in one durable transaction with the history, audit entry, credit-record events and
outbox rows.
"""

import itertools
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from xinyipi.applications.files import file_fields, uploads_check
from xinyipi.applications.models import (
    Application,
    ApplicationMaterial,
    Channel,
    Mode,
    Status,
    Transition,
    Verification,
)
from xinyipi.applications.numbers import case_number_next
from xinyipi.applications.policy import workflow_policy_on
from xinyipi.applications.selectors import application_open_for
from xinyipi.applications.services.approval import decision_issue_approval, verification_schedule
from xinyipi.applications.services.common import tell_applicant
from xinyipi.applications.services.materials import (
    material_codes,
    material_codes_known,
    material_sources,
    material_states,
    materials_cache,
)
from xinyipi.applications.services.modes import application_credit_check, mode_effective
from xinyipi.applications.services.signing import letter_freeze, pledge_freeze, signer_for, tolerance_notice_issue
from xinyipi.applications.workflow import check_transition, due_date_for
from xinyipi.audit.services import audit_records
from xinyipi.catalog.models import Matter
from xinyipi.core import clock
from xinyipi.core.actors import actor_label
from xinyipi.core.errors import DomainError
from xinyipi.core.rows import row_insert, rows_insert, writes_joined
from xinyipi.core.text import in_default_language, join_list
from xinyipi.credit.categories import Entitlement, Level
from xinyipi.credit.services import credit_check_audit_entry, credit_check_save, credit_check_store
from xinyipi.licences.selectors import licence_materials_held
from xinyipi.stats.rollup import TOLERATED_STATES, application_facts, rollup_move, statutory_limit
from xinyipi.workdays.calendar import Deadline, add_working_days

S = Status


# ---------------------------------------------------------------------------------------------------
# Deadlines


def decision_deadline(matter: Matter, start) -> Deadline:
    """The promised completion date (承诺办结时限), in the matter's unit."""
    if matter.promised_day_unit == Matter.DayUnit.CALENDAR:
        import datetime as dt

        return Deadline(date=start + dt.timedelta(days=matter.promised_days), provisional=False)
    return add_working_days(start, matter.promised_days)


def _target(mode: str, matter: Matter) -> str:
    if mode == Mode.INSTANT:
        return S.APPROVED  # R10: decided with no human step
    if mode == Mode.COMMITMENT and matter.commitment_kind == Matter.CommitmentKind.LICENCE:
        return S.APPROVED  # R5: the decision on the spot, in the same request
    if mode == Mode.TOLERANCE:
        return S.AWAITING_SUPPLEMENT
    return S.UNDER_REVIEW


def duplicate_refuse(*, subject, matter) -> None:
    """No decision without a human step while the subject's earlier case of the same matter is still open:
    422 ``duplicate_open_case`` naming it (the earlier case is decided, or withdrawn, first)."""
    open_case = application_open_for(subject=subject, matter=matter)
    if open_case is not None:
        raise DomainError(
            "duplicate_open_case",
            _(
                "该主体申请的同一事项尚有办件 %(number)s 正在办理（%(status)s），不能再次即时办结；"
                "请等待该办件办结或撤回后再申请。"
            )
            % {"number": open_case.number, "status": open_case.status_label},
            "matter_code",
            open_case_number=open_case.number,
        )


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
    paper: Iterable[str] | None = None,
) -> Application:
    """File a case of ``subject`` for ``matter`` in ``mode`` (DESIGN.md §5, §6.1 "Filing").

    ``materials`` are the codes of the materials brought; ``files`` optionally maps some of them to uploaded
    files; ``paper`` names those an online applicant will bring on paper to the window (online, each material
    brought needs one or the other, ``materials.material_sources``). ``commitment`` is ``{"certificates": [...],
    "accepted": True, "agent_name"?, "agent_authorisation"?}`` and is read only under ``commitment``;
    ``supplement_pledge`` is ``{"accepted": True, …}`` and is read only
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
    provided = material_codes(materials, "materials")
    on_paper = material_codes(paper, "paper")
    provided += [code for code in on_paper if code not in provided]  # coming on paper is being brought
    material_codes_known(provided, catalog, "materials")
    uploads = uploads_check(files, set(provided))

    # A new check is stored with the case, in one transaction; when the filing is refused it is stored alone,
    # since every check is recorded (R8).
    check = application_credit_check(actor=actor, subject=subject, incentive_card=incentive_card, store=False)
    try:
        effective = mode_effective(mode, matter, check)
        if _target(effective, matter) == S.APPROVED:
            duplicate_refuse(subject=subject, matter=matter)
        held = _licences_held(subject, effective, catalog, provided, commitment)
        states, replaced = material_states(
            mode=effective,
            matter=matter,
            catalog=catalog,
            provided=[*provided, *held],
            commitment=commitment,
            pledge=supplement_pledge,
        )
        states |= {code: ApplicationMaterial.State.LICENCE_HELD for code in held}
        if channel == Channel.ONLINE:
            states = material_sources(states=states, catalog=catalog, uploads=uploads, paper=on_paper)
        statement = (
            commitment if effective == Mode.COMMITMENT else supplement_pledge if effective == Mode.TOLERANCE else None
        )
        signer = signer_for(actor, subject, statement) if statement is not None else {}
    except DomainError as error:
        if check.pk is None:
            credit_check_save(check, actor=actor)
            if "credit_check_id" in error.extra:  # the refusal names the check it rests on, now recorded
                error.extra["credit_check_id"] = check.pk
        raise
    application, materials = _file(
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
        held=held,
    )
    materials_cache(application, materials)  # after the commit: the writer lock is not held for it
    return application


def _licences_held(subject, mode: str, catalog: dict, provided: list[str], commitment) -> dict[str, str]:
    """免提交: the materials not brought (nor replaced by the commitment) that the subject's valid electronic
    licences stand for, by code with the licence's identifier."""
    replacing = set()
    if mode == Mode.COMMITMENT and isinstance(commitment, dict) and isinstance(commitment.get("certificates"), list):
        replacing = set(commitment["certificates"])
    absent = [m for code, m in catalog.items() if code not in provided and code not in replacing]
    held = licence_materials_held(holder=subject, materials=absent, on=clock.today())
    return {code: licence.identifier for code, licence in held.items()}


def _history_reason(status: str, *, channel: str, check, mode: str, values: dict) -> str:
    """Why the filing made its move to ``status``, as the case's history tells it."""
    if status == S.SUBMITTED:
        return _("提交申请（%(channel)s）") % {"channel": Channel(channel).label}
    if status == S.ACCEPTED:
        return _("信用核查 #%(id)d：%(level)s；按“%(mode)s”受理") % {
            "id": check.pk,
            "level": Level(check.level).label,
            "mode": Mode(mode).label,
        }
    if status == S.APPROVED:
        return _("信用+秒批，系统即时作出决定") if mode == Mode.INSTANT else _("涉企经营许可告知承诺，当场作出许可决定")
    if status == S.AWAITING_SUPPLEMENT:
        return _("容缺受理，补正期限 %(date)s") % {"date": values.get("supplement_due")}
    return _("进入审查")


@in_default_language
@transaction.atomic(durable=True)
def _file(**case) -> tuple[Application, list[ApplicationMaterial]]:
    with writes_joined() as joined:
        return _file_rows(**case, joined=joined)


def _file_rows(
    *, actor, matter, subject, requested, mode, channel, check, catalog, states, replaced, uploads, signer, held, joined
) -> tuple[Application, list[ApplicationMaterial]]:
    """The filing's rows. On PostgreSQL those nothing reads back (record events with their sharing rows, the
    history, the statistics) are held in ``joined`` and go out with the materials' and the audit entries'
    statements."""
    new_check = check.pk is None
    if new_check:
        credit_check_store(check, actor=actor, joined=joined)  # its audit entry comes last, beside the filing's
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
    row_insert(application)  # the hot path's plain INSERT (core/rows.py)

    label = actor_label(actor)
    user = values["filed_by"]
    rows_insert(
        [
            Transition(
                application=application,
                from_status=before,
                to_status=after,
                at=now,
                actor=user,
                actor_label=label,
                reason=_history_reason(after, channel=channel, check=check, mode=mode, values=values),
            )
            for before, after in zip(["", *path], path, strict=False)
        ],
        joined=joined,
    )

    rows = []
    for code, material in catalog.items():
        state = states.get(code)
        if state is None:  # an optional material not brought: not part of the case
            continue
        extra = file_fields(uploads[code]) if code in uploads else {}
        rows.append(
            ApplicationMaterial(
                application=application,
                material=material,
                code=code,
                name=material.name,
                state=state,
                licence_identifier=held.get(code, ""),
                **extra,
            )
        )
    rows_insert(rows, carrying=joined)  # with the check's record event and the history, held until now

    frozen = {}
    if mode == Mode.COMMITMENT:
        frozen["commitment_letter"] = letter_freeze(application, matter, subject, replaced, signer, actor, now)
    if mode == Mode.TOLERANCE:
        missing = [catalog[c] for c, s in states.items() if s == ApplicationMaterial.State.MISSING]
        missing.sort(key=lambda m: (m.order, m.pk))
        frozen["supplement_pledge"] = pledge_freeze(
            application, matter, subject, missing, supplement_due, policy.grace_days, signer, actor, now
        )
        tolerance_notice_issue(application, missing, supplement_due, policy.grace_days)
    if application.verification_due is not None:
        Verification.objects.create(application=application, due=application.verification_due)
    if target == S.APPROVED:
        decision_issue_approval(application, actor=actor, audit_licence=False, joined=joined)
    else:
        tell_applicant(
            application,
            kind="acceptance",
            key="acceptance",
            title=_("受理通知"),
            body=_("您申请的“%(matter)s”已受理，办件编号 %(number)s，办理模式：%(mode)s。")
            % {"matter": matter.name, "number": application.number, "mode": Mode(mode).label},
        )

    entries = [credit_check_audit_entry(check, actor=actor)] if new_check else []
    entries.append(
        {
            "actor": actor,
            "action": "applications.application.file",
            "obj": application,
            "after": {
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
                "materials_by_licence": held,
                "licence": application.licence.identifier if target == S.APPROVED and matter.issues_licence else None,
                "files": {code: f.sm3 for code, f in uploads.items()},
                **{f"{kind}_sm3": row.text_sm3 for kind, row in frozen.items()},
            },
        }
    )
    filed = application_facts(
        application,
        card_counted=check.card_counted,
        certificates_replaced=sum(row.state == ApplicationMaterial.State.REPLACED for row in rows),
        materials_missing=sum(row.state in TOLERATED_STATES for row in rows),
        **statutory_limit(application),
    )
    rollup_move(None, filed, joined=joined)
    audit_records(entries, carrying=joined)  # the check's entry, then the filing's: one read and one move of the head
    return application, rows
