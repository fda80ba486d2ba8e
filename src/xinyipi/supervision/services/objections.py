"""Objections to a proposed listing (R9; 国办发〔2020〕49号: the subject is told the reason, basis and rights
before listing; an objection is checked and answered within a set time).

The subject objects within the objection period, online or through the window; one objection is open at a
time and, while it is, the entry does not take effect (the sweep skips it). A credit officer upholds it —
the proposal is withdrawn — or dismisses it with a reason — the entry stays proposed and the sweep lists it
once the period is over (at once on the next sweep when the period ended while the objection was open).
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from xinyipi.audit.services import audit_record, snapshot
from xinyipi.core import clock
from xinyipi.core.actors import actor_label
from xinyipi.core.errors import DomainError, InvalidTransition
from xinyipi.supervision.files import supporting_files_check, supporting_files_store
from xinyipi.supervision.models import BlacklistEntry, Objection, ObjectionFile
from xinyipi.supervision.services import _entry_recorded, _tell

OUTCOMES = ("uphold", "dismiss")
_OBJECTION_AUDITED = ["entry", "status", "statement", "filed_at", "at_window", "decided_at", "reason"]


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _text(value: str, field: str, code: str, message: str, limit: int = 5000) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(code, message, field)
    if len(value) > limit:
        raise DomainError("text_too_long", _("内容不能超过 %(n)s 字。") % {"n": limit}, field)
    return value


def objection_file(*, entry: BlacklistEntry, actor, statement: str, files=(), at_window: bool) -> BlacklistEntry:
    """File the subject's objection to ``entry`` (still ``proposed``, within its objection period)."""
    statement = _text(statement, "statement", "statement_required", _("请填写异议陈述。"))
    checked = supporting_files_check(files)
    with transaction.atomic():
        now = clock.now()
        today = clock.to_beijing(now).date()
        entry = BlacklistEntry.objects.select_related("subject").get(pk=entry.pk)
        if entry.status != BlacklistEntry.Status.PROPOSED:
            raise InvalidTransition(
                "entry_not_proposed",
                _("该条目当前状态为“%(status)s”，只能对拟列入的条目提出异议。")
                % {"status": entry.get_status_display()},
            )
        if today > entry.objection_due:
            raise DomainError(
                "objection_period_over",
                _("异议期已于 %(due)s 届满，不能再提出异议。") % {"due": entry.objection_due.isoformat()},
                objection_due=entry.objection_due.isoformat(),
            )
        try:
            with transaction.atomic():
                objection = Objection.objects.create(
                    entry=entry,
                    statement=statement,
                    filed_at=now,
                    filed_by=_user(actor),
                    filed_by_label=actor_label(actor),
                    at_window=at_window,
                )
        except IntegrityError as exc:
            raise InvalidTransition("objection_pending", _("该条目已有待处理的异议。")) from exc
        # Compare-and-set on the entry itself: a listing that got in first refuses this objection.
        if not BlacklistEntry.objects.filter(pk=entry.pk, status=BlacklistEntry.Status.PROPOSED).update(
            objection_due=F("objection_due")
        ):
            raise InvalidTransition("entry_not_proposed", _("该条目已不是拟列入状态。"))
        supporting_files_store(ObjectionFile, checked, objection=objection)
        audit_record(
            actor=actor,
            action="supervision.objection.file",
            obj=objection,
            after=snapshot(objection, _OBJECTION_AUDITED) | {"files": [c.sm3 for c in checked]},
        )
        with translation.override(settings.LANGUAGE_CODE):
            _tell(
                entry,
                kind="objection_received",
                key=f"objection:{objection.pk}:received",
                title=_("异议已受理"),
                body=_("您对拟列入黑名单提出的异议已于 %(at)s 受理。异议处理完毕前不作出列入决定，处理结果将另行告知。")
                % {"at": clock.to_beijing(now).strftime("%Y-%m-%d %H:%M")},
            )
    return entry


def objection_decide(*, entry: BlacklistEntry, actor, outcome: str, reason: str = "") -> BlacklistEntry:
    """Answer the entry's open objection: ``uphold`` withdraws the proposal, ``dismiss`` (reason required)
    leaves it to take effect when its objection period is over."""
    if outcome not in OUTCOMES:
        raise DomainError("invalid_outcome", _("处理结果只能是 uphold 或 dismiss。"), "outcome")
    reason = (reason or "").strip()
    if outcome == "dismiss":
        reason = _text(reason, "reason", "reason_required", _("异议不成立的，须写明理由。"), 2000)
    reason = reason[:2000]
    with transaction.atomic():
        now = clock.now()
        objection = Objection.objects.filter(entry=entry, status=Objection.Status.PENDING).first()
        if objection is None:
            raise InvalidTransition("no_pending_objection", _("该条目没有待处理的异议（可能已经处理）。"))
        target = Objection.Status.UPHELD if outcome == "uphold" else Objection.Status.DISMISSED
        moved = Objection.objects.filter(pk=objection.pk, status=Objection.Status.PENDING).update(
            status=target, decided_at=now, decided_by=_user(actor), decided_by_label=actor_label(actor), reason=reason
        )
        if not moved:
            raise InvalidTransition("no_pending_objection", _("该异议已被处理。"))
        objection.refresh_from_db()
        audit_record(
            actor=actor,
            action=f"supervision.objection.{outcome}",
            obj=objection,
            before={"status": Objection.Status.PENDING},
            after=snapshot(objection, _OBJECTION_AUDITED),
        )
        entry = BlacklistEntry.objects.select_related("subject").get(pk=entry.pk)
        if outcome == "uphold":
            if not BlacklistEntry.objects.filter(pk=entry.pk, status=BlacklistEntry.Status.PROPOSED).update(
                status=BlacklistEntry.Status.WITHDRAWN, ended_at=now
            ):
                raise InvalidTransition("entry_not_proposed", _("该条目已不是拟列入状态。"))
            entry.refresh_from_db()
            _entry_recorded(
                entry,
                type="blacklist_withdrawn",
                summary=_("异议成立，撤回拟列入：%(reason)s") % {"reason": entry.reason_text},
                payload={"entry_id": entry.pk, "objection_id": objection.pk, "reason": reason},
                action="supervision.blacklist.withdraw",
                actor=actor,
                at=now,
                before={"status": BlacklistEntry.Status.PROPOSED},
            )
            with translation.override(settings.LANGUAGE_CODE):
                body = _("经核实，您提出的异议成立，拟列入黑名单已撤回，不作列入。%(reason)s") % {"reason": reason}
        elif clock.to_beijing(now).date() > entry.objection_due:
            with translation.override(settings.LANGUAGE_CODE):
                body = _("经核实，您提出的异议不成立，理由：%(reason)s。列入决定将随后作出并送达。") % {
                    "reason": reason
                }
        else:
            with translation.override(settings.LANGUAGE_CODE):
                body = _("经核实，您提出的异议不成立，理由：%(reason)s。异议期 %(due)s 届满后列入决定生效。") % {
                    "reason": reason,
                    "due": entry.objection_due.isoformat(),
                }
        with translation.override(settings.LANGUAGE_CODE):
            _tell(
                entry,
                kind="objection_decision",
                key=f"objection:{objection.pk}:decided",
                title=_("异议处理结果"),
                body=body,
            )
    return entry
