"""The city list's due process, thin (R9; 国办发〔2020〕49号): a proposal tells the subject the reason, basis
and rights and opens an objection period; when the period is over the entry takes effect — the listing
decision and the credit-repair notice go out together (两书同达, 国办发〔2025〕22号) and the subject's
conveniences are withdrawn at that moment; at the end of its publicity period the entry expires.

Objections (``objections``) and repairs (``repairs``) end an entry by moving it to ``withdrawn``/``repaired``;
the compare-and-set moves here then leave it alone, and a pending objection holds the listing.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext as _

from xinyipi.accounts.access import accounts_acting_for
from xinyipi.audit.services import audit_record, snapshot
from xinyipi.core import clock
from xinyipi.core.errors import DomainError
from xinyipi.core.text import in_default_language
from xinyipi.notifications.services import notify_subject
from xinyipi.records.services import record_append
from xinyipi.supervision.effects import listing_effects_apply
from xinyipi.supervision.models import BlacklistEntry, Objection
from xinyipi.supervision.policy import add_months, listing_policy_on, publicity_months
from xinyipi.workdays.calendar import add_working_days

_AUDITED = [
    "subject",
    "reason",
    "status",
    "case",
    "proposed_at",
    "objection_due",
    "objection_provisional",
    "listed_at",
    "publicity_until",
    "ended_at",
]


def _agents(subject) -> list:
    return accounts_acting_for(subject)


def _tell(entry: BlacklistEntry, *, kind: str, key: str, title: str, body: str, users=None) -> None:
    """Tell everyone acting for the entry's subject (``users`` when the caller has them already)."""
    notify_subject(
        subject=entry.subject,
        kind=kind,
        title=title,
        body=body,
        dedupe_key=f"blacklist:{entry.pk}:{key}",
        source=entry,
        users=_agents(entry.subject) if users is None else users,
    )


def _entry_move(entry_id: int, *, expected: str, due_field: str, today, held=None, **changes) -> BlacklistEntry | None:
    """Compare-and-set: move the entry if it is still ``expected``, its ``due_field`` day has ended and it is
    not ``held``; ``None`` when it is not (another sweep or a person moved it first, or it is not due)."""
    rows = BlacklistEntry.objects.filter(pk=entry_id, status=expected, **{f"{due_field}__lt": today})
    if held is not None:
        rows = rows.exclude(held)
    won = rows.update(**changes)
    if not won:
        return None
    return BlacklistEntry.objects.select_related("subject").get(pk=entry_id)


def _with_case_number(entry: BlacklistEntry, payload: dict) -> dict:
    """``payload`` with the 办件编号 of the case that caused the entry, when one did: the record and its exports
    name the case of every event that has one (R8, DESIGN §6.1 ``export_records``)."""
    if entry.case_id is None:
        return payload
    return {"number": entry.case.number, **payload}


def _entry_recorded(
    entry: BlacklistEntry, *, type: str, summary: str, payload: dict, action: str, actor, at, before=None
) -> None:
    """The credit-record event and the audit entry of one step of an entry, in the caller's transaction."""
    payload = _with_case_number(entry, payload)
    record_append(subject=entry.subject, type=type, summary=summary, payload=payload, source=entry, actor=actor, at=at)
    audit_record(actor=actor, action=action, obj=entry, before=before, after=snapshot(entry, _AUDITED))


@in_default_language
def _reason_text(reason: str, case, text: str = "") -> str:
    """The entry's reason as published and told: in the site's language whoever proposes it."""
    label = str(BlacklistEntry.Reason(reason).label)
    if text:
        label = text if reason == BlacklistEntry.Reason.OTHER else f"{label}：{text}"
    if case is None:
        return label
    return _("%(reason)s（事项“%(matter)s”，办件编号 %(number)s）") % {
        "reason": label,
        "matter": case.matter.name,
        "number": case.number,
    }


def blacklist_propose(
    *,
    subject,
    reason: str,
    case=None,
    evidence: str = "",
    actor,
    reason_text: str = "",
    basis: str = "",
    severity: str = BlacklistEntry.Severity.GENERAL,
) -> BlacklistEntry:
    """Propose listing ``subject`` (status ``proposed``) for ``reason``, caused by ``case``.

    The objection period ends ``objection_days`` working days after today (policy ``listing.yaml``); the
    subject is told the reason, the basis, its rights and the deadline. Proposing again for the same case
    and reason while an entry is proposed or listed returns that entry. Joins the caller's transaction.
    A credit officer's own proposal may state the reason in words and a basis of its own (else the list's).
    """
    if reason not in BlacklistEntry.Reason.values:
        raise DomainError("invalid_reason", _("列入事由不正确。"), "reason")
    if severity not in BlacklistEntry.Severity.values:
        raise DomainError("invalid_severity", _("失信信息类别不正确。"), "severity")
    reason_text, basis = (reason_text or "").strip()[:2000], (basis or "").strip()[:2000]
    if reason == BlacklistEntry.Reason.OTHER and not reason_text:
        raise DomainError("reason_text_required", _("事由为“其他”时须写明列入事由。"), "reason_text")
    with transaction.atomic():
        if case is not None:
            existing = BlacklistEntry.objects.filter(
                case=case,
                reason=reason,
                status__in=[BlacklistEntry.Status.PROPOSED, BlacklistEntry.Status.LISTED],
            ).first()
            if existing is not None:
                return existing
        now = clock.now()
        today = clock.to_beijing(now).date()
        policy = listing_policy_on(today)
        due = add_working_days(today, policy.objection_days)
        entry = BlacklistEntry.objects.create(
            subject=subject,
            reason=reason,
            reason_text=_reason_text(reason, case, reason_text),
            basis=basis or policy.basis,
            severity=severity,
            evidence=(evidence or "")[:5000],
            status=BlacklistEntry.Status.PROPOSED,
            proposed_at=now,
            objection_due=due.date,
            objection_provisional=due.provisional,
            case=case,
            proposed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _entry_recorded(
            entry,
            type="blacklist_proposed",
            summary=_("拟列入%(list)s：%(reason)s") % {"list": policy.list_name, "reason": entry.reason_text},
            payload={
                "entry_id": entry.pk,
                "reason": reason,
                "case_id": case.pk if case is not None else None,
                "objection_due": due.date.isoformat(),
                "basis": entry.basis,
                "severity": severity,
                "reference": policy.objection_reference,
            },
            action="supervision.blacklist.propose",
            actor=actor,
            at=now,
        )
        with translation.override(settings.LANGUAGE_CODE):
            _tell(
                entry,
                kind="listing_proposal",
                key="proposal",
                title=_("拟列入黑名单告知"),
                body=_(
                    "拟将您列入%(list)s。事由：%(reason)s。依据：%(basis)s 您有权陈述、申辩，并可于 %(due)s 前"
                    "向扎兰屯市政务服务中心提出书面异议（也可登录门户“我的信用”在线提出）；逾期未提出或异议不成立的，"
                    "列入决定生效。列入后：%(effects)s"
                )
                % {
                    "list": policy.list_name,
                    "reason": entry.reason_text,
                    "basis": entry.basis,
                    "due": due.date.isoformat(),
                    "effects": policy.effects,
                },
            )
    return entry


def blacklist_entry_list(*, entry_id: int, actor=None) -> BlacklistEntry | None:
    """Put one proposal whose objection period is over into effect (compare-and-set: ``None`` if it is no
    longer such a proposal). The listing decision and the repair notice are sent together; the subject's
    open cases lose their conveniences in the same transaction (R9), through the effects the other apps
    registered (``supervision.effects``)."""
    with transaction.atomic():
        now = clock.now()
        today = clock.to_beijing(now).date()
        policy = listing_policy_on(today)
        severity = BlacklistEntry.objects.filter(pk=entry_id).values_list("severity", flat=True).first()
        until = add_months(today, publicity_months(policy, severity, today))
        # An objection still undecided holds the listing (国办发〔2020〕49号: it is checked and answered first).
        pending = Exists(Objection.objects.filter(entry=OuterRef("pk"), status=Objection.Status.PENDING))
        entry = _entry_move(
            entry_id,
            expected=BlacklistEntry.Status.PROPOSED,
            due_field="objection_due",
            today=today,
            held=pending,
            status=BlacklistEntry.Status.LISTED,
            listed_at=now,
            publicity_until=until,
        )
        if entry is None:
            return None
        _entry_recorded(
            entry,
            type="blacklist_listed",
            summary=_("列入%(list)s：%(reason)s，公示至 %(until)s")
            % {"list": policy.list_name, "reason": entry.reason_text, "until": until.isoformat()},
            payload={
                "entry_id": entry.pk,
                "reason": entry.reason,
                "case_id": entry.case_id,
                "listed_at": clock.to_beijing(now).isoformat(),
                "publicity_until": until.isoformat(),
                "reference": policy.publicity_reference,
            },
            action="supervision.blacklist.list",
            actor=actor,
            at=now,
            before={"status": BlacklistEntry.Status.PROPOSED},
        )
        # 两书同达: the listing decision and the credit-repair notice leave in the same transaction.
        agents = _agents(entry.subject)
        with translation.override(settings.LANGUAGE_CODE):
            _tell(
                entry,
                users=agents,
                kind="listing_decision",
                key="listing_decision",
                title=_("列入黑名单决定"),
                body=_(
                    "您已被列入%(list)s，自 %(today)s 起生效，公示至 %(until)s。"
                    "事由：%(reason)s。依据：%(basis)s 列入期间：%(effects)s"
                )
                % {
                    "list": policy.list_name,
                    "today": today.isoformat(),
                    "until": until.isoformat(),
                    "reason": entry.reason_text,
                    "basis": entry.basis,
                    "effects": policy.effects,
                },
            )
        with translation.override(settings.LANGUAGE_CODE):
            _tell(
                entry,
                users=agents,
                kind="repair_notice",
                key="repair_notice",
                title=_("信用修复告知书"),
                body=_(
                    "纠正失信行为、履行相关义务并作出信用承诺后，您可以申请信用修复，修复不收取任何费用。"
                    "修复获准后停止公示、停止共享并解除相关限制；否则本次列入于 %(until)s 期满自动移出。"
                )
                % {"until": until.isoformat()},
            )
        listing_effects_apply(subject=entry.subject, actor=actor, entry=entry)
    return entry


def blacklist_entry_expire(*, entry_id: int, actor=None) -> BlacklistEntry | None:
    """End one listing whose publicity period is over (compare-and-set: ``None`` if it is no longer such)."""
    with transaction.atomic():
        now = clock.now()
        today = clock.to_beijing(now).date()
        entry = _entry_move(
            entry_id,
            expected=BlacklistEntry.Status.LISTED,
            due_field="publicity_until",
            today=today,
            status=BlacklistEntry.Status.EXPIRED,
            ended_at=now,
        )
        if entry is None:
            return None
        _entry_recorded(
            entry,
            type="blacklist_expired",
            summary=_("黑名单公示期满移出：%(reason)s") % {"reason": entry.reason_text},
            payload={"entry_id": entry.pk, "publicity_until": entry.publicity_until.isoformat()},
            action="supervision.blacklist.expire",
            actor=actor,
            at=now,
            before={"status": BlacklistEntry.Status.LISTED},
        )
        with translation.override(settings.LANGUAGE_CODE):
            _tell(
                entry,
                kind="listing_expired",
                key="expired",
                title=_("黑名单期满移出"),
                body=_("您于 %(until)s 公示期满，已自动移出黑名单。") % {"until": entry.publicity_until.isoformat()},
            )
    return entry
