import uuid

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


class RecordShare(models.Model):
    """An event not yet acknowledged by the upstream credit platform: the sharing outbox (R8).

    Written by ``record_append`` in the transaction that writes the event, so an event exists exactly when its
    row does; deleted in the transaction that records the platform's acknowledgement. ``batch`` is the batch
    it was put in (kept across retries, so a retry resends the same events).
    """

    event = models.OneToOneField(
        CreditRecordEvent, verbose_name=_("信用记录事件"), primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("写入时间"))
    batch = models.ForeignKey(
        "RecordShareBatch",
        verbose_name=_("批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rows",
    )

    class Meta:
        verbose_name = _("待共享信用记录")
        verbose_name_plural = _("待共享信用记录")
        # No index for "not yet in a batch": a new batch reads the primary key in order, and the rows it skips
        # (those in a batch) are few, since a row leaves the table once acknowledged. One index less to write
        # in every transaction that records an event.

    def __str__(self) -> str:
        return f"{self.event_id}"


class RecordShareBatch(models.Model):
    """One request's worth of events sent to the credit platform, retried as a whole until acknowledged."""

    class Status(models.TextChoices):
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已共享")
        FAILED = "failed", _("失败（将重试）")
        DEAD = "dead", _("已搁置（待人工处理）")

    batch_id = models.UUIDField(_("批次编号"), default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.SENDING)
    event_count = models.PositiveIntegerField(_("事件数"), default=0)
    first_event_id = models.BigIntegerField(_("首个事件编号"), null=True, blank=True)
    last_event_id = models.BigIntegerField(_("末个事件编号"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    lease_owner = models.CharField(_("租约持有者"), max_length=100, blank=True)
    lease_token = models.UUIDField(_("租约令牌"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    last_error_at = models.DateTimeField(_("最近错误时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("共享时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("信用记录共享批次")
        verbose_name_plural = _("信用记录共享批次")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["sending", "failed"]),
                name="recordsharebatch_open_idx",
            ),
            models.Index(fields=["status", "-id"], name="recordsharebatch_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["sending", "sent", "failed", "dead"]),
                name="recordsharebatch_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} ({self.event_count})"
