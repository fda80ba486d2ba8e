"""Cases (办件) and what they produce: per-case materials, the append-only transition history, frozen
commitment letters and supplement pledges, numbered documents, verifications, and the letter templates
the bureau edits. The lifecycle itself (which moves are allowed) is ``workflow.py``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinyipi.accounts.models import Department
from xinyipi.catalog.models import Material, Matter
from xinyipi.core.uploads import upload_storage
from xinyipi.credit.models import CreditCheck
from xinyipi.subjects.models import Subject


class Mode(models.TextChoices):
    STANDARD = "standard", _("一般办理")
    INSTANT = "instant", _("信用+秒批")
    COMMITMENT = "commitment", _("信用+告知承诺")
    TOLERANCE = "tolerance", _("信用+容缺受理")
    KEY_REVIEW = "key_review", _("重点审查")


class Status(models.TextChoices):
    DRAFT = "draft", _("暂存")
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    UNDER_REVIEW = "under_review", _("审查中")
    # 行政许可法 Art. 32(4): one notice of everything to correct; the decision clock stops while it waits.
    CORRECTING = "correcting", _("待补正")
    # Sent back to the window before any decision (wrong matter or department at acceptance).
    RETURNED = "returned", _("退回窗口")
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("容缺待补正")
    REMINDED = "reminded", _("已催告")
    APPROVED = "approved", _("准予许可")
    REJECTED = "rejected", _("不予许可")
    TERMINATED = "terminated", _("终止办理")
    VERIFYING = "verifying", _("核查中")
    RECTIFYING = "rectifying", _("限期整改")
    VERIFIED = "verified", _("核查属实")
    REVOKED = "revoked", _("已撤销")
    WITHDRAWN = "withdrawn", _("已撤回")


def decision_words(task_type: str) -> tuple[str, str]:
    """``(approval, refusal)`` as the applicant reads them for a matter's task type (事项类型), in step with
    ``letters.decision_kinds``: only an administrative licence is 准予/不予许可; a public service is 办结/不予办理,
    any other administrative power 准予/不予办理. The status codes stay the same (API contract)."""
    if task_type == Matter.TaskType.LICENSING:
        return str(Status.APPROVED.label), str(Status.REJECTED.label)
    if task_type == Matter.TaskType.PUBLIC_SERVICE:
        return str(_("办结")), str(_("不予办理"))
    return str(_("准予办理")), str(_("不予办理"))


# The states of each queue, in the order the partial indexes and the selectors' literal filters share.
REVIEW_QUEUE = ("under_review", "awaiting_supplement", "reminded")
WINDOW_QUEUE = ("awaiting_supplement", "reminded", "correcting", "returned")
VERIFICATION_QUEUE = ("approved", "verifying", "rectifying")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    WINDOW = "window", _("窗口受理")


class Application(models.Model):
    """One case: a subject applying for a matter, in one mode, resting on one credit check (R1)."""

    Mode = Mode
    Status = Status
    Channel = Channel

    number = models.CharField(_("办件编号"), max_length=60)
    # The foreign keys below are covered by the composite indexes of Meta (db_index=False: no duplicates).
    matter = models.ForeignKey(
        Matter, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="applications", db_index=False
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("申请主体"), on_delete=models.PROTECT, related_name="applications", db_index=False
    )
    # Copied from the matter when filed: a reviewer's scope never changes with a later catalog edit.
    department = models.ForeignKey(
        Department, verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="applications", db_index=False
    )
    mode = models.CharField(_("办理模式"), max_length=20, choices=Mode.choices)
    requested_mode = models.CharField(_("申请的办理模式"), max_length=20, choices=Mode.choices)
    status = models.CharField(_("状态"), max_length=30, choices=Status.choices)
    channel = models.CharField(_("受理渠道"), max_length=10, choices=Channel.choices)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filed_applications",
    )
    credit_check = models.ForeignKey(
        CreditCheck, verbose_name=_("信用核查"), on_delete=models.PROTECT, related_name="applications"
    )
    credit_level = models.CharField(_("受理时信用等级"), max_length=20)
    green_channel = models.BooleanField(_("绿色通道"), default=False)

    decision_due = models.DateField(_("承诺办结日期"), null=True, blank=True)
    decision_due_provisional = models.BooleanField(_("办结日期为暂定"), default=False)
    supplement_due = models.DateField(_("容缺补正期限"), null=True, blank=True)
    supplement_due_provisional = models.BooleanField(_("补正期限为暂定"), default=False)
    grace_due = models.DateField(_("催告补正期限"), null=True, blank=True)
    grace_due_provisional = models.BooleanField(_("催告期限为暂定"), default=False)
    verification_due = models.DateField(_("承诺核查期限"), null=True, blank=True)
    verification_due_provisional = models.BooleanField(_("核查期限为暂定"), default=False)
    verification_sampled = models.BooleanField(_("抽中核查"), null=True, blank=True)
    verification_flagged_at = models.DateTimeField(_("逾期核查提醒时间"), null=True, blank=True)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    rectification_due_provisional = models.BooleanField(_("整改期限为暂定"), default=False)
    correction_due = models.DateField(_("补正答复期限"), null=True, blank=True)
    correction_due_provisional = models.BooleanField(_("补正答复期限为暂定"), default=False)
    # Working days the decision clock stood still while the applicant corrected (行政许可法 Art. 32(4));
    # ``decision_due`` already includes them.
    decision_paused_days = models.PositiveIntegerField(_("补正停止计时（工作日）"), default=0)
    # The next deadline of the case in its current state (decision, supplement or grace): the queues'
    # order after the green channel (R10). Kept by the workflow on every move.
    due_date = models.DateField(_("当前期限"), null=True, blank=True)

    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-id"]
        permissions = [
            ("view_all_applications", _("可以查看所有部门的办件")),
            ("supplement_application", _("可以为办件收取补正材料")),
            ("decide_application", _("可以作出审批决定")),
            ("verify_application", _("可以登记承诺核查结果")),
            ("withdraw_application", _("可以登记申请人撤回申请")),
            ("request_correction", _("可以出具补正材料通知书")),
            ("return_application", _("可以将办件退回窗口")),
            ("view_statistics", _("可以查看办件统计")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="application_number_unique"),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="application_mode_known"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="application_status_known"),
        ]
        indexes = [
            # The sweep (deadlines.py) selects the few due cases among a million open ones: (state, deadline)
            # indexes give it exactly the due rows, with the values bound as parameters on both databases.
            models.Index(fields=["status", "supplement_due"], name="application_supplement_idx"),
            models.Index(fields=["status", "grace_due"], name="application_grace_idx"),
            models.Index(fields=["status", "correction_due"], name="application_correction_idx"),
            models.Index(
                fields=["status", "verification_flagged_at", "verification_due"], name="application_verification_idx"
            ),
            # Queues (R10): green channel first, then the current deadline; keyset on (green, due, id). Partial:
            # the selectors repeat these conditions literally (``QUEUE_*``), as SQLite needs to use them.
            models.Index(
                fields=["department", "-green_channel", "due_date", "id"],
                condition=Q(status__in=REVIEW_QUEUE),
                name="application_review_queue_idx",
            ),
            models.Index(
                fields=["-green_channel", "due_date", "id"],
                condition=Q(status__in=WINDOW_QUEUE),
                name="application_window_queue_idx",
            ),
            models.Index(
                fields=["department", "verification_due", "id"],
                condition=Q(status__in=VERIFICATION_QUEUE, verification_due__isnull=False),
                name="application_verify_queue_idx",
            ),
            models.Index(fields=["department", "-id"], name="application_department_idx"),
            models.Index(fields=["subject", "-id"], name="application_subject_idx"),
            # The subject's open case of a matter (no second instant approval while one is open): without it
            # SQLite walks the matter's index, every case of a popular matter, for a subject that has none.
            models.Index(fields=["subject", "matter", "-id"], name="application_subject_matter_idx"),
            models.Index(fields=["matter", "-id"], name="application_matter_idx"),
            models.Index(fields=["status", "-id"], name="application_status_idx"),
            # Statistics (R13) of a period read only the cases filed in it.
            models.Index(fields=["created_at"], name="application_created_idx"),
            # ... and the dishonest subjects among them (R3/R9), counted from the cases: subjects are distinct.
            models.Index(
                fields=["created_at", "department", "matter", "mode", "subject"],
                condition=Q(credit_level="dishonest"),
                name="application_dishonest_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def rests_on_commitment(self) -> bool:
        return self.mode == Mode.COMMITMENT

    # Lists show fifty cases a page: ``get_status_display`` rebuilds the field's choices on every call.
    @property
    def status_label(self) -> str:
        return self.label_of(self.status)

    def label_of(self, status: str) -> str:
        """A status of this case in words (its history's too); a decision is named for the matter's task type
        (``decision_words``); a code no longer in the lifecycle reads as itself."""
        if status in (Status.APPROVED, Status.REJECTED):
            approval, refusal = decision_words(self.matter.task_type)
            return approval if status == Status.APPROVED else refusal
        return Status(status).label if status in Status.values else status

    @property
    def decision_words(self) -> tuple[str, str]:
        return decision_words(self.matter.task_type)

    @property
    def mode_label(self) -> str:
        return Mode(self.mode).label


class ApplicationMaterial(models.Model):
    """One material of one case: brought, missing (tolerated), replaced by the commitment, supplied, or (filed
    online without a file) coming on paper to the window until the window confirms receipt."""

    class State(models.TextChoices):
        PROVIDED = "provided", _("已提交")
        MISSING = "missing", _("容缺待补")
        REPLACED = "replaced_by_commitment", _("以告知承诺替代")
        SUPPLIED = "supplied", _("已补正")
        LICENCE_HELD = "licence_held", _("已持有电子证照，免于提交")
        PAPER_AT_WINDOW = "paper_at_window", _("纸质材料窗口提交")

    application = models.ForeignKey(
        Application, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="materials", db_index=False
    )
    material = models.ForeignKey(Material, verbose_name=_("材料"), on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("材料编码"), max_length=50)
    name = models.CharField(_("材料名称"), max_length=300)
    state = models.CharField(_("状态"), max_length=30, choices=State.choices)
    file = models.FileField(_("文件"), max_length=200, blank=True, storage=upload_storage)
    file_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    file_size = models.PositiveIntegerField(_("文件大小（字节）"), null=True, blank=True)
    file_sm3 = models.CharField(_("文件 SM3 摘要"), max_length=64, blank=True)
    file_type = models.CharField(_("文件类型"), max_length=10, blank=True)
    supplied_at = models.DateTimeField(_("补正时间"), null=True, blank=True)
    supplied_by_label = models.CharField(_("补正经办人"), max_length=150, blank=True)
    licence_identifier = models.CharField(_("免提交所凭电子证照标识"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["application", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "material"], name="application_material_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_state_display()}"


class Transition(models.Model):
    """One move of a case (append-only): the case's ``history``."""

    application = models.ForeignKey(
        Application, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="transitions", db_index=False
    )
    from_status = models.CharField(_("原状态"), max_length=30, blank=True)
    to_status = models.CharField(_("新状态"), max_length=30)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人标识"), max_length=150)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("办件流转记录")
        verbose_name_plural = _("办件流转记录")
        ordering = ["application", "id"]
        indexes = [models.Index(fields=["application", "id"], name="transition_application_idx")]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class CaseCounter(models.Model):
    """The last sequence number given in one numbering scope (e.g. one matter on one day, or one document
    prefix in one year: ``numbers.py``).

    Taken with one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement, so concurrent filings get
    distinct numbers on SQLite and PostgreSQL alike.
    """

    scope = models.CharField(_("编号范围"), max_length=100)
    last = models.PositiveIntegerField(_("已用序号"))

    class Meta:
        verbose_name = _("办件编号计数器")
        verbose_name_plural = _("办件编号计数器")
        constraints = [models.UniqueConstraint(fields=["scope"], name="case_counter_scope_unique")]

    def __str__(self) -> str:
        return f"{self.scope} · {self.last}"


class LetterKind(models.TextChoices):
    COMMITMENT_LETTER = "commitment_letter", _("告知承诺书")
    SUPPLEMENT_PLEDGE = "supplement_pledge", _("容缺受理承诺书")
    TOLERANCE_NOTICE = "tolerance_notice", _("容缺受理通知书")
    REMINDER_NOTICE = "reminder_notice", _("催告通知书")
    APPROVAL_DECISION = "approval_decision", _("准予行政许可决定书")
    REFUSAL_DECISION = "refusal_decision", _("不予行政许可决定书")
    TERMINATION_NOTICE = "termination_notice", _("终止办理通知书")
    REVOCATION_DECISION = "revocation_decision", _("撤销行政许可决定书")
    RECTIFICATION_ORDER = "rectification_order", _("责令限期整改通知书")
    CORRECTION_NOTICE = "correction_notice", _("补正材料通知书")
    # Decisions of matters that are not administrative licences (the catalog's task type, GB/T 39046-2020):
    # a public service ends with a completion notice, another administrative power with its own decision.
    COMPLETION_NOTICE = "completion_notice", _("办结通知书")
    SERVICE_REFUSAL_NOTICE = "service_refusal_notice", _("不予办理通知书")
    HANDLING_DECISION = "handling_decision", _("准予办理决定书")
    HANDLING_REFUSAL = "handling_refusal", _("不予办理决定书")


class LetterTemplate(models.Model):
    """A text the bureau keeps (Django template syntax): one default per kind and optional per-matter
    overrides. Versioned: a change is a new row with the next version; a row's text is never edited, so
    every frozen letter can name the exact version it was made from."""

    Kind = LetterKind

    kind = models.CharField(_("文书类型"), max_length=30, choices=LetterKind.choices)
    matter = models.ForeignKey(
        Matter,
        verbose_name=_("适用事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letter_templates",
        help_text=_("留空为默认文本；选择事项则仅用于该事项"),
    )
    version = models.PositiveIntegerField(_("版本"))
    active = models.BooleanField(_("启用"), default=True, help_text=_("停用事项专用文本后，该事项改用默认文本"))
    body = models.TextField(_("文本"))
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    created_by_label = models.CharField(_("创建人"), max_length=150)

    class Meta:
        verbose_name = _("文书模板")
        verbose_name_plural = _("文书模板")
        ordering = ["kind", "matter", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "matter", "version"], name="letter_template_version_unique"),
            models.UniqueConstraint(
                fields=["kind", "version"], condition=Q(matter__isnull=True), name="letter_template_default_unique"
            ),
        ]

    def __str__(self) -> str:
        scope = self.matter.code if self.matter_id else _("默认")
        return f"{self.get_kind_display()} · {scope} · v{self.version}"


class FrozenText(models.Model):
    """A text accepted or issued once and never changed: its SM3 hash proves it later."""

    template = models.ForeignKey(LetterTemplate, verbose_name=_("模板"), on_delete=models.PROTECT, related_name="+")
    template_version = models.PositiveIntegerField(_("模板版本"))
    text = models.TextField(_("文本"))
    text_sm3 = models.CharField(_("文本 SM3 摘要"), max_length=64)

    class Meta:
        abstract = True

    def text_intact(self) -> bool:
        """Whether the stored text still has the hash taken when it was frozen."""
        from xinyipi.core.crypto import sm3_hex

        return sm3_hex(self.text) == self.text_sm3


class SignedText(FrozenText):
    signer_name = models.CharField(_("承诺人"), max_length=200)
    agent_name = models.CharField(_("代理人"), max_length=100, blank=True)
    agent_authorisation = models.TextField(_("委托授权"), blank=True)
    accepted_at = models.DateTimeField(_("签署时间"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_by_label = models.CharField(_("录入人标识"), max_length=150)

    class Meta:
        abstract = True


class CommitmentLetter(SignedText):
    """告知承诺书 (R4/R5): the notice and the applicant's commitment, frozen when accepted."""

    application = models.OneToOneField(
        Application, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="commitment_letter"
    )
    commitment_kind = models.CharField(_("告知承诺类型"), max_length=30)
    certificates = models.JSONField(_("替代的证明材料"), default=list)

    class Meta:
        verbose_name = _("告知承诺书")
        verbose_name_plural = _("告知承诺书")

    def __str__(self) -> str:
        return f"{self.application.number} · {self.text_sm3[:12]}"


class SupplementPledge(SignedText):
    """容缺受理承诺书 (R6): the missing materials, how and by when they are brought, and what follows."""

    application = models.OneToOneField(
        Application, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="supplement_pledge"
    )
    missing = models.JSONField(_("容缺材料"), default=list)
    due = models.DateField(_("补正期限"))

    class Meta:
        verbose_name = _("容缺受理承诺书")
        verbose_name_plural = _("容缺受理承诺书")

    def __str__(self) -> str:
        return f"{self.application.number} · {self.text_sm3[:12]}"


class CaseDocument(FrozenText):
    """A numbered document the case produced (DESIGN.md §8): notices and decisions, frozen when issued."""

    application = models.ForeignKey(
        Application, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("文书类型"), max_length=30, choices=LetterKind.choices)
    number = models.CharField(_("文书编号"), max_length=80)
    issued_at = models.DateTimeField(_("出具时间"))

    class Meta:
        verbose_name = _("办件文书")
        verbose_name_plural = _("办件文书")
        ordering = ["application", "id"]
        constraints = [models.UniqueConstraint(fields=["number"], name="case_document_number_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class CorrectionRequest(models.Model):
    """补正材料通知书 (行政许可法 Art. 32(4)): the one notice telling the applicant everything to correct, and
    the answer. One per case ("一次性告知"). Issued within five working days of filing it is on time: the
    case counts as accepted once the corrections are complete and the decision clock stands still while it
    waits. Issued later it is still issued, but recorded as late: the application counts as accepted from
    the day the materials were received, and the waiting days are not added to the decision period."""

    class Stage(models.TextChoices):
        ACCEPTANCE = "acceptance", _("受理环节（窗口）")
        REVIEW = "review", _("审查环节（部门）")

    class Outcome(models.TextChoices):
        PENDING = "", _("待答复")
        ANSWERED = "answered", _("已补正")
        LAPSED = "lapsed", _("逾期未补正")
        WITHDRAWN = "withdrawn", _("申请人撤回")

    application = models.OneToOneField(
        Application, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="correction"
    )
    stage = models.CharField(_("环节"), max_length=20, choices=Stage.choices)
    # [{"code", "name", "reason"}] in catalog order: what is wrong with each material, or what to bring.
    items = models.JSONField(_("补正事项"), default=list)
    note = models.TextField(_("其他补正要求"), blank=True)
    requested_at = models.DateTimeField(_("告知时间"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("告知人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by_label = models.CharField(_("告知人标识"), max_length=150)
    notice_due = models.DateField(_("法定告知期限"), help_text=_("收到申请材料后第 5 个工作日"))
    late = models.BooleanField(_("逾期告知"), default=False)
    due = models.DateField(_("补正答复期限"))
    due_provisional = models.BooleanField(_("答复期限为暂定"), default=False)
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, blank=True, default="")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by_label = models.CharField(_("答复录入人"), max_length=150, blank=True)
    answer_channel = models.CharField(_("答复渠道"), max_length=10, choices=Channel.choices, blank=True)
    answer_note = models.TextField(_("答复说明"), blank=True)
    paused_days = models.PositiveIntegerField(_("停止计时（工作日）"), default=0)
    accepted_on = models.DateField(_("视为受理日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正材料通知")
        verbose_name_plural = _("补正材料通知")

    def __str__(self) -> str:
        return f"{self.application.number} · {self.get_outcome_display()}"

    @property
    def item_codes(self) -> list[str]:
        return [item["code"] for item in self.items if item.get("code")]


class CorrectionFile(models.Model):
    """A corrected file the applicant brought for one item of the notice, kept under its SM3 hash (the case's
    material row then points at the newest file; the earlier one stays where it was stored)."""

    correction = models.ForeignKey(
        CorrectionRequest, verbose_name=_("补正材料通知"), on_delete=models.PROTECT, related_name="files"
    )
    code = models.CharField(_("材料编码"), max_length=50)
    file = models.FileField(_("文件"), storage=upload_storage, max_length=200)
    file_name = models.CharField(_("文件名"), max_length=200)
    file_size = models.PositiveIntegerField(_("文件大小"))
    file_sm3 = models.CharField(_("文件 SM3"), max_length=64)
    file_type = models.CharField(_("文件类型"), max_length=10)
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("补正文件")
        verbose_name_plural = _("补正文件")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code} · {self.file_name}"


class DocumentPrefix(models.Model):
    """The 发文字号 prefix of a department's case documents, e.g. ``扎市监许`` in 扎市监许〔2026〕12号 (the
    bureau edits it in the admin). A department without one gets a prefix made from its short name."""

    department = models.OneToOneField(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="document_prefix"
    )
    prefix = models.CharField(
        _("文号前缀"), max_length=20, help_text=_("机关代字，如“扎市监许”；文号为 前缀〔年份〕序号号")
    )

    class Meta:
        verbose_name = _("文书文号前缀")
        verbose_name_plural = _("文书文号前缀")
        constraints = [models.UniqueConstraint(fields=["prefix"], name="document_prefix_unique")]

    def __str__(self) -> str:
        return f"{self.department} · {self.prefix}"


class Verification(models.Model):
    """The department's check, after approval, that a commitment was true (R4/R5 事中事后核查)."""

    class Outcome(models.TextChoices):
        FULFILLED = "fulfilled", _("承诺属实（履约）")
        NONCONFORMING = "nonconforming", _("尚不符合条件（责令整改）")
        BREACHED = "breached", _("承诺不实（失信）")

    application = models.OneToOneField(
        Application, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="verification"
    )
    due = models.DateField(_("核查期限"), null=True, blank=True)
    outcome = models.CharField(_("核查结果"), max_length=20, choices=Outcome.choices, blank=True)
    evidence = models.TextField(_("核查证据"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by_label = models.CharField(_("核查人标识"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(_("核查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("承诺核查")
        verbose_name_plural = _("承诺核查")

    def __str__(self) -> str:
        return f"{self.application.number} · {self.get_outcome_display() or _('待核查')}"


class VerificationFile(models.Model):
    """A file a verification rests on (a photo of the premises, a PDF report), kept under its SM3 hash with
    the outcome it was recorded with; a re-check after rectification adds its own."""

    application = models.ForeignKey(
        Application, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="verification_files"
    )
    outcome = models.CharField(_("核查结果"), max_length=20, choices=Verification.Outcome.choices)
    file = models.FileField(_("文件"), storage=upload_storage, max_length=200)
    file_name = models.CharField(_("文件名"), max_length=200)
    file_size = models.PositiveIntegerField(_("文件大小"))
    file_sm3 = models.CharField(_("文件 SM3"), max_length=64)
    file_type = models.CharField(_("文件类型"), max_length=10)
    recorded_at = models.DateTimeField(_("登记时间"))
    recorded_by_label = models.CharField(_("登记人"), max_length=150)

    class Meta:
        verbose_name = _("核查证据文件")
        verbose_name_plural = _("核查证据文件")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.application.number} · {self.file_name}"


class SubjectAgentQuerySet(models.QuerySet):
    """The one reading of "who acts for whom" (R9a): only a verified link lets an account see or do anything
    for a subject. A pending link (asked for online, not yet checked) and a revoked one give nothing."""

    def verified(self) -> "SubjectAgentQuerySet":
        return self.filter(status=SubjectAgent.Status.VERIFIED)

    def acting(self, user) -> "SubjectAgentQuerySet":
        """The verified links of ``user`` (none for an anonymous or inactive account)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.verified().filter(user=user)

    def acts_for(self, user, subject_id) -> bool:
        return self.acting(user).filter(subject_id=subject_id).exists()

    def open(self) -> "SubjectAgentQuerySet":
        """Links not revoked: pending or verified (at most one per account and subject)."""
        return self.exclude(status=SubjectAgent.Status.REVOKED)


class IdentityDocument(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    TEMPORARY_ID = "temporary_id", _("临时居民身份证")
    HK_MACAO_PERMIT = "hk_macao_permit", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan_permit", _("台湾居民来往大陆通行证")
    RESIDENCE_PERMIT = "residence_permit", _("港澳台居民居住证")
    PASSPORT = "passport", _("护照")
    FOREIGNER_PERMIT = "foreigner_permit", _("外国人永久居留身份证")


class SubjectAgent(models.Model):
    """A user account that acts for a subject online: its legal representative (or the person), or an agent
    with a written authorisation. Only a ``verified`` link counts (R9a): a subject's code and name are public,
    so an account that names them proves nothing until staff, the legal representative or the identity
    platform has confirmed the link."""

    class Relation(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人/本人")
        AGENT = "agent", _("委托代理人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待核验")
        VERIFIED = "verified", _("已核验")
        REVOKED = "revoked", _("已解除")

    class Method(models.TextChoices):
        WINDOW = "window", _("窗口核验授权委托书与身份")
        LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人/本人验证码确认")
        IDENTITY_PLATFORM = "identity_platform", _("统一身份认证平台核验")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="subject_links"
    )
    subject = models.ForeignKey(Subject, verbose_name=_("主体"), on_delete=models.PROTECT, related_name="agents")
    relation = models.CharField(_("关系"), max_length=30, choices=Relation.choices)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    authorisation = models.TextField(_("授权委托说明"), blank=True)
    created_at = models.DateTimeField(_("登记时间"))
    created_by_label = models.CharField(_("登记人"), max_length=150)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by_label = models.CharField(_("核验人"), max_length=150, blank=True)
    verification_method = models.CharField(_("核验方式"), max_length=30, choices=Method.choices, blank=True)
    revoked_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    revoked_by_label = models.CharField(_("解除人"), max_length=150, blank=True)
    revocation_reason = models.TextField(_("解除/不予核验原因"), blank=True)
    # What the window saw (R9a): the scan of the written authorisation, kept like a case material (stored
    # under its SM3 hash), and the agent's identity document — its type and last four characters only,
    # never the full number in clear.
    authorisation_file = models.FileField(_("授权委托书扫描件"), storage=upload_storage, max_length=300, blank=True)
    authorisation_file_name = models.CharField(_("扫描件文件名"), max_length=200, blank=True)
    authorisation_file_size = models.PositiveIntegerField(_("扫描件大小"), null=True, blank=True)
    authorisation_file_sm3 = models.CharField(_("扫描件 SM3"), max_length=64, blank=True)
    authorisation_file_type = models.CharField(_("扫描件类型"), max_length=10, blank=True)
    identity_document = models.CharField(_("身份证件类型"), max_length=30, choices=IdentityDocument.choices, blank=True)
    identity_last4 = models.CharField(_("证件号码后四位"), max_length=4, blank=True)
    identity_checked = models.BooleanField(_("已核验身份证件"), default=False)

    objects = SubjectAgentQuerySet.as_manager()

    class Meta:
        verbose_name = _("申请人账户关联")
        verbose_name_plural = _("申请人账户关联")
        ordering = ["-id"]
        permissions = [("verify_subjectagent", _("可以核验或不予核验申请人账户关联"))]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "subject"], condition=~Q(status="revoked"), name="subject_agent_open_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "verified", "revoked"]), name="subject_agent_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["subject", "user"], name="subject_agent_subject_idx"),
            models.Index(fields=["user", "status"], name="subject_agent_user_idx"),
            models.Index(fields=["status", "created_at"], name="subject_agent_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.subject.name}（{self.get_relation_display()}，{self.get_status_display()}）"


class SubjectAgentCode(models.Model):
    """The one-time code that confirms a pending link (R9a): sent by SMS to the phone on record for the subject
    (never a number the requester typed), kept only as a keyed hash, valid for a few minutes and a few tries.
    One row per link: asking again replaces the code, so at most one code of a link is ever live."""

    link = models.OneToOneField(
        SubjectAgent, verbose_name=_("关联"), on_delete=models.CASCADE, related_name="confirmation_code"
    )
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    phone_masked = models.CharField(_("发送号码（脱敏）"), max_length=20)
    sent_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveIntegerField(_("已尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    sends_today = models.PositiveIntegerField(_("当日发送次数"), default=0)
    sends_day = models.DateField(_("计数日期"))

    class Meta:
        verbose_name = _("关联确认验证码")
        verbose_name_plural = _("关联确认验证码")

    def __str__(self) -> str:
        return f"{self.link_id} · {self.phone_masked}"
