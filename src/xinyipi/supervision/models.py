from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyipi.core.uploads import upload_storage
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

    class Severity(models.TextChoices):
        # 令2025年第36号: the class of the dishonesty information sets the publicity period and the
        # minimum period before repair (policy/repair.yaml).
        MINOR = "minor", _("轻微失信信息")
        GENERAL = "general", _("一般失信信息")
        SERIOUS = "serious", _("严重失信信息")

    class Reason(models.TextChoices):
        PLEDGE_BREACHED = "pledge_breached", _("容缺受理经催告仍未补齐材料")
        COMMITMENT_BREACHED = "commitment_breached", _("告知承诺经核查不实")
        OTHER = "other", _("其他")

    subject = models.ForeignKey(
        Subject, verbose_name=_("主体"), on_delete=models.PROTECT, related_name="blacklist_entries"
    )
    reason = models.CharField(_("列入事由"), max_length=30, choices=Reason.choices)
    reason_text = models.TextField(_("事由说明"), blank=True)
    severity = models.CharField(_("失信信息类别"), max_length=10, choices=Severity.choices, default=Severity.GENERAL)
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


class StoredFile(models.Model):
    """A file a subject handed in (PDF/JPEG/PNG), stored once under its SM3 hash like case materials."""

    file = models.FileField(_("文件"), max_length=200, storage=upload_storage)
    file_name = models.CharField(_("原文件名"), max_length=200)
    file_size = models.PositiveIntegerField(_("文件大小（字节）"))
    file_sm3 = models.CharField(_("文件 SM3 摘要"), max_length=64)
    file_type = models.CharField(_("文件类型"), max_length=10)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.file_name} · {self.file_sm3[:12]}"


class Objection(models.Model):
    """The subject's objection to a proposed listing (国办发〔2020〕49号): filed within the objection period,
    checked and answered by a credit officer. While it is pending the entry does not take effect."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        UPHELD = "upheld", _("异议成立（撤回拟列入）")
        DISMISSED = "dismissed", _("异议不成立")

    entry = models.ForeignKey(
        BlacklistEntry, verbose_name=_("黑名单条目"), on_delete=models.PROTECT, related_name="objections"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    statement = models.TextField(_("异议陈述"))
    filed_at = models.DateTimeField(_("提出时间"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交账户"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_by_label = models.CharField(_("提交人"), max_length=150)
    at_window = models.BooleanField(_("窗口代为登记"), default=False)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by_label = models.CharField(_("处理人标识"), max_length=150, blank=True)
    reason = models.TextField(_("处理理由"), blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-id"]
        constraints = [
            # One open objection per entry: a second one filed at the same moment loses here.
            models.UniqueConstraint(
                fields=["entry"], condition=models.Q(status="pending"), name="objection_one_pending_per_entry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} · {self.get_status_display()}"

    @property
    def outcome(self) -> str | None:
        return {self.Status.UPHELD: "uphold", self.Status.DISMISSED: "dismiss"}.get(self.status)


class ObjectionFile(StoredFile):
    objection = models.ForeignKey(Objection, verbose_name=_("异议"), on_delete=models.CASCADE, related_name="files")

    class Meta:
        verbose_name = _("异议材料")
        verbose_name_plural = _("异议材料")
        ordering = ["objection", "id"]


class CreditRepair(models.Model):
    """A request for credit repair of one listing (R11; 国家发展改革委令2025年第36号), with the subject's public
    credit commitment frozen as signed (text + SM3 + time + signer), decided by a credit officer."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待处理")
        APPROVED = "approved", _("准予修复")
        REFUSED = "refused", _("不予修复")

    subject = models.ForeignKey(
        Subject, verbose_name=_("主体"), on_delete=models.PROTECT, related_name="credit_repairs"
    )
    entry = models.ForeignKey(
        BlacklistEntry, verbose_name=_("黑名单条目"), on_delete=models.PROTECT, related_name="repairs"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    statement = models.TextField(_("纠正失信行为情况说明"))
    requested_at = models.DateTimeField(_("申请时间"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交账户"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_label = models.CharField(_("提交人"), max_length=150)
    at_window = models.BooleanField(_("窗口代为登记"), default=False)
    due = models.DateField(_("办理期限"))
    due_provisional = models.BooleanField(_("办理期限为暂定"), default=False)
    commitment_text = models.TextField(_("信用承诺书文本"))
    commitment_sm3 = models.CharField(_("信用承诺书 SM3 摘要"), max_length=64)
    commitment_signer = models.CharField(_("承诺人"), max_length=200)
    commitment_signed_at = models.DateTimeField(_("承诺签署时间"))
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by_label = models.CharField(_("决定人标识"), max_length=150, blank=True)
    reason = models.TextField(_("决定理由"), blank=True)

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["due", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=models.Q(status="requested"), name="credit_repair_one_open_per_entry"
            ),
        ]
        indexes = [
            models.Index(fields=["due", "id"], condition=models.Q(status="requested"), name="credit_repair_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.get_status_display()}"

    def commitment_intact(self) -> bool:
        from xinyipi.core.crypto import sm3_hex

        return sm3_hex(self.commitment_text) == self.commitment_sm3


class CreditRepairFile(StoredFile):
    repair = models.ForeignKey(
        CreditRepair, verbose_name=_("信用修复申请"), on_delete=models.CASCADE, related_name="files"
    )

    class Meta:
        verbose_name = _("信用修复证明材料")
        verbose_name_plural = _("信用修复证明材料")
        ordering = ["repair", "id"]
