from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyipi.subjects.models import Subject


class BlacklistEntry(models.Model):
    """A listing on the city's government-service credit blacklist (R9), with its due process.

    The list is local and limited to government services: it is not a national serious-dishonesty list.
    A subject with an entry in status ``listed`` is ``dishonest``.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("拟列入（异议期）")
        WITHDRAWN = "withdrawn", _("已撤回")
        LISTED = "listed", _("已列入")
        REPAIRED = "repaired", _("已修复移出")
        EXPIRED = "expired", _("期满移出")

    class Reason(models.TextChoices):
        PLEDGE_BREACHED = "pledge_breached", _("容缺受理经催告仍未补齐材料")
        COMMITMENT_BREACHED = "commitment_breached", _("告知承诺经核查不实")
        OTHER = "other", _("其他")

    subject = models.ForeignKey(
        Subject, verbose_name=_("主体"), on_delete=models.PROTECT, related_name="blacklist_entries"
    )
    reason = models.CharField(_("列入事由"), max_length=30, choices=Reason.choices)
    reason_text = models.TextField(_("事由说明"), blank=True)
    basis = models.TextField(_("列入依据"), blank=True)
    evidence = models.TextField(_("证据"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    proposed_at = models.DateTimeField(_("拟列入时间"))
    objection_due = models.DateField(_("异议期限"))
    objection_provisional = models.BooleanField(_("异议期限为暂定"), default=False)
    listed_at = models.DateTimeField(_("列入时间"), null=True, blank=True)
    publicity_until = models.DateField(_("公示截止日期"), null=True, blank=True)
    ended_at = models.DateTimeField(_("移出时间"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    case = models.ForeignKey(
        "applications.Application",
        verbose_name=_("引起列入的办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="blacklist_entries",
    )

    class Meta:
        verbose_name = _("黑名单条目")
        verbose_name_plural = _("黑名单条目")
        ordering = ["-proposed_at"]
        indexes = [
            models.Index(fields=["subject", "status"]),
            # The sweep's selections: the few entries due among all (partial, so they stay small).
            models.Index(
                fields=["objection_due"], condition=models.Q(status="proposed"), name="blacklist_objection_due_idx"
            ),
            models.Index(
                fields=["publicity_until"], condition=models.Q(status="listed"), name="blacklist_publicity_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.get_status_display()}"
