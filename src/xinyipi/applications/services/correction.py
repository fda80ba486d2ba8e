"""补正 (行政许可法 Art. 32(4)): the one notice telling the applicant everything to correct, the answer, and
the lapse of an unanswered notice.

- One notice per case ("一次性告知"), issued from review by the department's reviewer, or by the window at
  acceptance. It lists, per material of the matter, what is wrong or what to bring, plus free text.
- On time (within ``correction_notice_days`` working days after the day the materials were received, that
  day not counted): the application counts as accepted once the corrections are complete, and the decision
  clock stands still while the applicant corrects — the promised completion date moves on by the working
  days spent waiting (``decision_paused_days``).
- Late: the law says the application counts as accepted from the day the materials were received. The
  notice is still issued (the materials still need correcting) and says so; the clock does not stop, so
  the waiting days come out of the department's own time. The window, whose step is acceptance, can no
  longer issue it then; the reviewer can.
- No answer by ``correction_due``: the sweep closes the case as the workflow policy says (视为撤回申请 by
  default), with a termination notice. Not a credit fact: nothing goes into the credit record.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinyipi.accounts.access import access_application, application_actions
from xinyipi.applications import letters
from xinyipi.applications.files import file_fields, uploads_check
from xinyipi.applications.models import (
    Application,
    ApplicationMaterial,
    Channel,
    CorrectionFile,
    CorrectionRequest,
    LetterKind,
    Status,
)
from xinyipi.applications.policy import workflow_policy_on
from xinyipi.applications.services.common import document_context, document_issue, tell_applicant
from xinyipi.applications.services.materials import material_codes
from xinyipi.applications.workflow import check_transition, transition_apply
from xinyipi.audit.services import audit_record
from xinyipi.catalog.models import Matter
from xinyipi.core import clock
from xinyipi.core.actors import actor_label
from xinyipi.core.errors import DomainError, InvalidTransition
from xinyipi.core.text import in_default_language, join_list
from xinyipi.workdays.calendar import Deadline, add_working_days, working_days_between

MAX_ITEMS = 50
LAPSE_LABELS = {"withdrawn": gettext_lazy("视为撤回申请"), "terminated": gettext_lazy("终止办理本申请")}


# ---------------------------------------------------------------------------------------------------
# Arithmetic (plain functions: the tests call them directly)


def correction_notice_due(filed_on: dt.date) -> dt.date:
    """The last day an on-time notice may be issued: the Nth working day after the day of filing."""
    return add_working_days(filed_on, workflow_policy_on(filed_on).correction_notice_days).date


def correction_paused_days(*, matter: Matter, requested_on: dt.date, answered_on: dt.date) -> int:
    """The days the decision clock stood still: after the notice's day up to and including the answer's day,
    in the unit of the matter's promised limit (working days unless the catalog says calendar days)."""
    if matter.promised_day_unit == Matter.DayUnit.CALENDAR:
        return max((answered_on - requested_on).days, 0)
    return working_days_between(requested_on, answered_on)


def decision_due_extended(*, matter: Matter, due: dt.date | None, days: int) -> Deadline | None:
    """``due`` moved on by ``days`` in the matter's unit (None when the case has no promised date)."""
    if due is None:
        return None
    if matter.promised_day_unit == Matter.DayUnit.CALENDAR:
        return Deadline(date=due + dt.timedelta(days=days), provisional=False)
    return add_working_days(due, days)


# ---------------------------------------------------------------------------------------------------
# The notice


def _items_checked(application: Application, items) -> list[dict]:
    if items is None:
        items = []
    if not isinstance(items, list | tuple):
        raise DomainError("invalid_input", _("补正事项应为列表。"), "items")
    if len(items) > MAX_ITEMS:
        raise DomainError("invalid_input", _("补正事项过多（不超过 %(n)d 项）。") % {"n": MAX_ITEMS}, "items")
    catalog = {m.code: m for m in application.matter.materials.all()}
    checked, seen = [], set()
    for index, item in enumerate(items):
        field = f"items[{index}]"
        if not isinstance(item, dict):
            raise DomainError("invalid_input", _("每项补正应包含材料编码和补正原因。"), field)
        code = str(item.get("material_code") or "").strip()
        reason = str(item.get("reason") or "").strip()
        if code not in catalog:
            raise DomainError(
                "unknown_material",
                _("事项没有材料 %(code)s。") % {"code": code or "—"},
                f"{field}.material_code",
                codes=[code],
            )
        if code in seen:
            raise DomainError(
                "duplicate_material", _("材料 %(code)s 重复列出。") % {"code": code}, f"{field}.material_code"
            )
        if not reason:
            raise DomainError(
                "reason_required",
                _("请写明“%(name)s”需要补正的内容（哪里不符合要求、需要提交什么）。") % {"name": catalog[code].name},
                f"{field}.reason",
            )
        seen.add(code)
        material = catalog[code]
        checked.append(
            {
                "code": code,
                "name": material.name,
                "reason": reason[:1000],
                "form": letters.material_form(material),
                "order": (material.order, material.pk),
            }
        )
    checked.sort(key=lambda i: i.pop("order"))
    return checked


def application_correction_request(*, actor, application: Application, items, note: str = "") -> Application:
    """Issue the one correction notice of a case under review (→ ``correcting``).

    ``items`` are ``[{"material_code", "reason"}]`` (materials of the matter); ``note`` says anything else to
    correct. At least one of them. 409 ``invalid_transition`` outside review, 409
    ``correction_already_requested`` for a second notice (Art. 32 asks for one), 422 with the field at fault
    otherwise.
    """
    access_application(actor, application, action="request_correction")
    if CorrectionRequest.objects.filter(application=application).exists():
        raise InvalidTransition(
            "correction_already_requested",
            _("本办件已出具过补正材料通知书：需要补正的内容应一次告知，不能再次告知。"),
            from_status=application.status,
            to_status=Status.CORRECTING,
        )
    check_transition(application.status, Status.CORRECTING)
    checked = _items_checked(application, items)
    note = (note or "").strip()[:2000]
    if not checked and not note:
        raise DomainError("items_required", _("请至少列出一项需要补正的材料，或写明其他补正要求。"), "items")
    today = clock.today()
    filed_on = clock.to_beijing(application.created_at).date()
    notice_due = correction_notice_due(filed_on)
    late = today > notice_due
    # The reviewer of the case's department issues it during review; anyone else with the right (the window)
    # issues it at acceptance, which the law bounds by the notice period.
    stage = (
        CorrectionRequest.Stage.REVIEW
        if "decide" in application_actions(actor, application)
        else CorrectionRequest.Stage.ACCEPTANCE
    )
    if late and stage == CorrectionRequest.Stage.ACCEPTANCE:
        raise DomainError(
            "correction_period_over",
            _("已超过收到申请材料后五个工作日（%(date)s），申请已视为受理；需要补正的，由审查部门告知。")
            % {"date": notice_due.isoformat()},
            "items",
        )
    return _request(
        actor=actor,
        application=application,
        items=checked,
        note=note,
        stage=stage,
        notice_due=notice_due,
        late=late,
    )


@in_default_language
@transaction.atomic(durable=True)
def _request(*, actor, application, items, note, stage, notice_due, late) -> Application:
    now = clock.now()
    today = clock.to_beijing(now).date()
    policy = workflow_policy_on(today)
    due = add_working_days(today, policy.correction_days)
    names = "、".join(i["name"] for i in items) or _("见其他补正要求")
    reason = _("一次性告知补正：%(names)s；答复期限 %(due)s%(late)s") % {
        "names": names,
        "due": due.date.isoformat(),
        "late": _("（逾期告知：自收到申请材料之日起视为受理）") if late else "",
    }
    transition_apply(
        application,
        to=Status.CORRECTING,
        actor=actor,
        reason=reason,
        changes={"correction_due": due.date, "correction_due_provisional": due.provisional},
    )
    correction = CorrectionRequest.objects.create(
        application=application,
        stage=stage,
        items=items,
        note=note,
        requested_at=now,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        requested_by_label=actor_label(actor),
        notice_due=notice_due,
        late=late,
        due=due.date,
        due_provisional=due.provisional,
        accepted_on=clock.to_beijing(application.created_at).date() if late else None,
    )
    document = document_issue(
        application,
        LetterKind.CORRECTION_NOTICE,
        document_context(application, correction=correction_context(correction, days=policy.correction_days)),
    )
    audit_record(
        actor=actor,
        action="applications.correction.request",
        obj=application,
        after={
            "correction_id": correction.pk,
            "stage": stage,
            "items": items,
            "note": note,
            "late": late,
            "notice_due": notice_due,
            "due": due.date,
            "document_number": document.number,
            "document_sm3": document.text_sm3,
            "reference": policy.correction_reference,
        },
    )
    tell_applicant(
        application,
        kind="correction",
        key="correction",
        title=_("补正材料通知"),
        body=_(
            "您申请的“%(matter)s”（办件编号 %(number)s）需要补正：%(names)s%(note)s。请于 %(due)s 前在网上办事大厅"
            "本办件页面上传补正材料，或到综合受理窗口提交；逾期未补正的，%(lapse)s。补正材料通知书编号 %(doc)s。"
        )
        % {
            "matter": application.matter.name,
            "number": application.number,
            "names": names,
            "note": f"；{note}" if note and items else "",
            "due": due.date.isoformat(),
            "lapse": str(LAPSE_LABELS[policy.correction_lapse]),
            "doc": document.number,
        },
    )
    return application


def correction_context(correction: CorrectionRequest, *, days: int) -> dict:
    policy = workflow_policy_on(clock.to_beijing(correction.requested_at).date())
    return {
        "items": [dict(i) for i in correction.items],
        "note": correction.note,
        "due": letters.date_label(correction.due),
        "due_provisional": correction.due_provisional,
        "days": days,
        "late": correction.late,
        "notice_due": letters.date_label(correction.notice_due),
        "lapse_label": str(LAPSE_LABELS[policy.correction_lapse]),
    }


# ---------------------------------------------------------------------------------------------------
# The answer


def _not_correcting(status: str) -> InvalidTransition:
    return InvalidTransition(
        "not_correcting",
        _("办件当前状态为“%(status)s”，不在补正期内。") % {"status": Status(status).label},
        from_status=status,
        to_status=Status.UNDER_REVIEW,
    )


def application_correction_answer(
    *,
    actor,
    application: Application,
    materials: Iterable[str] | None = None,
    note: str = "",
    files: dict | None = None,
    channel: str | None = None,
) -> Application:
    """Record the answer to the correction notice (online by the applicant, or at the window by a clerk) and
    send the case back to review, with the decision date moved on by the days the clock stood still.

    ``materials`` are the codes of the items corrected — every item of the notice (422
    ``correction_incomplete`` naming the others); ``files`` optionally maps codes to the corrected files.
    409 ``not_correcting`` when the case does not wait for an answer.
    """
    access_application(actor, application, action="supplement")
    if application.status != Status.CORRECTING:
        raise _not_correcting(application.status)
    correction = CorrectionRequest.objects.filter(application=application).first()
    if correction is None:
        raise _not_correcting(application.status)
    codes = material_codes(materials, "materials")
    requested = correction.item_codes
    extra = [c for c in codes if c not in requested]
    if extra:
        raise DomainError(
            "material_not_requested",
            _("以下材料不在补正通知所列之中：%(codes)s。") % {"codes": join_list(extra)},
            "materials",
            codes=extra,
        )
    left = [i for i in correction.items if i["code"] not in codes]
    if left:
        raise DomainError(
            "correction_incomplete",
            _("请一并补正通知所列的全部材料，尚缺：%(names)s。") % {"names": join_list(i["name"] for i in left)},
            "materials",
            codes=[i["code"] for i in left],
        )
    note = (note or "").strip()[:2000]
    if not codes and not note:
        raise DomainError("note_required", _("请说明已按通知补正的内容。"), "note")
    uploads = uploads_check(files, set(codes))
    if channel is None:
        # Staff who collect materials record what the applicant brought to the window; anyone else answers online.
        channel = Channel.WINDOW if actor.has_perm("applications.supplement_application") else Channel.ONLINE
    return _answer(
        actor=actor,
        application=application,
        correction=correction,
        codes=codes,
        note=note,
        uploads=uploads,
        channel=channel,
    )


@in_default_language
@transaction.atomic(durable=True)
def _answer(*, actor, application, correction, codes, note, uploads, channel) -> Application:
    now = clock.now()
    today = clock.to_beijing(now).date()
    matter = application.matter
    requested_on = clock.to_beijing(correction.requested_at).date()
    waited = correction_paused_days(matter=matter, requested_on=requested_on, answered_on=today)
    # On time: the clock stood still (and acceptance dates from the completed corrections). Late: the
    # application was accepted from receipt, so the department's period ran on.
    paused = 0 if correction.late else waited
    changes = {"decision_paused_days": application.decision_paused_days + paused}
    extended = decision_due_extended(matter=matter, due=application.decision_due, days=paused)
    if extended is not None and paused:
        changes |= {
            "decision_due": extended.date,
            "decision_due_provisional": application.decision_due_provisional or extended.provisional,
        }
    reason = (
        _("已补正，恢复审查；补正期间 %(n)d 个工作日不计入办理期限，承诺办结日期延至 %(due)s")
        % {"n": paused, "due": (extended.date if extended else application.decision_due) or "—"}
        if paused
        else _("已补正，恢复审查（逾期告知，补正期间计入办理期限）")
        if correction.late
        else _("已补正，恢复审查")
    )
    transition_apply(application, to=Status.UNDER_REVIEW, actor=actor, reason=reason, changes=changes)
    won = CorrectionRequest.objects.filter(pk=correction.pk, outcome="").update(
        outcome=CorrectionRequest.Outcome.ANSWERED,
        answered_at=now,
        answered_by_label=actor_label(actor),
        answer_channel=channel,
        answer_note=note,
        paused_days=paused,
        accepted_on=correction.accepted_on or today,
    )
    if not won:
        raise _not_correcting(Status.UNDER_REVIEW)
    rows = {row.code: row for row in ApplicationMaterial.objects.filter(application=application)}
    catalog = {m.code: m for m in matter.materials.all()}
    stored = {}
    for code in codes:
        if code not in uploads:
            continue
        fields = file_fields(uploads[code])
        stored[code] = fields["file_sm3"]
        CorrectionFile.objects.create(
            correction=correction,
            code=code,
            uploaded_at=now,
            **fields,
        )
        # The case's material now shows the corrected file (the earlier one stays in storage, named in audit).
        if code in rows:
            ApplicationMaterial.objects.filter(pk=rows[code].pk).update(**fields)
        else:
            ApplicationMaterial.objects.create(
                application=application,
                material=catalog[code],
                code=code,
                name=catalog[code].name,
                state=ApplicationMaterial.State.PROVIDED,
                **fields,
            )
    for code in codes:
        if code not in uploads and code not in rows:  # brought on paper at the window
            ApplicationMaterial.objects.create(
                application=application,
                material=catalog[code],
                code=code,
                name=catalog[code].name,
                state=ApplicationMaterial.State.PROVIDED,
            )
    audit_record(
        actor=actor,
        action="applications.correction.answer",
        obj=application,
        after={
            "correction_id": correction.pk,
            "materials": codes,
            "files": stored,
            "previous_files": {c: rows[c].file_sm3 for c in stored if c in rows and rows[c].file_sm3},
            "note": note,
            "channel": channel,
            "waited_days": waited,
            "paused_days": paused,
            "late": correction.late,
            "decision_due": application.decision_due,
        },
    )
    tell_applicant(
        application,
        kind="correction",
        key="correction_answered",
        title=_("补正材料已收到"),
        body=_("您申请的“%(matter)s”（办件编号 %(number)s）补正材料已收到，恢复审查，承诺办结日期 %(due)s。")
        % {
            "matter": matter.name,
            "number": application.number,
            "due": application.decision_due.isoformat() if application.decision_due else "—",
        },
    )
    return application


# ---------------------------------------------------------------------------------------------------
# The lapse (the sweep)


def due_corrections(*, on: dt.date) -> list[int]:
    return list(
        Application.objects.filter(status=Status.CORRECTING, correction_due__lt=on)
        .order_by("correction_due", "id")
        .values_list("id", flat=True)
    )


@in_default_language
def application_correction_lapse(*, application_id: int) -> Application | None:
    """No answer by the correction date: close the case as the policy says (视为撤回申请 by default), with a
    termination notice. ``None`` when no longer due. Not a credit fact: no credit-record event."""
    with transaction.atomic():
        application = (
            Application.objects.select_related("matter__department", "subject", "department")
            .filter(pk=application_id)
            .first()
        )
        today = clock.today()
        if application is None or application.status != Status.CORRECTING or application.correction_due >= today:
            return None
        policy = workflow_policy_on(today)
        target = Status(policy.correction_lapse)
        correction = CorrectionRequest.objects.filter(application=application).first()
        names = "、".join(i["name"] for i in (correction.items if correction else [])) or _("通知所列内容")
        reason = _("补正答复期限 %(due)s 已届满，未补正：%(names)s；%(lapse)s") % {
            "due": application.correction_due.isoformat(),
            "names": names,
            "lapse": str(LAPSE_LABELS[policy.correction_lapse]),
        }
        transition_apply(
            application, to=target, actor=None, reason=reason, audit_action="applications.correction.lapse"
        )
        if correction is not None:
            CorrectionRequest.objects.filter(pk=correction.pk, outcome="").update(
                outcome=CorrectionRequest.Outcome.LAPSED
            )
        context = document_context(application, decision={"reason": reason})
        document_issue(application, LetterKind.TERMINATION_NOTICE, context)
        tell_applicant(
            application,
            kind="termination",
            key="correction_lapsed",
            title=_("终止办理通知"),
            body=_("您申请的“%(matter)s”（办件编号 %(number)s）逾期未补正，%(lapse)s，终止办理。")
            % {
                "matter": application.matter.name,
                "number": application.number,
                "lapse": str(LAPSE_LABELS[policy.correction_lapse]),
            },
        )
    return application
