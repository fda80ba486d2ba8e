from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_letter_templates(sender, using="default", **kwargs) -> None:
    if sender.label != "applications":
        return
    from django.db import connections

    from xinyipi.applications.letters import letter_templates_ensure_defaults

    if "applications_lettertemplate" in connections[using].introspection.table_names():
        letter_templates_ensure_defaults()


class ApplicationsConfig(AppConfig):
    name = "xinyipi.applications"
    label = "applications"
    verbose_name = _("办件")

    def ready(self):
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from xinyipi.applications.numbers import CaseNumberFormatError, number_format_check

        # A bad case-number format would refuse every filing: refuse to start instead.
        try:
            number_format_check(settings.APPLICATIONS["CASE_NUMBER_FORMAT"])
        except CaseNumberFormatError as exc:
            raise ImproperlyConfigured(str(exc)) from exc
        # R9: a listing taking effect withdraws the conveniences of the subject's open cases.
        # The current letter templates are kept per process (core.caches): a change reaches every process.
        from xinyipi.applications.models import LetterTemplate
        from xinyipi.applications.services import restrictions  # noqa: F401
        from xinyipi.core.caches import CATALOG, bump_on_change

        bump_on_change(CATALOG, LetterTemplate)
        # After migrate (and after a test database flush) a default template of every letter kind exists.
        post_migrate.connect(_ensure_letter_templates, sender=self, dispatch_uid="applications_letter_templates")
