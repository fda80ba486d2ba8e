from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the system: health and readiness, metrics, request and event logs, backups."""

    name = "xinyipi.ops"
    label = "ops"
    verbose_name = _("运行维护")

    def ready(self):
        from xinyipi.ops import metrics

        metrics.lockout_signal_connect()
