"""Writes of 好差评: record a rating, answer its follow-up, remind overdue follow-ups. Each in one transaction
with its audit entry and its messages in the outbox."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xinyipi.applications.services.common import tell_applicant
from xinyipi.audit.services import audit_record, snapshot
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, InvalidTransition
from xinyipi.notifications.services import notify
from xinyipi.ratings.models import FollowUp, Rating, ServiceEvent
from xinyipi.workdays.calendar import add_working_days


def _event_for(application, event: str | None) -> str:
    """The service event rated: the one named, or the case's latest (its decision once decided, else its filing)."""
    if application.status == "draft":
        raise DomainError("no_service_event", _("该办件尚未提交，暂无可评价的服务。"), field="event")
    if event is None:
        return ServiceEvent.DECISION if application.decided_at else ServiceEvent.FILING
    if event not in ServiceEvent.values:
        raise DomainError("invalid_event", _("服务事项只能是申请受理、补正材料或办结决定。"), field="event")
    if event == ServiceEvent.DECISION and not application.decided_at:
        raise DomainError("no_service_event", _("该办件尚未作出决定。"), field="event")
    if event == ServiceEvent.SUPPLEMENT and not any(m.supplied_at for m in application.materials.all()):
        raise DomainError("no_service_event", _("该办件没有补正过材料。"), field="event")
    return event


def rating_record(
    *, actor, application, score: int, comment: str = "", event: str | None = None, source: str
) -> Rating:
    """One rating per case and event; a second one is refused with 409 ``rating_exists`` (the request is valid,
    the case's state forbids it — the same answer whichever of two simultaneous ratings loses)."""
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise DomainError("invalid_score", _("评价等级须为 1 至 5 的整数。"), field="score")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise DomainError("comment_too_long", _("评价内容不能超过 500 字。"), field="comment")
    event = _event_for(application, event)
    exists = InvalidTransition("rating_exists", _("该办件的这项服务已经评价过。"), field="event")
    if Rating.objects.filter(application=application, event=event).exists():
        raise exists
    now = clock.now()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                application=application,
                event=event,
                score=score,
                comment=comment,
                source=source,
                recorded_by=actor,
                created_at=now,
            )
            audit_record(actor=actor, action="rating.record", obj=rating, after=snapshot(rating))
            if rating.is_bad:
                follow_up = FollowUp.objects.create(
                    rating=rating,
                    department=application.department,
                    due_date=add_working_days(clock.today(), settings.RATING_FOLLOW_UP_DAYS).date,
                )
                audit_record(actor=actor, action="rating.follow_up_open", obj=follow_up, after=snapshot(follow_up))
    except IntegrityError:
        raise exists from None
    return rating


def follow_up_answer(*, actor, follow_up: FollowUp, call_back: str, answer: str, rectification: str = "") -> FollowUp:
    """The department closes a 差评: it called the applicant back and verified (required: the call-back rate of
    real-name 差评 is 100%), fixed what was wrong (where nothing can be fixed the answer explains why) and
    reports back; the applicant is told the answer."""
    call_back, rectification, answer = ((v or "").strip() for v in (call_back, rectification, answer))
    if not call_back:
        raise DomainError("call_back_required", _("请填写回访核实情况。"), field="call_back")
    if not answer:
        raise DomainError("answer_required", _("请填写向申请人反馈的整改结果。"), field="answer")
    for field, value in (("call_back", call_back), ("rectification", rectification), ("answer", answer)):
        if len(value) > 2000:
            raise DomainError("text_too_long", _("内容不能超过 2000 字。"), field=field)
    with transaction.atomic():
        locked = FollowUp.objects.select_related("rating__application__subject").get(pk=follow_up.pk)
        before = snapshot(locked)
        fields = {
            "status": FollowUp.Status.ANSWERED,
            "call_back": call_back,
            "rectification": rectification,
            "answer": answer,
            "answered_at": clock.now(),
            "answered_by": actor,
        }
        # Exactly one of two answers at once wins: a conditional UPDATE, which SQLite honours too.
        if not FollowUp.objects.filter(pk=locked.pk, status=FollowUp.Status.OPEN).update(**fields):
            raise InvalidTransition("follow_up_answered", _("该差评已经反馈过。"))
        for name, value in fields.items():
            setattr(locked, name, value)
        audit_record(actor=actor, action="rating.follow_up_answer", obj=locked, before=before, after=snapshot(locked))
        application = locked.rating.application
        tell_applicant(
            application,
            kind="rating_follow_up",
            key=f"rating:{locked.rating_id}:answer",
            title=str(_("差评整改反馈")),
            body=str(
                _("您对办件 %(number)s 的评价已处理：%(answer)s") % {"number": application.number, "answer": answer}
            ),
        )
    return locked


def follow_ups_remind(*, today=None) -> int:
    """Remind each department of its follow-ups past due, once a day per follow-up (the sweep may run again)."""
    today = today or clock.today()
    count = 0
    overdue = FollowUp.objects.filter(status=FollowUp.Status.OPEN, due_date__lt=today).exclude(reminded_on=today)
    for follow_up in overdue.select_related("rating__application"):
        with transaction.atomic():
            updated = (
                FollowUp.objects.filter(pk=follow_up.pk, status=FollowUp.Status.OPEN)
                .exclude(reminded_on=today)
                .update(reminded_on=today)
            )
            if not updated:
                continue
            for user in follow_up.department.staff.filter(is_active=True).order_by("id"):
                notify(
                    channel="in_app",
                    recipient=user,
                    user=user,
                    kind="rating_follow_up_overdue",
                    title=str(_("差评整改逾期")),
                    body=str(
                        _("办件 %(number)s 的差评整改已于 %(due)s 到期，请尽快回访并反馈。")
                        % {"number": follow_up.rating.application.number, "due": follow_up.due_date.isoformat()}
                    ),
                    dedupe_key=f"rating_follow_up:{follow_up.pk}:{today.isoformat()}:{user.pk}",
                    source=follow_up,
                )
            count += 1
    return count
