"""The deadline sweep (R7, R9; DESIGN.md "CLI contract"): everything that time moves on.

1. a supplement deadline has passed → ``reminded``, a grace period (policy ``grace_days`` working days),
   the reminder notice (催告通知书) sent and its sending recorded (``reminder_sent``);
2. the grace period has passed with materials still missing → ``terminated``, ``pledge_breached``, and a
   listing proposed (R7);
2a. a correction notice (补正, 行政许可法 Art. 32(4)) went unanswered past its date → the policy's outcome
   (视为撤回申请 by default) with a termination notice (``services/correction.py``);
3. a verification is overdue → flagged to the department, once;
   a rectification period (R7 ``nonconforming``) has ended with no re-check finding the conditions met →
   ``revoked`` (no listing: nothing false was found), with the revocation decision;
4. a listing proposal's objection period is over → the entry takes effect (``supervision``);
5. a listing's publicity period is over → the entry expires;
6. a 差评 follow-up is past its due day → its department is reminded, once per overdue day (``ratings``).

"Overdue once its due day has ended" (Beijing): a date ``d`` is overdue when ``d < today``. The sweep acts as
if at ``now`` (``clock.acting_at``); what it changes is committed at once and holds for every later request
whatever the real clock says. Each case moves in its own transaction by compare-and-set, so a second run at
the same ``now`` changes nothing and two sweeps at once do not double anything. Selection is set-based and
uses the partial indexes of ``Application``: only the few due rows are read, however many cases are open.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from operator import attrgetter

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from xinyipi.applications import letters
from xinyipi.applications.models import Application, LetterKind, Status
from xinyipi.applications.policy import workflow_policy_on
from xinyipi.applications.services.common import (
    document_context,
    document_issue,
    missing_materials,
    tell_applicant,
)
from xinyipi.applications.services.correction import application_correction_lapse, due_corrections
from xinyipi.applications.services.verification import revocation_after_rectification
from xinyipi.applications.workflow import VERIFICATION_OWED_STATUSES, transition_apply
from xinyipi.audit.services import audit_record
from xinyipi.core import clock
from xinyipi.core.errors import InvalidTransition
from xinyipi.notifications.services import notify
from xinyipi.ratings.services import follow_ups_remind
from xinyipi.records.services import record_append
from xinyipi.supervision.models import BlacklistEntry
from xinyipi.supervision.selectors import blacklist_due_expiries, blacklist_due_listings
from xinyipi.supervision.services import blacklist_entry_expire, blacklist_entry_list, blacklist_propose
from xinyipi.workdays.calendar import add_working_days

logger = logging.getLogger(__name__)


@dataclass
class SweepReport:
    at: dt.datetime
    reminded: list[str] = field(default_factory=list)
    terminated: list[str] = field(default_factory=list)
    verification_flagged: list[str] = field(default_factory=list)
    rectification_lapsed: list[str] = field(default_factory=list)
    corrections_lapsed: list[str] = field(default_factory=list)
    listed: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    follow_ups_reminded: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "reminded": self.reminded,
            "terminated": self.terminated,
            "verification_flagged": self.verification_flagged,
            "rectification_lapsed": self.rectification_lapsed,
            "corrections_lapsed": self.corrections_lapsed,
            "listed": self.listed,
            "expired": self.expired,
            "follow_ups_reminded": self.follow_ups_reminded,
            "errors": self.errors,
        }

    @property
    def changed(self) -> int:
        return sum(
            len(v)
            for v in (
                self.reminded,
                self.terminated,
                self.verification_flagged,
                self.rectification_lapsed,
                self.corrections_lapsed,
                self.listed,
                self.expired,
            )
        )


def due_supplements(*, on: dt.date) -> list[int]:
    return list(
        Application.objects.filter(status=Status.AWAITING_SUPPLEMENT, supplement_due__lt=on)
        .order_by("supplement_due", "id")
        .values_list("id", flat=True)
    )


def due_graces(*, on: dt.date) -> list[int]:
    return list(
        Application.objects.filter(status=Status.REMINDED, grace_due__lt=on)
        .order_by("grace_due", "id")
        .values_list("id", flat=True)
    )


def due_verifications(*, on: dt.date) -> list[int]:
    return list(
        Application.objects.filter(
            status__in=VERIFICATION_OWED_STATUSES, verification_flagged_at__isnull=True, verification_due__lt=on
        )
        .order_by("verification_due", "id")
        .values_list("id", flat=True)
    )


def due_rectifications(*, on: dt.date) -> list[int]:
    return list(
        Application.objects.filter(status=Status.RECTIFYING, rectification_due__lt=on)
        .order_by("rectification_due", "id")
        .values_list("id", flat=True)
    )


def _load(application_id: int) -> Application:
    return Application.objects.select_related("matter__department", "subject", "department").get(pk=application_id)


def application_remind(*, application_id: int) -> Application | None:
    """R7: the supplement deadline has passed — remind, with a grace period. ``None`` if no longer due."""
    with transaction.atomic():
        application = _load(application_id)
        today = clock.today()
        if application.status != Status.AWAITING_SUPPLEMENT or application.supplement_due >= today:
            return None
        policy = workflow_policy_on(today)
        grace = add_working_days(today, policy.grace_days)
        transition_apply(
            application,
            to=Status.REMINDED,
            actor=None,
            reason=_("容缺补正期限 %(due)s 已届满，催告并给予 %(days)d 个工作日补正期限")
            % {"due": application.supplement_due.isoformat(), "days": policy.grace_days},
            changes={"grace_due": grace.date, "grace_due_provisional": grace.provisional},
        )
        missing = missing_materials(application)
        document = document_issue(
            application,
            LetterKind.REMINDER_NOTICE,
            document_context(
                application,
                missing=[letters.missing_context(m) for m in missing],
                deadline={"date": letters.date_label(grace.date), "provisional": grace.provisional},
                grace_days=policy.grace_days,
            ),
        )
        tell_applicant(
            application,
            kind="reminder",
            key="reminder",
            title=_("催告通知"),
            body=_(
                "您申请的“%(matter)s”（办件编号 %(number)s）容缺材料未按期补齐：%(missing)s。"
                "请于 %(due)s 前补齐，期满仍未补齐的终止办理并拟列入黑名单。"
            )
            % {
                "matter": application.matter.name,
                "number": application.number,
                "missing": "、".join(m.name for m in missing),
                "due": grace.date.isoformat(),
            },
        )
        from xinyipi.notifications.models import Notification

        sent = list(
            Notification.objects.filter(
                source_type=Application._meta.label_lower,
                source_id=str(application.pk),
                dedupe_key__startswith=f"application:{application.pk}:reminder:",
            ).values("id", "channel", "recipient")
        )
        # R7: the reminder's sending is recorded — which document, which channels, which outbox rows.
        record_append(
            subject=application.subject,
            type="reminder_sent",
            summary=_("催告：%(matter)s（办件 %(number)s），补正期限延至 %(due)s")
            % {"matter": application.matter.name, "number": application.number, "due": grace.date.isoformat()},
            payload={
                "application_id": application.pk,
                "number": application.number,
                "document_number": document.number,
                "document_sm3": document.text_sm3,
                "missing": [m.code for m in missing],
                "grace_due": grace.date.isoformat(),
                "notifications": [{"id": n["id"], "channel": n["channel"]} for n in sent],
                "reference": policy.grace_reference,
            },
            source=application,
            at=clock.now(),
        )
    return application


def application_terminate(*, application_id: int) -> Application | None:
    """R7: the grace period has passed with materials missing — terminate, record the broken pledge, and
    propose a listing. ``None`` if no longer due."""
    with transaction.atomic():
        application = _load(application_id)
        today = clock.today()
        if application.status != Status.REMINDED or application.grace_due >= today:
            return None
        missing = missing_materials(application)
        names = "、".join(m.name for m in missing)
        reason = _("经催告，至 %(due)s 仍未补齐容缺材料：%(names)s") % {
            "due": application.grace_due.isoformat(),
            "names": names,
        }
        transition_apply(application, to=Status.TERMINATED, actor=None, reason=reason)
        document_issue(
            application,
            LetterKind.TERMINATION_NOTICE,
            document_context(
                application, decision={"reason": reason}, missing=[letters.missing_context(m) for m in missing]
            ),
        )
        record_append(
            subject=application.subject,
            type="pledge_breached",
            summary=_("容缺补正承诺未履行：%(matter)s（办件 %(number)s）")
            % {"matter": application.matter.name, "number": application.number},
            payload={
                "application_id": application.pk,
                "number": application.number,
                "supplement_due": application.supplement_due.isoformat(),
                "grace_due": application.grace_due.isoformat(),
                "missing": [m.code for m in missing],
            },
            source=application,
            at=clock.now(),
        )
        tell_applicant(
            application,
            kind="termination",
            key="terminated",
            title=_("终止办理通知"),
            body=_("您申请的“%(matter)s”（办件编号 %(number)s）经催告仍未补齐材料，已终止办理，并拟列入黑名单。")
            % {"matter": application.matter.name, "number": application.number},
        )
        blacklist_propose(
            subject=application.subject,
            reason=BlacklistEntry.Reason.PLEDGE_BREACHED,
            case=application,
            evidence=reason,
            actor=None,
        )
    return application


def application_rectification_lapse(*, application_id: int) -> Application | None:
    """R7: the rectification period has ended and no re-check found the conditions met — revoke, with no
    listing. ``None`` if no longer due (re-checked meanwhile, or not yet overdue)."""
    with transaction.atomic():
        application = _load(application_id)
        if application.status != Status.RECTIFYING or application.rectification_due >= clock.today():
            return None
        now = clock.now()
        reason = _("责令整改期限 %(due)s 已届满，未经复查确认符合许可条件") % {
            "due": application.rectification_due.isoformat()
        }

        def record(type_: str, summary: str) -> None:
            record_append(
                subject=application.subject,
                type=type_,
                summary=summary % {"matter": application.matter.name, "number": application.number},
                payload={
                    "application_id": application.pk,
                    "number": application.number,
                    "rectification_due": application.rectification_due.isoformat(),
                },
                source=application,
                at=now,
            )

        revocation_after_rectification(actor=None, application=application, reason=reason, record=record)
    return application


def _department_verifiers(department_id: int) -> list:
    User = get_user_model()
    perm = Q(codename="verify_application", content_type__app_label="applications")
    from django.contrib.auth.models import Permission

    permission = Permission.objects.filter(perm).first()
    if permission is None:
        return []
    return list(
        User.objects.filter(department_id=department_id, is_active=True)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .distinct()
        .order_by("id")
    )


def application_verification_flag(*, application_id: int) -> Application | None:
    """A verification is overdue: tell the department's verifiers, once (compare-and-set on the flag)."""
    with transaction.atomic():
        now = clock.now()
        won = Application.objects.filter(
            pk=application_id,
            status__in=VERIFICATION_OWED_STATUSES,
            verification_flagged_at__isnull=True,
            verification_due__lt=clock.today(),
        ).update(verification_flagged_at=now)
        if not won:
            return None
        application = _load(application_id)
        audit_record(
            actor=None,
            action="applications.application.verification_overdue",
            obj=application,
            before={"verification_flagged_at": None},
            after={"verification_flagged_at": now, "verification_due": application.verification_due},
        )
        for user in _department_verifiers(application.department_id):
            notify(
                channel="in_app",
                recipient=user,
                kind="verification",
                title=_("承诺核查已逾期"),
                body=_(
                    "办件 %(number)s（%(matter)s，%(subject)s）的承诺核查期限 %(due)s 已届满，请尽快核查并登记结果。"
                )
                % {
                    "number": application.number,
                    "matter": application.matter.name,
                    "subject": application.subject.name,
                    "due": application.verification_due.isoformat(),
                },
                subject=application.subject,
                source=application,
                dedupe_key=f"application:{application.pk}:verification_overdue:{user.pk}",
            )
    return application


def _each(ids, step, report_list, label, report: SweepReport, key):
    for pk in ids:
        try:
            done = step(pk)
        except InvalidTransition:
            continue  # another sweep or a person moved the case first
        except Exception:  # one faulty case must not hold up every other deadline
            logger.exception("deadline sweep: %s failed for %s", label, pk)
            report.errors.append(f"{label}:{pk}")
            continue
        if done is not None:
            report_list.append(key(done))


def deadlines_sweep(*, now: dt.datetime | None = None) -> SweepReport:
    """Run every step of the sweep as if at ``now`` (default: the real time); returns what it changed."""
    moment = now or clock.now()
    report = SweepReport(at=moment)
    by_number, by_pk = attrgetter("number"), attrgetter("pk")
    # (label, the due ids on a day, the step on one id, the report's list, what the list keeps). In this order,
    # and each step selects its due rows only once the step before it has run.
    steps = (
        ("remind", due_supplements, lambda i: application_remind(application_id=i), report.reminded, by_number),
        ("terminate", due_graces, lambda i: application_terminate(application_id=i), report.terminated, by_number),
        (
            "correction",
            due_corrections,
            lambda i: application_correction_lapse(application_id=i),
            report.corrections_lapsed,
            by_number,
        ),
        (
            "verification",
            due_verifications,
            lambda i: application_verification_flag(application_id=i),
            report.verification_flagged,
            by_number,
        ),
        (
            "rectification",
            due_rectifications,
            lambda i: application_rectification_lapse(application_id=i),
            report.rectification_lapsed,
            by_number,
        ),
        ("list", blacklist_due_listings, lambda i: blacklist_entry_list(entry_id=i), report.listed, by_pk),
        ("expire", blacklist_due_expiries, lambda i: blacklist_entry_expire(entry_id=i), report.expired, by_pk),
    )
    with clock.acting_at(moment):
        today = clock.today()
        for label, due, step, report_list, key in steps:
            _each(due(on=today), step, report_list, label, report, key)
        try:
            report.follow_ups_reminded = follow_ups_remind(today=today)
        except Exception:  # a failing reminder must not hide what the case steps did
            logger.exception("deadline sweep: rating follow-up reminders failed")
            report.errors.append("follow_up_remind")
    return report
