"""E-mail through Django's email backend, with the outbox message id as ``Message-ID``."""

import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from xinyipi.core.errors import DomainError
from xinyipi.notifications.channels.base import Channel, Delivery, DeliveryError
from xinyipi.notifications.channels.registry import register

_SMTP = "django.core.mail.backends.smtp.EmailBackend"


def message_id_header(notification) -> str:
    """``<uuid@domain>``: the same for every attempt, so a receiving system can drop a duplicate."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "xinyipi.local"
    return f"<{notification.message_id}@{domain}>"


@register
class EmailChannel(Channel):
    code = "email"
    label = _("电子邮件")

    def is_configured(self) -> bool:
        # SMTP needs a host; any other backend (console, file, locmem) is configured by being chosen.
        return settings.EMAIL_BACKEND != _SMTP or bool(settings.EMAIL_HOST)

    def recipient_clean(self, recipient: str) -> str:
        address = (recipient or "").strip()
        try:
            validate_email(address)
        except ValidationError as exc:
            raise DomainError("invalid_email", _("电子邮箱地址格式不正确。"), "recipient") from exc
        local, domain = address.rsplit("@", 1)
        return f"{local}@{domain.lower()}"

    def deliver(self, notification) -> Delivery:
        message = EmailMessage(
            subject=notification.title,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient],
            headers={"Message-ID": message_id_header(notification)},
        )
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"email refused: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"email: {type(exc).__name__}: {exc}") from exc
        return Delivery(provider_message_id=message_id_header(notification))
