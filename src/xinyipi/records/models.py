from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyipi.subjects.models import Subject


class CreditRecordEvent(models.Model):
    """One entry of a subject's credit record (R8): append-only, shareable, never edited."""

    class Type(models.TextChoices):
        CREDIT_CHECK = "credit_check", _("信用核查")
        COMMITMENT_LETTER = "commitment_letter", _("签署告知承诺书")
        SUPPLEMENT_PLEDGE = "supplement_pledge", _("签署容缺补正承诺")
        REMINDER_SENT = "reminder_sent", _("催告送达")
        COMMITMENT_FULFILLED = "commitment_fulfilled", _("承诺履约")
        COMMITMENT_BREACHED = "commitment_breached", _("承诺失信")
        RECTIFICATION_ORDERED = "rectification_ordered", _("责令限期整改")
        PLEDGE_FULFILLED = "pledge_fulfilled", _("补正承诺履约")
        PLEDGE_BREACHED = "pledge_breached", _("补正承诺失信")
        DECISION = "decision", _("审批决定")
        REVOCATION = "revocation", _("撤销许可")
        BLACKLIST_PROPOSED = "blacklist_proposed", _("拟列入黑名单")
        BLACKLIST_LISTED = "blacklist_listed", _("列入黑名单")
        BLACKLIST_WITHDRAWN = "blacklist_withdrawn", _("撤回拟列入")
        BLACKLIST_REPAIRED = "blacklist_repaired", _("信用修复移出")
        BLACKLIST_EXPIRED = "blacklist_expired", _("期满移出")
        CREDIT_REPAIR_REQUESTED = "credit_repair_requested", _("申请信用修复")
        CREDIT_REPAIR_DECIDED = "credit_repair_decided", _("信用修复决定")

    subject = models.ForeignKey(Subject, verbose_name=_("主体"), on_delete=models.PROTECT, related_name="record_events")
    type = models.CharField(_("类型"), max_length=40, choices=Type.choices)
    at = models.DateTimeField(_("时间"))
    summary = models.CharField(_("摘要"), max_length=500)
    payload = models.JSONField(_("内容"), default=dict)
    source_type = models.CharField(_("来源对象类型"), max_length=100, blank=True)
    source_id = models.CharField(_("来源对象编号"), max_length=100, blank=True)
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("信用记录事件")
        verbose_name_plural = _("信用记录事件")
        ordering = ["subject", "id"]
        indexes = [models.Index(fields=["subject", "id"]), models.Index(fields=["type", "at"])]
        permissions = [("export_creditrecordevent", _("可导出一段时间内全部主体的信用记录"))]

    def __str__(self) -> str:
        return f"{self.get_type_display()} · {self.at:%Y-%m-%d}"
