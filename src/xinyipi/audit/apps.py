from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_chain_head(sender, using="default", **kwargs) -> None:
    """The chain's tip row must exist before the first append (and again after a test flush)."""
    from xinyipi.audit.chain import GENESIS
    from xinyipi.audit.models import AuditHead

    AuditHead.objects.using(using).get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})


class AuditConfig(AppConfig):
    name = "xinyipi.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        post_migrate.connect(ensure_chain_head, sender=self, dispatch_uid="xinyipi-audit-head")
