from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "xinyipi.credit"
    label = "credit"
    verbose_name = _("信用核查")

    def ready(self):
        # Importing the contrib package registers every credit source plugin with the registry.
        from xinyipi.credit.panels import subject_panels_register
        from xinyipi.credit.sources import contrib  # noqa: F401

        subject_panels_register()
