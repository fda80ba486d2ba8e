from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "xinyipi.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        # Importing the contrib package registers the channel plugins (sms, email, in_app).
        from xinyipi.notifications import checks, contrib  # noqa: F401
