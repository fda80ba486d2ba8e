"""Credit repair (R11; 《信用修复管理办法》, 国家发展改革委令2025年第36号, in force 2026-04-01).

A listed subject asks, after the minimum period of its class of dishonesty information counted from the
listing decision, with a statement of the corrected behaviour, proof files and a signed public credit
commitment (frozen: text + SM3 + time + signer). A credit officer decides within ``decision_days`` working
days: an approval ends the listing at once (publication, sharing and sanctions: the entry is ``repaired``,
which the credit sources read); a refusal gives its reason. Repair is free of charge.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from xinyipi.audit.services import audit_record, snapshot
from xinyipi.core import clock
from xinyipi.core.actors import actor_label
from xinyipi.core.crypto import sm3_hex
from xinyipi.core.errors import DomainError, InvalidTransition
from xinyipi.records.services import record_append
from xinyipi.supervision.files import supporting_files_check, supporting_files_store
from xinyipi.supervision.models import BlacklistEntry, CreditRepair, CreditRepairFile
from xinyipi.supervision.policy import add_months, listing_policy_on, repair_policy_on
from xinyipi.supervision.services import _entry_recorded, _tell, _with_case_number
from xinyipi.supervision.services.objections import _text, _user
from xinyipi.workdays.calendar import add_working_days

OUTCOMES = ("approve", "refuse")
_AUDITED = [
    "subject",
    "entry",
    "status",
    "requested_at",
    "at_window",
    "due",
    "commitment_sm3",
    "commitment_signer",
    "commitment_signed_at",
    "decided_at",
    "reason",
]


def _not_listed() -> DomainError:
    return DomainError("not_listed", _("该主体没有处于列入状态的黑名单条目，无需申请信用修复。"), "subject_code")


def repair_earliest_date(entry: BlacklistEntry, on):
    """The first day ``entry`` may be repaired: its listing date plus the minimum period of its class."""
    periods = repair_policy_on(on).periods(entry.severity)
    listed_on = clock.to_beijing(entry.listed_at).date()
    return add_months(listed_on, periods.repair_after_months), periods


def repair_commitment_text(entry: BlacklistEntry, on) -> str:
    template = repair_policy_on(on).commitment
    return template.format(
        subject=entry.subject.name,
        code=entry.subject.code_display,
        list=listing_policy_on(on).list_name,
        reason=entry.reason_text,
    )


def credit_repair_request(
    *, subject, actor, statement: str, entry: BlacklistEntry | None = None, files=(), at_window: bool
) -> CreditRepair:
    """Ask for repair of ``subject``'s listing (``entry``, else its listing in effect)."""
    statement = _text(statement, "statement", "statement_required", _("请说明失信行为的纠正和义务履行情况。"))
    checked = supporting_files_check(files)
    with transaction.atomic():
        now = clock.now()
        today = clock.to_beijing(now).date()
        listed = BlacklistEntry.objects.select_related("subject").filter(
            subject=subject, status=BlacklistEntry.Status.LISTED
        )
        if entry is not None:
            listed = listed.filter(pk=entry.pk)
        entry = listed.order_by("-listed_at", "-id").first()
        if entry is None:
            raise _not_listed()
        earliest, periods = repair_earliest_date(entry, today)
        if today < earliest:
            raise DomainError(
                "repair_too_early",
                _("%(class)s须在最短公示期（%(months)s 个月）届满后申请信用修复，最早可于 %(date)s 申请。")
                % {
                    "class": entry.get_severity_display(),
                    "months": periods.repair_after_months,
                    "date": earliest.isoformat(),
                },
                earliest_date=earliest.isoformat(),
                entry_id=entry.pk,
                severity=entry.severity,
            )
        policy = repair_policy_on(today)
        due = add_working_days(today, policy.decision_days)
        text = repair_commitment_text(entry, today)
        try:
            with transaction.atomic():
                repair = CreditRepair.objects.create(
                    subject=subject,
                    entry=entry,
                    statement=statement,
                    requested_at=now,
                    requested_by=_user(actor),
                    requested_by_label=actor_label(actor),
                    at_window=at_window,
                    due=due.date,
                    due_provisional=due.provisional,
                    commitment_text=text,
                    commitment_sm3=sm3_hex(text),
                    commitment_signer=subject.name,
                    commitment_signed_at=now,
                )
        except IntegrityError as exc:
            raise InvalidTransition("repair_pending", _("该条目已有待处理的信用修复申请。")) from exc
        supporting_files_store(CreditRepairFile, checked, repair=repair)
        record_append(
            subject=subject,
            type="credit_repair_requested",
            summary=_("申请信用修复：%(reason)s") % {"reason": entry.reason_text},
            payload=_with_case_number(
                entry,
                {
                    "repair_id": repair.pk,
                    "entry_id": entry.pk,
                    "due": due.date.isoformat(),
                    "commitment_sm3": repair.commitment_sm3,
                    "files": [c.sm3 for c in checked],
                },
            ),
            source=repair,
            actor=actor,
            at=now,
        )
        audit_record(actor=actor, action="supervision.repair.request", obj=repair, after=snapshot(repair, _AUDITED))
        with translation.override(settings.LANGUAGE_CODE):
            _tell(
                entry,
                kind="repair_received",
                key=f"repair:{repair.pk}:received",
                title=_("信用修复申请已受理"),
                body=_("您的信用修复申请已受理，将于 %(due)s 前作出决定。信用修复不收取任何费用。")
                % {"due": due.date.isoformat()},
            )
    return repair


def credit_repair_decide(*, repair: CreditRepair, actor, outcome: str, reason: str = "") -> CreditRepair:
    """Approve (the entry is ``repaired`` at once) or refuse (reason required) an open repair request."""
    if outcome not in OUTCOMES:
        raise DomainError("invalid_outcome", _("决定只能是 approve 或 refuse。"), "outcome")
    reason = (reason or "").strip()
    if outcome == "refuse":
        reason = _text(reason, "reason", "reason_required", _("不予修复的，须写明理由。"), 2000)
    reason = reason[:2000]
    with transaction.atomic():
        now = clock.now()
        target = CreditRepair.Status.APPROVED if outcome == "approve" else CreditRepair.Status.REFUSED
        if not CreditRepair.objects.filter(pk=repair.pk, status=CreditRepair.Status.REQUESTED).update(
            status=target, decided_at=now, decided_by=_user(actor), decided_by_label=actor_label(actor), reason=reason
        ):
            raise InvalidTransition("repair_already_decided", _("该信用修复申请已作出决定。"))
        repair = CreditRepair.objects.select_related("subject", "entry__subject").get(pk=repair.pk)
        entry = repair.entry
        if outcome == "approve" and not BlacklistEntry.objects.filter(
            pk=entry.pk, status=BlacklistEntry.Status.LISTED
        ).update(status=BlacklistEntry.Status.REPAIRED, ended_at=now):
            raise InvalidTransition("entry_not_listed", _("该条目已不在列入状态（可能已期满移出），无需修复。"))
        record_append(
            subject=repair.subject,
            type="credit_repair_decided",
            summary=(_("准予信用修复") if outcome == "approve" else _("不予信用修复：%(reason)s") % {"reason": reason}),
            payload=_with_case_number(
                entry, {"repair_id": repair.pk, "entry_id": entry.pk, "outcome": outcome, "reason": reason}
            ),
            source=repair,
            actor=actor,
            at=now,
        )
        audit_record(
            actor=actor,
            action=f"supervision.repair.{outcome}",
            obj=repair,
            before={"status": CreditRepair.Status.REQUESTED},
            after=snapshot(repair, _AUDITED),
        )
        if outcome == "approve":
            entry.refresh_from_db()
            _entry_recorded(
                entry,
                type="blacklist_repaired",
                summary=_("信用修复移出黑名单：%(reason)s") % {"reason": entry.reason_text},
                payload={"entry_id": entry.pk, "repair_id": repair.pk},
                action="supervision.blacklist.repair",
                actor=actor,
                at=now,
                before={"status": BlacklistEntry.Status.LISTED},
            )
            with translation.override(settings.LANGUAGE_CODE):
                body = _("您的信用修复申请已获准：自即日起停止公示、停止共享，并解除相关限制措施。")
        else:
            with translation.override(settings.LANGUAGE_CODE):
                body = _("您的信用修复申请未获准，理由：%(reason)s。纠正后可重新申请，信用修复不收取任何费用。") % {
                    "reason": reason
                }
        with translation.override(settings.LANGUAGE_CODE):
            _tell(entry, kind="repair_decision", key=f"repair:{repair.pk}:decided", title=_("信用修复决定"), body=body)
    return repair
