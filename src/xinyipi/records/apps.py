from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "xinyipi.records"
    label = "records"
    verbose_name = _("信用记录")

    def ready(self):
        from xinyipi.records import sharing_checks  # noqa: F401  (registers the system checks)
        from xinyipi.records.panels import subject_panels_register

        subject_panels_register()
