from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyipi.credit.categories import Category, Entitlement, Grade, Level, Purpose, Severity
from xinyipi.subjects.models import Subject


class CreditImport(models.Model):
    """One run of ``import_credit``: which file, from which source, how many rows, and how it ended."""

    class Status(models.TextChoices):
        MERGING = "merging", _("合并中")
        DONE = "done", _("已完成")

    source = models.CharField(_("来源"), max_length=50)
    category = models.CharField(_("类别"), max_length=40, blank=True)
    file_name = models.CharField(_("文件名"), max_length=300)
    file_sm3 = models.CharField(_("文件 SM3 摘要"), max_length=64)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.MERGING)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("信用名单导入")
        verbose_name_plural = _("信用名单导入")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.source} · {self.file_name}"


class CreditRecord(models.Model):
    """A public credit record from an imported list (the local credit store).

    Keyed by ``code_hash`` — the subject's blind index — so that lists can be imported before the subject
    registers with the service center; ``(source, record_id)`` identifies the record across re-imports.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        ENDED = "ended", _("已移出/已失效")

    code_hash = models.CharField(_("主体代码索引"), max_length=64)
    # The first 60 bits of code_hash as an integer: the indexed lookup key. An 8-byte key keeps the index a
    # fifth the size of one on the 64-character hash (imports extend it millions of times); lookups test
    # code_hash as well, so equal keys of different subjects could never mix records.
    code_key = models.BigIntegerField(_("主体代码检索键"), db_index=True)
    subject_name = models.CharField(_("主体名称"), max_length=200, blank=True)
    category = models.CharField(_("类别"), max_length=40, choices=Category.choices)
    source = models.CharField(_("来源"), max_length=50)
    record_id = models.CharField(_("来源记录编号"), max_length=100)
    document_number = models.CharField(_("文书号"), max_length=200, blank=True)
    authority = models.CharField(_("认定机关"), max_length=200, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    publicity_until = models.DateField(_("公示截止日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, blank=True)
    grade = models.CharField(_("纳税信用等级"), max_length=1, choices=Grade.choices, blank=True)
    summary = models.CharField(_("事由"), max_length=500, blank=True)
    # Not indexed: nothing looks records up by their import, and an index on a column that is the same for
    # millions of rows would be one more B-tree every imported row extends. No database constraint either:
    # the importer sets it to the import it has just recorded, imports are never deleted, and a constraint
    # would be checked for every merged row (a seventh of the merge on SQLite, a trigger per row on PostgreSQL).
    imported = models.ForeignKey(
        CreditImport,
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    imported_at = models.DateTimeField(_("导入时间"))

    class Meta:
        verbose_name = _("公共信用记录")
        verbose_name_plural = _("公共信用记录")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["source", "record_id"], name="credit_record_source_record")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.document_number or self.record_id}"

    @staticmethod
    def key_of(code_hash: str) -> int:
        return int(code_hash[:15], 16)


class IncentiveCard(models.Model):
    """A 纳税信用联合激励卡 (内政办发〔2023〕93号) in the local card registry.

    The holder is kept by blind index, like credit records, so cards can be loaded before the holder
    registers. A card is valid on a day within ``valid_from``–``valid_until`` and not revoked by then.
    """

    number = models.CharField(_("卡号"), max_length=40, unique=True)
    holder_code_hash = models.CharField(_("持卡主体代码索引"), max_length=64, db_index=True)
    holder_code_display = models.CharField(_("持卡主体代码"), max_length=18)
    holder_name = models.CharField(_("持卡主体名称"), max_length=200)
    grade_year = models.PositiveSmallIntegerField(_("纳税信用评价年度"))
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"))
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    issuer = models.CharField(
        _("发卡机关"), max_length=200, default="国家税务总局内蒙古自治区税务局、内蒙古自治区发展和改革委员会"
    )
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("纳税信用联合激励卡")
        verbose_name_plural = _("纳税信用联合激励卡")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}（{self.holder_name}）"


def evidence_path(instance, filename: str) -> str:
    # The stored name is the evidence's hash: no applicant data in file names, and identical files collide.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"credit/evidence/{instance.evidence_sm3[:2]}/{instance.evidence_sm3}.{suffix}"


class ManualEntry(models.Model):
    """What a clerk saw on an official credit site (R2 manual entry), with the report or screenshot.

    It stands in for that site's adapter in later checks of the same subject while it is fresh.
    """

    class Site(models.TextChoices):
        ENTERPRISE_PUBLICITY = "enterprise_publicity", _("国家企业信用信息公示系统")
        CREDIT_CHINA = "credit_china", _("信用中国")

    subject = models.ForeignKey(
        Subject, verbose_name=_("主体"), on_delete=models.PROTECT, related_name="credit_manual_entries"
    )
    site = models.CharField(_("查询网站"), max_length=30, choices=Site.choices)
    findings = models.JSONField(_("查询所见记录"), default=list, blank=True)
    note = models.TextField(_("说明"), blank=True)
    evidence = models.FileField(_("证据文件"), upload_to=evidence_path, max_length=200)
    evidence_name = models.CharField(_("证据原文件名"), max_length=200)
    evidence_size = models.PositiveIntegerField(_("证据大小（字节）"))
    evidence_sm3 = models.CharField(_("证据 SM3 摘要"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("人工核查记录")
        verbose_name_plural = _("人工核查记录")
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["subject", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.get_site_display()} · {self.recorded_at:%Y-%m-%d %H:%M}"


class CreditCheck(models.Model):
    """One credit check (信用核查): who asked, when, why, what each source said, and the outcome (R8).

    Written once, never edited: ``findings``, ``sources`` and ``explanation`` are snapshots.
    """

    Purpose = Purpose
    Level = Level

    # No index of their own on subject and actor: (subject, checked_at) serves the subject's look-ups, and
    # every index costs each check a page write (measured: fewer pages, rarer WAL checkpoints in a check).
    subject = models.ForeignKey(
        Subject, verbose_name=_("主体"), on_delete=models.PROTECT, related_name="credit_checks", db_index=False
    )
    purpose = models.CharField(_("核查目的"), max_length=20, choices=Purpose.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_checks",
        db_index=False,
    )
    actor_label = models.CharField(_("核查人标识"), max_length=150)
    checked_at = models.DateTimeField(_("核查时间"))
    level = models.CharField(_("信用等级"), max_length=20, choices=Level.choices)
    entitlements = models.JSONField(_("便利措施"), default=list)
    complete = models.BooleanField(_("核查完整"))
    findings = models.JSONField(_("发现的信用记录"), default=list)
    sources = models.JSONField(_("各来源状态"), default=list)
    explanation = models.JSONField(_("说明"), default=list)
    policy_version = models.CharField(_("信用政策版本"), max_length=20)
    incentive_card = models.CharField(_("出示的激励卡号"), max_length=40, null=True, blank=True)
    card_counted = models.BooleanField(_("激励卡视同核查"), default=False)

    class Meta:
        verbose_name = _("信用核查")
        verbose_name_plural = _("信用核查")
        ordering = ["-id"]
        indexes = [models.Index(fields=["subject", "checked_at"])]
        permissions = [
            ("view_policy", _("可以查看信用政策")),
            # The policy file itself (YAML, code names, comments for whoever changes it): the bureau's.
            ("view_policy_file", _("可以查看信用政策文件原文")),
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.get_level_display()} · {self.checked_at:%Y-%m-%d %H:%M}"

    @property
    def entitlement_list(self) -> list[dict]:
        return [{"name": e, "label": Entitlement(e).label} for e in self.entitlements or []]

    @property
    def finding_list(self) -> list[dict]:
        from xinyipi.credit.labels import finding_label, rule_label, source_label

        return [
            {
                **f,
                "label": finding_label(f.get("category", "")),
                "source_label": source_label(f.get("source", "")),
                "rule_label": rule_label(f.get("rule"), self.policy_version),
            }
            for f in self.findings or []
        ]

    @property
    def explanation_list(self) -> list[str]:
        """The explanation as pages show it: in words, without rule ids."""
        from xinyipi.credit.labels import explanation_plain

        return explanation_plain(self.explanation)

    @property
    def source_list(self) -> list[dict]:
        from xinyipi.credit.categories import FAILED_STATUSES, SourceStatus
        from xinyipi.credit.labels import source_label

        rows = []
        for source in self.sources or []:
            status = source.get("status", "")
            rows.append(
                {
                    **source,
                    "label": source_label(source.get("name", "")),
                    "status_label": SourceStatus(status).label if status in SourceStatus.values else status,
                    "failed": status in FAILED_STATUSES,
                }
            )
        return rows

    def required_mode(self) -> str:
        """The mode the policy version of this check prescribes for its level (``key_review`` for a dishonest
        subject under the default policy), or "" when the level leaves the choice to the applicant."""
        from xinyipi.credit.policy.engine import policy_named

        policy = policy_named(self.policy_version)
        spec = policy.levels.get(self.level) if policy is not None else None
        return spec.mode if spec is not None else ""

    def allows(self, entitlement: str) -> bool:
        """Whether this check grants ``entitlement`` (a glossary name such as ``tolerance``)."""
        try:
            Entitlement(entitlement)
        except ValueError:
            raise ValueError(f"unknown entitlement {entitlement!r}") from None
        return entitlement in (self.entitlements or [])
