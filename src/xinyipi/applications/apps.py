from django.apps import AppConfig
from django.db.models.signals import post_migrate


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
    verbose_name = "办件"

    def ready(self):
        # After migrate (and after a test database flush) a default template of every letter kind exists.
        post_migrate.connect(_ensure_letter_templates, sender=self, dispatch_uid="applications_letter_templates")
