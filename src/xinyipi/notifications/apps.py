from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "xinyipi.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        # Importing the contrib package registers the channel plugins (sms, email, in_app).
        from xinyipi.notifications import checks, contrib  # noqa: F401
