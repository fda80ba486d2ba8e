"""R9: when a listing takes effect the subject's conveniences granted and not yet used up are withdrawn —
open tolerance cases must bring every missing material now (their deadline is cut to that day and the
subject is told), and green-channel priority is removed from every open case. Registered as a listing effect:
``supervision`` calls it inside the transaction that puts the listing into effect."""

from django.db import transaction
from django.utils.translation import gettext as _

from xinyipi.applications.models import Application, Status
from xinyipi.applications.services.common import missing_materials, tell_applicant
from xinyipi.applications.workflow import OPEN_STATUSES, due_date_for
from xinyipi.audit.services import audit_record
from xinyipi.core import clock
from xinyipi.stats.rollup import application_facts, application_moved
from xinyipi.supervision.effects import listing_effect


@listing_effect("applications.conveniences")
def application_conveniences_withdraw(*, subject, actor, entry=None) -> list[Application]:
    """Withdraw the conveniences of ``subject``'s open cases; returns the cases changed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("application_conveniences_withdraw must run inside the listing's transaction")
    now = clock.now()
    today = clock.to_beijing(now).date()
    cases = Application.objects.filter(subject=subject, status__in=OPEN_STATUSES).select_related("matter", "subject")
    changed = []
    for application in cases.order_by("id"):
        updates = {}
        if application.green_channel:
            updates["green_channel"] = False
        if application.status == Status.AWAITING_SUPPLEMENT and application.supplement_due > today:
            updates["supplement_due"] = today
        if application.status == Status.REMINDED and application.grace_due > today:
            updates["grace_due"] = today
        if not updates:
            continue
        cut = "supplement_due" in updates or "grace_due" in updates
        counted = application_facts(application)
        before = {field: getattr(application, field) for field in updates}
        for field, value in updates.items():
            setattr(application, field, value)
        deadlines = {f: getattr(application, f) for f in ("decision_due", "supplement_due", "grace_due")}
        updates["due_date"] = due_date_for(application.status, deadlines)
        application.due_date = updates["due_date"]
        # Only while the case is still in the state it was read in: a move made meanwhile wins.
        still = Application.objects.filter(pk=application.pk, status=application.status)
        if not still.update(updated_at=now, **updates):
            continue
        application_moved(application, counted)
        audit_record(
            actor=actor,
            action="applications.application.conveniences_withdraw",
            obj=application,
            before=before,
            after={k: v for k, v in updates.items() if k != "due_date"}
            | {"blacklist_entry_id": entry.pk if entry else None},
        )
        if cut:
            missing = missing_materials(application)
            tell_applicant(
                application,
                kind="reminder",
                key=f"listing_cut:{entry.pk if entry else today.isoformat()}",
                title=_("容缺受理便利已取消"),
                body=_(
                    "因您已列入黑名单，“%(matter)s”（办件编号 %(number)s）的容缺受理便利已取消，"
                    "请于今日（%(today)s）补齐全部材料：%(missing)s。逾期将催告，期满仍未补齐的终止办理。"
                )
                % {
                    "matter": application.matter.name,
                    "number": application.number,
                    "today": today.isoformat(),
                    "missing": "、".join(m.name for m in missing),
                },
            )
        changed.append(application)
    return changed
