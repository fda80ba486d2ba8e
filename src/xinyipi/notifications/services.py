"""Writes of the notification outbox: ``notify`` (in the caller's transaction), resend, read receipts.

Delivery itself (the worker's side) is ``delivery.outbox_deliver_due``, re-exported here.
"""

import re
import uuid
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyipi.audit.services import audit_record, snapshot
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, InvalidTransition, NotFound
from xinyipi.core.rows import row_insert
from xinyipi.notifications.channels.registry import registry
from xinyipi.notifications.contrib.sms.plugin import mobile_normalise
from xinyipi.notifications.delivery import DrainResult, outbox_deliver_due, outbox_drain  # noqa: F401
from xinyipi.notifications.models import InAppMessage, Notification

_KIND = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
_TITLE_MAX = 200
_DEDUPE_MAX = 200
# What the audit trail keeps of a message: its state, never its text or full address.
AUDITED_FIELDS = ["message_id", "channel", "kind", "status", "attempts", "total_attempts", "resend_count", "dedupe_key"]


def _text(field: str, value, limit: int | None = None) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        raise DomainError(f"{field}_required", _("此项为必填项。"), field)
    if limit is not None and len(value) > limit:
        raise DomainError(
            "value_too_long",
            _("内容过长：最多 %(limit)d 个字符，实际 %(n)d 个。") % {"limit": limit, "n": len(value)},
            field,
        )
    return value


def _recipient(channel: str, recipient, user):
    """(address, account) for the row: an account for in-app messages, a cleaned address otherwise."""
    User = get_user_model()
    if channel == Notification.Channel.IN_APP:
        account = recipient if isinstance(recipient, User) else user
        if account is None or account.pk is None:
            raise DomainError("recipient_required", _("站内消息必须指定接收用户。"), "recipient")
        return account.get_username(), account
    if not isinstance(recipient, str):
        raise DomainError("recipient_required", _("请填写接收地址。"), "recipient")
    return registry[channel].recipient_clean(recipient), user


def notify(
    *,
    channel: str,
    recipient,
    kind: str,
    title: str,
    body: str,
    subject=None,
    source: models.Model | None = None,
    dedupe_key: str | None = None,
    user=None,
) -> Notification:
    """Put one message in the outbox, as part of the caller's transaction (refused outside one).

    ``recipient`` is a mobile number (``sms``), an e-mail address (``email``) or a ``User`` (``in_app``; or
    pass the account as ``user``). ``source`` is the object the message is about (a case, a listing).
    ``dedupe_key`` names the event: a second call with the same key returns the first row and writes
    nothing, so one event never yields two messages (default: a fresh key, i.e. no de-duplication).

    The row commits or rolls back with the caller's change: nothing is sent for a change that did not
    commit, and nothing committed is lost. SMS and e-mail are sent later by the worker; an in-app message
    is put in the user's inbox at once, in this same transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify must run inside the transaction of the change it announces")
    if channel not in registry:
        raise DomainError("unknown_channel", _("未知的消息渠道：%(channel)s。") % {"channel": channel}, "channel")
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise DomainError("invalid_kind", _("消息类别须为小写英文与下划线。"), "kind")
    title = _text("title", title, _TITLE_MAX)
    body = _text("body", body)
    address, account = _recipient(channel, recipient, user)
    if dedupe_key is not None and not (0 < len(dedupe_key) <= _DEDUPE_MAX):
        raise ValueError(f"dedupe_key must have 1 to {_DEDUPE_MAX} characters")

    message_id = uuid.uuid4()
    if dedupe_key is None:
        dedupe_key = f"message:{message_id}"  # fresh: nothing to look up

    # Delivery is scheduled on the wall clock: a sweep acting "as if at" another moment still sends now.
    wall = timezone.now()
    notification = Notification(
        message_id=message_id,
        channel=channel,
        recipient=address,
        user=account,
        subject=subject,
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "",
        kind=kind,
        title=title,
        body=body,
        dedupe_key=dedupe_key,
        next_attempt_at=wall,
        created_at=clock.now(),
        updated_at=wall,
    )
    # Inserted without looking first (most events are new: one statement on every write that tells someone);
    # a key already there — told before, or by a concurrent writer — is left alone (ON CONFLICT DO NOTHING, so
    # the caller's transaction stays usable without a savepoint), and that first row is returned.
    if not row_insert(notification, conflict="dedupe_key"):
        return Notification.objects.get(dedupe_key=dedupe_key)

    plugin = registry[channel]
    if plugin.delivers_in_transaction:
        delivery = plugin.deliver(notification)
        notification.status = Notification.Status.SENT
        notification.attempts = notification.total_attempts = 1
        notification.sent_at = wall
        notification.provider_message_id = delivery.provider_message_id
        notification.save(update_fields=["status", "attempts", "total_attempts", "sent_at", "provider_message_id"])
    return notification


def notify_subject(
    *,
    subject,
    kind: str,
    title: str,
    body: str,
    dedupe_key: str,
    source: models.Model | None = None,
    users: Iterable = (),
) -> list[Notification]:
    """Tell a subject on every channel it can be reached on; returns the rows (possibly none).

    - ``sms`` to the subject's ``contact_phone`` when it is a mobile number (landlines are skipped);
    - ``in_app`` to each active account in ``users`` — the accounts acting for the subject (the applicant
      who filed, the enterprise's agent); the caller knows them, the subject registry does not;
    - ``email`` to each of those accounts that has an e-mail address.

    ``dedupe_key`` names the event; each row's key is derived from it per channel and recipient, so calling
    again for the same event adds nothing. Must run inside the caller's transaction, like ``notify``.
    """
    if len(dedupe_key) > _DEDUPE_MAX - 30:
        raise ValueError(f"dedupe_key of notify_subject must have at most {_DEDUPE_MAX - 30} characters")
    common = {"kind": kind, "title": title, "body": body, "subject": subject, "source": source}
    rows = []
    number = mobile_normalise(subject.contact_phone)
    if number:
        rows.append(notify(channel="sms", recipient=number, dedupe_key=f"{dedupe_key}:sms", **common))
    seen = set()
    for account in users:
        if account is None or account.pk in seen or not account.is_active:
            continue
        seen.add(account.pk)
        rows.append(
            notify(channel="in_app", recipient=account, dedupe_key=f"{dedupe_key}:in_app:{account.pk}", **common)
        )
        if account.email:
            rows.append(
                notify(
                    channel="email",
                    recipient=account.email,
                    user=account,
                    dedupe_key=f"{dedupe_key}:email:{account.pk}",
                    **common,
                )
            )
    return rows


def notification_resend(*, actor, notification: Notification) -> Notification:
    """Put a failed or dead message back in the outbox with a fresh attempt budget. Audited.

    The message keeps its ``message_id``: a provider that did receive an earlier attempt drops the resend.
    A message in any other state is refused (409) — a sent one would only be sent again.
    """
    with transaction.atomic():
        before = snapshot(notification, AUDITED_FIELDS)
        wall = timezone.now()
        won = Notification.objects.filter(
            pk=notification.pk, status__in=[Notification.Status.FAILED, Notification.Status.DEAD]
        ).update(
            status=Notification.Status.PENDING,
            attempts=0,
            next_attempt_at=wall,
            lease_owner="",
            lease_token=None,
            lease_expires_at=None,
            resend_count=F("resend_count") + 1,
            updated_at=wall,
        )
        if not won:
            raise InvalidTransition("notification_not_resendable", _("只有发送失败或已放弃的消息可以重发。"))
        notification.refresh_from_db()
        audit_record(
            actor=actor,
            action="notifications.notification.resend",
            obj=notification,
            before=before,
            after=snapshot(notification, AUDITED_FIELDS),
        )
    return notification


def in_app_message_mark_read(*, user, message_id: int) -> InAppMessage:
    """Mark one of the user's own inbox messages read (idempotent). Audited: it shows the message was seen."""
    with transaction.atomic():
        message = InAppMessage.objects.filter(pk=message_id, user=user).first()
        if message is None:
            raise NotFound()
        if message.read_at is None:
            message.read_at = clock.now()
            InAppMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
            audit_record(
                actor=user,
                action="notifications.in_app_message.read",
                obj=message,
                after={"read_at": message.read_at, "notification_id": message.notification_id},
            )
    return message
