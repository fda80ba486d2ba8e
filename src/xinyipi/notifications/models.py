"""The notification outbox, the in-app messages it delivers, and the periodic-job schedule of the worker.

An outbox row is written in the transaction of the change it announces (``services.notify``), so a message
exists exactly when that change committed. The worker delivers it afterwards (``delivery``), at least once
towards the provider but under one stable ``message_id`` that the provider de-duplicates on, so the person
receives it once.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyipi.subjects.models import Subject

# Labels of the kinds used across the system. ``kind`` is free text (snake_case) so that every app can add
# its own; a kind missing here is shown as 通知 (``kind_label``), and a test keeps every kind the code sends here.
KIND_LABELS = {
    "tolerance_notice": _("容缺受理通知"),
    "reminder": _("催告"),
    "decision": _("审批决定"),
    "acceptance": _("受理通知"),
    "termination": _("终止办理通知"),
    "revocation": _("撤销决定"),
    "verification": _("核查通知"),
    "listing_proposal": _("拟列入黑名单告知"),
    "listing_decision": _("列入黑名单决定"),
    "listing_expired": _("黑名单期满移出通知"),
    "objection_received": _("异议受理通知"),
    "objection_decision": _("异议处理结果"),
    "repair_notice": _("信用修复告知"),
    "repair_received": _("信用修复申请受理通知"),
    "repair_decision": _("信用修复决定"),
    "rating_follow_up": _("差评整改反馈"),
    "rating_follow_up_overdue": _("差评整改逾期"),
    "correction": _("补正通知"),
    "return": _("办件退回窗口"),
    "agent_link": _("账户关联"),
    "agent_link_code": _("关联确认验证码"),
    "booking": _("预约服务"),
    "booking_requested": _("预约申请"),
    "booking_confirmed": _("预约确认"),
    "booking_done": _("预约服务完成"),
    "booking_cancelled": _("预约取消"),
    "general": _("通知"),
}


def kind_label(kind: str) -> str:
    """A message's kind in words; a kind without its own label reads 通知, never its code."""
    return str(KIND_LABELS.get(kind, KIND_LABELS["general"]))


class Notification(models.Model):
    """One message to one recipient over one channel: an outbox row and its delivery state."""

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")
        IN_APP = "in_app", _("站内消息")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败（将重试）")
        DEAD = "dead", _("已放弃")

    # Rows the worker may claim: waiting, due for a retry, or held under a lease that may have expired.
    OPEN_STATUSES = (Status.PENDING, Status.FAILED, Status.SENDING)

    message_id = models.UUIDField(_("消息编号"), default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    recipient = models.CharField(_("接收地址"), max_length=254, help_text=_("手机号码、电子邮箱或用户名"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收用户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("主体"), null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    source_type = models.CharField(_("来源对象类型"), max_length=100, blank=True)
    source_id = models.CharField(_("来源对象编号"), max_length=100, blank=True)
    kind = models.CharField(_("类别"), max_length=50)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    dedupe_key = models.CharField(_("去重键"), max_length=200, unique=True)

    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("本轮尝试次数"), default=0)
    total_attempts = models.PositiveIntegerField(_("累计尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    lease_owner = models.CharField(_("租约持有者"), max_length=100, blank=True)
    lease_token = models.UUIDField(_("租约令牌"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("租约到期时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    provider_message_id = models.CharField(_("服务商消息编号"), max_length=200, blank=True)
    resend_count = models.PositiveIntegerField(_("重发次数"), default=0)

    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-id"]
        permissions = [("resend_notification", _("可以重发失败的消息"))]
        indexes = [
            # The worker's claim: open rows by due time. Partial, so sent rows (the bulk) cost nothing.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "failed", "sending"]),
                name="notification_due_idx",
            ),
            models.Index(fields=["status", "-id"], name="notification_status_idx"),
            models.Index(fields=["subject", "-id"], name="notification_subject_idx"),
            models.Index(fields=["source_type", "source_id"], name="notification_source_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=["sms", "email", "in_app"]), name="notification_channel_known"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "failed", "dead"]),
                name="notification_status_known",
            ),
            # An in-app message goes to an account; it cannot exist without one.
            models.CheckConstraint(
                condition=~models.Q(channel="in_app") | models.Q(user__isnull=False),
                name="notification_in_app_has_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.title}"

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def recipient_display(self) -> str:
        """The address as staff may see it: a mobile number masked in the middle (personal information)."""
        if self.channel == self.Channel.SMS and len(self.recipient) >= 7:
            return f"{self.recipient[:3]}****{self.recipient[-4:]}"
        if self.channel == self.Channel.EMAIL and "@" in self.recipient:
            local, domain = self.recipient.split("@", 1)
            return f"{local[:1]}***@{domain}"
        return self.recipient


class InAppMessage(models.Model):
    """A message in a user's inbox, created by the in-app channel exactly once per outbox row."""

    notification = models.OneToOneField(
        Notification, verbose_name=_("消息"), on_delete=models.PROTECT, related_name="in_app_message"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="in_app_messages"
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("主体"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=50)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    source_type = models.CharField(_("来源对象类型"), max_length=100, blank=True)
    source_id = models.CharField(_("来源对象编号"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("送达时间"))
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "-id"], name="inapp_user_idx"),
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="inapp_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


class PeriodicJobState(models.Model):
    """When each registered periodic job (``core.periodic``) is next due, and the task last enqueued for it.

    One row per job name. The scheduler of every worker process advances ``next_run_at`` with a
    conditional UPDATE, so of several schedulers exactly one enqueues a given run (SQLite and PostgreSQL).
    """

    name = models.CharField(_("任务名"), max_length=100, primary_key=True)
    next_run_at = models.DateTimeField(_("下次运行时间"))
    last_enqueued_at = models.DateTimeField(_("上次入队时间"), null=True, blank=True)
    last_task_id = models.CharField(_("上次任务编号"), max_length=64, blank=True)
    skipped_runs = models.PositiveIntegerField(_("因上次未完成而跳过的次数"), default=0)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A running ``manage.py run_worker`` process, as long as it keeps beating (``notifications.heartbeat``).

    Times are the database's clock, so workers on hosts whose clocks differ agree on what is stale.
    ``scope`` names where ``pid`` means something (host, kernel boot, PID namespace): a worker in the
    same scope can tell at once that the process is gone.
    """

    worker_id = models.CharField(_("工作进程编号"), max_length=64, primary_key=True)
    host = models.CharField(_("主机名"), max_length=200)
    scope = models.CharField(_("进程空间"), max_length=200, blank=True)
    pid = models.PositiveIntegerField(_("进程号"))
    started_at = models.DateTimeField(_("启动时间"))
    beat_at = models.DateTimeField(_("最近心跳时间"))
    expires_at = models.DateTimeField(_("心跳失效时间"))

    class Meta:
        verbose_name = _("工作进程")
        verbose_name_plural = _("工作进程")
        ordering = ["worker_id"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
