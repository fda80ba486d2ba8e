"""In-app messages: a row in the user's inbox, created exactly once per outbox row."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xinyipi.core import clock
from xinyipi.notifications.channels.base import Channel, Delivery
from xinyipi.notifications.channels.registry import register
from xinyipi.notifications.models import InAppMessage


@register
class InAppChannel(Channel):
    code = "in_app"
    label = _("站内消息")
    # Only our own database is written: deliver inside the writer's transaction, no worker needed.
    delivers_in_transaction = True

    def deliver(self, notification) -> Delivery:
        # The one-to-one on ``notification`` makes a second delivery of the same row find the first.
        existing = InAppMessage.objects.filter(notification=notification).first()
        if existing is None:
            try:
                with transaction.atomic():
                    existing = InAppMessage.objects.create(
                        notification=notification,
                        user_id=notification.user_id,
                        subject_id=notification.subject_id,
                        kind=notification.kind,
                        title=notification.title,
                        body=notification.body,
                        source_type=notification.source_type,
                        source_id=notification.source_id,
                        created_at=clock.now(),
                    )
            except IntegrityError:
                existing = InAppMessage.objects.get(notification=notification)
        return Delivery(provider_message_id=str(existing.pk))
