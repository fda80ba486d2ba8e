"""SMS through the configured HTTP gateway (``XINYIPI_SMS_GATEWAY_URL``); unconfigured, SMS rows wait."""

import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xinyipi.core.errors import DomainError
from xinyipi.notifications.channels.base import Channel, Delivery, DeliveryError
from xinyipi.notifications.channels.registry import register
from xinyipi.notifications.contrib.sms.client import SmsGatewayError, sms_client_for

# Mainland mobile numbers (landlines cannot receive SMS); +86 / 0086 prefixes and separators are dropped.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()]")


def mobile_normalise(value: str) -> str | None:
    """The 11-digit mobile number in ``value``, or ``None`` when it is not a mainland mobile number."""
    digits = _SEPARATORS.sub("", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits if _MOBILE.match(digits) else None


@register
class SmsChannel(Channel):
    code = "sms"
    label = _("短信")

    def is_configured(self) -> bool:
        return bool(settings.NOTIFICATIONS["SMS_GATEWAY_URL"])

    def recipient_clean(self, recipient: str) -> str:
        number = mobile_normalise(recipient)
        if number is None:
            raise DomainError("invalid_mobile", _("短信只能发送到 11 位手机号码。"), "recipient")
        return number

    def text(self, notification) -> str:
        signature = settings.NOTIFICATIONS["SMS_SIGNATURE"]
        prefix = f"【{signature}】" if signature else ""
        return f"{prefix}{notification.title}：{notification.body}"

    def deliver(self, notification) -> Delivery:
        config = settings.NOTIFICATIONS
        client = sms_client_for(
            config["SMS_GATEWAY_URL"], timeout=config["SMS_TIMEOUT_SECONDS"], token=config["SMS_GATEWAY_TOKEN"]
        )
        try:
            provider_id = client.send(
                to=notification.recipient, text=self.text(notification), message_id=str(notification.message_id)
            )
        except SmsGatewayError as exc:
            raise DeliveryError(f"sms gateway: {exc}", permanent=exc.permanent) from exc
        return Delivery(provider_message_id=provider_id)
