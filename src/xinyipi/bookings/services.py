"""Writes of bookings (R10) and their cancellation when a listing takes effect (R9).

Each write is one transaction with its audit entry and the messages that tell the applicant
(``notify_subject``, in the same transaction: nothing is sent for a change that did not commit). Moves are
compare-and-set (``UPDATE … WHERE status = expected``): of two clerks confirming one booking at once exactly
one wins, the other gets 409 ``invalid_transition`` — on SQLite and PostgreSQL alike.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from xinyipi.accounts.access import access_acting_for, access_booking, accounts_acting_for, require_perm
from xinyipi.applications.services import application_credit_check
from xinyipi.audit.services import audit_record, snapshot
from xinyipi.bookings.models import PENDING, Kind, ServiceBooking, Slot, SpecialGrant, Status
from xinyipi.bookings.policy import booking_policy_on
from xinyipi.bookings.selectors import entitlement_refusal
from xinyipi.catalog.models import Matter
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, InvalidTransition, ValidationFailed
from xinyipi.core.text import in_default_language
from xinyipi.credit.models import CreditCheck
from xinyipi.notifications.contrib.sms.plugin import mobile_normalise
from xinyipi.notifications.services import notify_subject
from xinyipi.subjects.models import Subject
from xinyipi.supervision.effects import listing_effect
from xinyipi.supervision.models import BlacklistEntry
from xinyipi.workdays.calendar import is_working_day

S = Status

# The allowed moves. A booking is asked for, confirmed by the service center, then done; it may be cancelled
# while it is still ahead (by the applicant, by staff with a reason, or by a listing taking effect).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REQUESTED: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.DONE, S.CANCELLED}),
    S.DONE: frozenset(),
    S.CANCELLED: frozenset(),
}

ADDRESS_MAX = 300
NOTE_MAX = 2000
REASON_MAX = 2000
_AUDITED = [
    "subject",
    "kind",
    "matter",
    "requested_by",
    "preferred_date",
    "slot",
    "address",
    "contact_phone",
    "note",
    "status",
    "credit_check",
    "confirmed_by",
    "confirmed_at",
    "done_by",
    "done_at",
    "cancelled_by",
    "cancelled_at",
    "cancellation_reason",
    "cancelled_for",
    "special_grant",
]
GRANT = "bookings.add_specialgrant"


def _label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def check_move(from_status: str, to_status: str) -> None:
    """Refuse a move the table does not allow: 409 ``invalid_transition`` naming both states."""
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise InvalidTransition(
            "invalid_transition",
            _("预约当前状态为“%(from)s”，不能变更为“%(to)s”。")
            % {"from": _label(from_status), "to": _label(to_status)},
            from_status=from_status,
            to_status=to_status,
        )


# ---------------------------------------------------------------------------------------------------
# Input


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(value, errors: list) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    raw = _text(value)
    if not raw:
        errors.append(DomainError("date_required", _("请选择预约日期。"), "date"))
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(DomainError("invalid_date", _("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": raw[:20]}, "date"))
        return None


def booking_input_clean(*, kind, date, slot, phone, address="", note="") -> dict:
    """Check what the applicant asked for; ``ValidationFailed`` lists every fault, each naming its field.

    The day must be a working day from ``earliest_days`` to ``horizon_days`` calendar days after today
    (``policy/booking.yaml``); an on-site visit needs the address to come to; the phone is a mainland mobile
    number (staff call it to arrange the visit).
    """
    errors: list[DomainError] = []
    kind = _text(kind)
    if kind not in Kind.values:
        errors.append(DomainError("invalid_kind", _("服务类别应为上门服务或帮办代办。"), "kind"))
    day = _date(date, errors)
    if day is not None:
        today = clock.today()
        first, last = booking_policy_on(today).window(today)
        if day < first:
            errors.append(
                DomainError(
                    "date_too_early",
                    _("预约日期最早为 %(first)s（不能预约今天或以前的日期）。") % {"first": first.isoformat()},
                    "date",
                )
            )
        elif day > last:
            errors.append(
                DomainError(
                    "date_too_late",
                    _("预约日期最晚为 %(last)s（%(days)d 日内）。")
                    % {"last": last.isoformat(), "days": (last - today).days},
                    "date",
                )
            )
        elif not is_working_day(day):
            errors.append(
                DomainError(
                    "not_working_day",
                    _("%(date)s 不是工作日（周末或法定节假日），请选择工作日。") % {"date": day.isoformat()},
                    "date",
                )
            )
    slot = _text(slot)
    if slot not in Slot.values:
        errors.append(DomainError("invalid_slot", _("时段应为上午或下午。"), "slot"))
    address = _text(address)
    if kind == Kind.ONSITE_SERVICE and not address:
        errors.append(DomainError("address_required", _("上门服务须填写服务地址。"), "address"))
    elif len(address) > ADDRESS_MAX:
        errors.append(DomainError("value_too_long", _("服务地址不能超过 %(n)d 个字。") % {"n": ADDRESS_MAX}, "address"))
    number = mobile_normalise(_text(phone))
    if number is None:
        errors.append(DomainError("invalid_mobile", _("请填写 11 位手机号码，以便工作人员联系。"), "phone"))
    note = _text(note)
    if len(note) > NOTE_MAX:
        errors.append(DomainError("value_too_long", _("备注不能超过 %(n)d 个字。") % {"n": NOTE_MAX}, "note"))
    if errors:
        raise ValidationFailed(errors)
    return {
        "kind": kind,
        "preferred_date": day,
        "slot": slot,
        "address": address,
        "contact_phone": number,
        "note": note,
    }


# ---------------------------------------------------------------------------------------------------
# The check a booking rests on


def booking_credit_check(*, actor, subject: Subject) -> CreditCheck:
    """The check a booking rests on: the one a filing would rest on (R1, ``application_credit_check``: a recent
    complete check reused, else a new one). Asks the credit sources outside any transaction: call it before
    the booking's transaction opens."""
    return application_credit_check(actor=actor, subject=subject)


def _subject_lock(subject: Subject) -> None:
    """Lock the subject's row until commit (PostgreSQL; SQLite's writers are serialised anyway).

    A booking's transaction and a listing's transaction both take it as their last step, after their audit
    entry: whichever comes second sees the other's committed writes — the booking sees the listing and is
    refused, or the listing sees the booking and cancels it. Taken last, it cannot deadlock with the audit
    chain's lock, which both take before it."""
    list(Subject.objects.select_for_update().filter(pk=subject.pk).values_list("pk", flat=True))


# ---------------------------------------------------------------------------------------------------
# Telling the applicant


@in_default_language
def _message(booking: ServiceBooking, event: str, reason: str = "") -> tuple[str, str]:
    """The title and body telling the applicant of ``event``, in the site's language (they are sent as SMS
    and kept in the outbox whatever language the page that caused them reads in)."""
    values = {
        "name": booking.subject.name,
        "kind": booking.get_kind_display(),
        "when": f"{booking.preferred_date.isoformat()} {booking.get_slot_display()}",
        "reason": reason,
    }
    if event == "requested":
        return _("已收到%(kind)s预约") % values, _(
            "已收到“%(name)s”的%(kind)s预约（%(when)s），服务中心工作人员将与您电话联系确认。"
            "如需取消，请在“我的办件—预约服务”中操作。"
        ) % values
    if event == "confirmed":
        if booking.kind == Kind.ONSITE_SERVICE:
            where = _("工作人员将到 %(address)s 为您服务。") % {"address": booking.address}
        else:
            where = _("届时请到扎兰屯市政务服务中心帮办代办窗口办理。")
        return _("%(kind)s预约已确认") % values, _(
            "“%(name)s”的%(kind)s预约已确认：%(when)s。%(where)s如有变化请及时联系服务中心。"
        ) % (values | {"where": where})
    if event == "done":
        return _("%(kind)s服务已完成") % values, _(
            "“%(name)s”预约的%(kind)s（%(when)s）已完成，欢迎对本次服务作出评价。"
        ) % values
    title = _("%(kind)s预约已取消") % values
    if event == "cancelled_by_applicant":
        return title, _("“%(name)s”的%(kind)s预约（%(when)s）已按申请人要求取消。") % values
    return title, _("“%(name)s”的%(kind)s预约（%(when)s）已取消。原因：%(reason)s") % values


_MESSAGE_KINDS = {
    "requested": "booking_requested",
    "confirmed": "booking_confirmed",
    "done": "booking_done",
    "cancelled_by_applicant": "booking_cancelled",
    "cancelled_by_staff": "booking_cancelled",
    "cancelled_for_listing": "booking_cancelled",
}


def _tell(booking: ServiceBooking, *, event: str, key: str = "", reason: str = "", users=None) -> None:
    """Tell everyone acting for the booking's subject (``users`` when the caller has them), in the caller's
    transaction; one event once."""
    title, body = _message(booking, event, reason)
    notify_subject(
        subject=booking.subject,
        kind=_MESSAGE_KINDS[event],
        title=title,
        body=body,
        dedupe_key=f"booking:{booking.pk}:{key or event}",
        source=booking,
        users=accounts_acting_for(booking.subject) if users is None else users,
    )


# ---------------------------------------------------------------------------------------------------
# Request


def booking_request(
    *,
    actor,
    subject: Subject,
    kind: str,
    date,
    slot: str,
    phone: str,
    address: str = "",
    note: str = "",
    matter: Matter | None = None,
) -> ServiceBooking:
    """Book ``kind`` for ``subject``, asked by an account acting for it (R10).

    Bad input is refused before anything is written. The subject must hold the entitlement named by
    ``kind`` on a complete recent check (reused) or a new one (purpose ``application``); otherwise 422
    ``entitlement_missing`` says which entitlement and why. A second pending booking of the same kind for the
    same half-day is refused (``booking_exists``). A subject without the entitlement may still book once on an
    open special-circumstances grant of that kind (``special_grant_give``), which the booking uses up.
    """
    access_acting_for(actor, subject)
    values = booking_input_clean(kind=kind, date=date, slot=slot, phone=phone, address=address, note=note)
    check = booking_credit_check(actor=actor, subject=subject)
    refusal = entitlement_refusal(check=check, kind=values["kind"])
    grant = None
    if refusal:
        grant = SpecialGrant.objects.filter(
            subject=subject, kind=values["kind"], status=SpecialGrant.Status.OPEN
        ).first()
        if grant is None:
            raise DomainError("entitlement_missing", refusal, "kind", entitlement=values["kind"], level=check.level)
    exists = DomainError(
        "booking_exists",
        _("该主体在 %(date)s %(slot)s 已有一项待办的同类预约。")
        % {"date": values["preferred_date"].isoformat(), "slot": Slot(values["slot"]).label},
        "date",
    )
    now = clock.now()
    pending = ServiceBooking.objects.filter(
        subject=subject,
        kind=values["kind"],
        preferred_date=values["preferred_date"],
        slot=values["slot"],
        status__in=PENDING,
    )
    try:
        with transaction.atomic():
            if pending.exists():
                raise exists
            if grant is not None and not SpecialGrant.objects.filter(
                pk=grant.pk, status=SpecialGrant.Status.OPEN
            ).update(status=SpecialGrant.Status.USED, used_at=now):
                raise DomainError("entitlement_missing", refusal, "kind", entitlement=values["kind"], level=check.level)
            booking = ServiceBooking.objects.create(
                subject=subject,
                matter=matter,
                requested_by=actor,
                requested_at=now,
                credit_check=check,
                status=S.REQUESTED,
                special_grant=grant,
                updated_at=now,
                **values,
            )
            audit_record(
                actor=actor,
                action="bookings.service_booking.request",
                obj=booking,
                after=snapshot(booking, _AUDITED) | {"credit_level": check.level},
            )
            _tell(booking, event="requested")
            if grant is not None:
                return booking  # granted for the person's circumstances, not for the credit the check showed
            # R9: a listing that took effect since the check ends the entitlement "from that moment".
            _subject_lock(subject)
            listed = BlacklistEntry.objects.filter(
                subject=subject, status=BlacklistEntry.Status.LISTED, listed_at__gte=check.checked_at
            )
            if listed.exists():
                raise DomainError(
                    "entitlement_missing",
                    _("“%(name)s”已列入黑名单，不再享受“%(entitlement)s”。")
                    % {"name": subject.name, "entitlement": Kind(values["kind"]).label},
                    "kind",
                    entitlement=values["kind"],
                    level="dishonest",
                )
    except IntegrityError as exc:
        # Two requests for the same half-day at once: the partial unique index lets one in.
        if pending.exists():
            raise exists from exc
        raise
    return booking


# ---------------------------------------------------------------------------------------------------
# Special circumstances


@in_default_language
def special_grant_give(*, actor, subject: Subject, kind: str, reason: str) -> SpecialGrant:
    """Let ``subject`` book ``kind`` once although its credit does not entitle it (the notice: "非特殊情况不享受
    上门服务、帮办代办" — an elderly or disabled applicant, say). Credit officers only; the written reason is
    required and kept; audited; the subject's accounts are told. One open grant per subject and kind."""
    require_perm(actor, GRANT)
    errors = []
    if kind not in Kind.values:
        errors.append(DomainError("invalid_kind", _("服务类别应为上门服务或帮办代办。"), "kind"))
    reason = _text(reason)
    if len(reason) < 4:
        errors.append(DomainError("reason_required", _("请写明特殊情况（例如申请人年老、残疾、行动不便）。"), "reason"))
    elif len(reason) > REASON_MAX:
        errors.append(DomainError("reason_too_long", _("特殊情况说明不能超过 2000 字。"), "reason"))
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            grant = SpecialGrant.objects.create(
                subject=subject, kind=kind, reason=reason, granted_by=actor, granted_at=clock.now()
            )
            audit_record(
                actor=actor,
                action="bookings.special_grant.give",
                obj=grant,
                after=snapshot(grant, ["subject", "kind", "reason", "status", "granted_at"]),
            )
            notify_subject(
                subject=subject,
                kind="booking",
                title=_("特殊情况准予预约"),
                body=_("因特殊情况，政务服务中心准予“%(name)s”预约一次“%(kind)s”，请在“预约服务”中提交预约。")
                % {"name": subject.name, "kind": Kind(kind).label},
                dedupe_key=f"special_grant:{grant.pk}",
                source=grant,
                users=accounts_acting_for(subject),
            )
    except IntegrityError as exc:
        raise DomainError("grant_exists", _("该主体已有一项尚未使用的同类特殊情况准予。"), "kind") from exc
    return grant


# ---------------------------------------------------------------------------------------------------
# Moves


def _move(booking: ServiceBooking, *, to: str, actor, action: str, **changes) -> ServiceBooking:
    """Compare-and-set ``booking`` from the status it was read in to ``to``; audit it. In the caller's
    transaction. The loser of a race gets 409 ``invalid_transition`` naming the status it found."""
    expected = booking.status
    check_move(expected, to)
    now = clock.now()
    won = ServiceBooking.objects.filter(pk=booking.pk, status=expected).update(status=to, updated_at=now, **changes)
    if not won:
        current = ServiceBooking.objects.filter(pk=booking.pk).values_list("status", flat=True).first()
        raise InvalidTransition(
            "invalid_transition",
            _("预约已由他人处理，当前状态为“%(status)s”，请刷新后查看。") % {"status": _label(current or "")},
            from_status=current,
            to_status=to,
        )
    before = snapshot(booking, ["status", *changes])
    booking.status = to
    booking.updated_at = now
    for field, value in changes.items():
        setattr(booking, field, value)
    audit_record(actor=actor, action=action, obj=booking, before=before, after=snapshot(booking, ["status", *changes]))
    return booking


def _staff_step(actor, booking: ServiceBooking, *, to: str, step: str, event: str, **changes) -> ServiceBooking:
    """A step the service center takes (``step`` names the audit action), told to the applicant as ``event``."""
    access_booking(actor, booking, action=step)
    with transaction.atomic():
        booking = _move(booking, to=to, actor=actor, action=f"bookings.service_booking.{step}", **changes)
        _tell(booking, event=event)
    return booking


def booking_confirm(*, actor, booking: ServiceBooking) -> ServiceBooking:
    """The service center confirms the visit or the assisted handling for the day asked for."""
    return _staff_step(
        actor, booking, to=S.CONFIRMED, step="confirm", event="confirmed", confirmed_by=actor, confirmed_at=clock.now()
    )


def booking_done(*, actor, booking: ServiceBooking) -> ServiceBooking:
    """The confirmed service was given."""
    return _staff_step(actor, booking, to=S.DONE, step="done", event="done", done_by=actor, done_at=clock.now())


def booking_cancel(*, actor, booking: ServiceBooking, reason: str = "") -> ServiceBooking:
    """Cancel a booking still ahead: by an account acting for its subject (reason optional), or by staff of
    the service center, who must give the reason (the applicant is told it)."""
    reason = _text(reason)
    way = access_booking(actor, booking, action="cancel")
    if way != "applicant" and not reason:
        raise DomainError("reason_required", _("请填写取消原因，系统将告知申请人。"), "reason")
    if len(reason) > REASON_MAX:
        raise DomainError("value_too_long", _("取消原因不能超过 %(n)d 个字。") % {"n": REASON_MAX}, "reason")
    with transaction.atomic():
        booking = _move(
            booking,
            to=S.CANCELLED,
            actor=actor,
            action="bookings.service_booking.cancel",
            cancelled_by=actor,
            cancelled_at=clock.now(),
            cancellation_reason=reason,
        )
        _tell(booking, event="cancelled_by_applicant" if way == "applicant" else "cancelled_by_staff", reason=reason)
    return booking


# ---------------------------------------------------------------------------------------------------
# R9


@listing_effect("bookings.cancel")
def bookings_cancel_for_listing(*, subject: Subject, actor, entry: BlacklistEntry) -> list[ServiceBooking]:
    """Cancel ``subject``'s pending bookings (``requested``/``confirmed``) because ``entry`` took effect, and
    tell the applicant why. Called by ``supervision`` inside the transaction that puts the listing into
    effect (a registered listing effect); returns the bookings cancelled."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bookings_cancel_for_listing must run inside the listing's transaction")
    _subject_lock(subject)
    now = clock.now()
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("已列入黑名单（%(reason)s），自 %(day)s 起不再享受上门服务、帮办代办等便利措施，预约取消。") % {
            "reason": entry.reason_text or entry.get_reason_display(),
            "day": clock.to_beijing(now).date().isoformat(),
        }
    cancelled = []
    agents = accounts_acting_for(subject)  # one subject: its agents once for every booking
    pending = ServiceBooking.objects.filter(subject=subject, status__in=PENDING).select_related("subject")
    for booking in pending.order_by("id"):
        by = actor if getattr(actor, "is_authenticated", False) else None
        try:
            booking = _move(
                booking,
                to=S.CANCELLED,
                actor=actor,
                action="bookings.service_booking.cancel_for_listing",
                cancelled_by=by,
                cancelled_at=now,
                cancellation_reason=reason,
                cancelled_for=entry,
            )
        except InvalidTransition:
            continue  # moved meanwhile (done or cancelled): nothing left to withdraw
        _tell(
            booking, event="cancelled_for_listing", key=f"cancelled_for_listing:{entry.pk}", reason=reason, users=agents
        )
        cancelled.append(booking)
    return cancelled
