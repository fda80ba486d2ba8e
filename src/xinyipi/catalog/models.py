"""The matter catalog (实施清单). Field names follow our glossary; ``catalog.national`` maps them to the
national exchange columns (GB/T 39046, DESIGN.md §8)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyipi.accounts.models import Department


class Matter(models.Model):
    class CommitmentKind(models.TextChoices):
        NONE = "none", _("不实行告知承诺")
        CERTIFICATE = "certificate_commitment", _("证明事项告知承诺")
        LICENCE = "licence_commitment", _("涉企经营许可告知承诺")

    class TaskType(models.TextChoices):
        LICENSING = "01", _("行政许可")
        PENALTY = "02", _("行政处罚")
        ENFORCEMENT = "03", _("行政强制")
        LEVY = "04", _("行政征收")
        BENEFIT = "05", _("行政给付")
        INSPECTION = "06", _("行政检查")
        CONFIRMATION = "07", _("行政确认")
        REWARD = "08", _("行政奖励")
        ADJUDICATION = "09", _("行政裁决")
        OTHER = "10", _("其他行政权力")
        PUBLIC_SERVICE = "20", _("公共服务")

    class DayUnit(models.TextChoices):
        WORKING = "working", _("工作日")
        CALENDAR = "calendar", _("自然日")

    class ProjectType(models.TextChoices):
        IMMEDIATE = "1", _("即办件")
        PROMISED = "2", _("承诺件")

    class Status(models.TextChoices):
        IN_USE = "in_use", _("在用")
        SUSPENDED = "suspended", _("暂停")
        CANCELLED = "cancelled", _("取消")

    class VerificationMode(models.TextChoices):
        FULL = "full", _("全覆盖核查")
        SAMPLE = "sample", _("抽查")

    code = models.CharField(_("实施编码"), max_length=50, unique=True)
    catalog_code = models.CharField(_("基本编码"), max_length=50, blank=True)
    name = models.CharField(_("事项名称"), max_length=500)
    department = models.ForeignKey(
        Department, verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="matters"
    )
    task_type = models.CharField(_("事项类型"), max_length=2, choices=TaskType.choices, default=TaskType.LICENSING)
    use_level = models.CharField(_("行使层级"), max_length=1, default="4")
    server_type = models.JSONField(_("服务对象"), default=list, blank=True)
    legal_basis = models.TextField(_("设定依据"))
    accept_condition = models.TextField(_("受理条件"), blank=True)
    statutory_days = models.PositiveIntegerField(_("法定办结时限"))
    statutory_day_unit = models.CharField(
        _("法定时限单位"), max_length=10, choices=DayUnit.choices, default=DayUnit.WORKING
    )
    promised_days = models.PositiveIntegerField(_("承诺办结时限"), help_text=_("0 表示即办"))
    promised_day_unit = models.CharField(
        _("承诺时限单位"), max_length=10, choices=DayUnit.choices, default=DayUnit.WORKING
    )
    project_type = models.CharField(
        _("办件类型"), max_length=1, choices=ProjectType.choices, default=ProjectType.PROMISED
    )
    handle_type = models.JSONField(_("办理形式"), default=list, blank=True)
    limit_scene_num = models.PositiveSmallIntegerField(_("到办事现场次数"), default=1)
    is_fee = models.BooleanField(_("是否收费"), default=False)
    fee_basis = models.TextField(_("收费标准及依据"), blank=True)
    transact_addr = models.CharField(_("办理地点"), max_length=300, blank=True)
    transact_time = models.CharField(_("办理时间"), max_length=300, blank=True)
    consult_phone = models.CharField(_("咨询电话"), max_length=100, blank=True)
    complain_phone = models.CharField(_("监督投诉电话"), max_length=100, blank=True)
    review_dept = models.CharField(_("行政复议机关"), max_length=300, blank=True)
    litigation_dept = models.CharField(_("行政诉讼机关"), max_length=300, blank=True)
    result_type = models.CharField(_("审批结果类型"), max_length=20, blank=True)
    result_name = models.CharField(_("审批结果名称"), max_length=300, blank=True)
    issues_e_cert = models.BooleanField(_("是否生成电子证照"), default=False)
    licence_type_code = models.CharField(
        _("电子证照类型代码"),
        max_length=21,
        blank=True,
        help_text=_("21 位：定义证照的机关的统一社会信用代码 + 3 位序号；空时以实施部门代码 + 001 代替"),
    )
    licence_validity_years = models.PositiveSmallIntegerField(
        _("证照有效期（年）"), null=True, blank=True, help_text=_("空表示长期有效")
    )
    service_guide = models.TextField(_("办事指南"), blank=True)
    faq = models.JSONField(_("常见问题"), default=list, blank=True)
    status = models.CharField(_("事项状态"), max_length=20, choices=Status.choices, default=Status.IN_USE)
    version = models.PositiveIntegerField(_("事项版本"), default=1)

    instant = models.BooleanField(_("信用+秒批"), default=False)
    commitment_kind = models.CharField(
        _("告知承诺类型"), max_length=30, choices=CommitmentKind.choices, default=CommitmentKind.NONE
    )
    tolerance = models.BooleanField(_("容缺受理"), default=False)
    supplement_days = models.PositiveIntegerField(_("容缺补正期限（工作日）"), default=5)
    verification_days = models.PositiveIntegerField(_("承诺核查期限（工作日）"), default=30)
    verification_mode = models.CharField(
        _("核查方式"), max_length=10, choices=VerificationMode.choices, default=VerificationMode.FULL
    )
    excluded_domains = models.JSONField(_("涉及的除外领域"), default=list, blank=True)

    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["department__name", "code"]
        permissions = [("import_catalog", _("可以导入事项目录"))]

    def __str__(self) -> str:
        return self.name

    @property
    def issues_licence(self) -> bool:
        """Every licence-commitment matter issues an electronic licence on approval; others when marked."""
        return self.issues_e_cert or self.commitment_kind == self.CommitmentKind.LICENCE

    @property
    def licence_type(self) -> str:
        return self.licence_type_code or f"{self.department.code}001"


class Material(models.Model):
    class MaterialType(models.TextChoices):
        ORIGINAL = "1", _("原件")
        COPY = "2", _("复印件")
        BOTH = "3", _("原件和复印件")

    class MaterialFormat(models.TextChoices):
        PAPER = "1", _("纸质")
        ELECTRONIC = "2", _("电子")
        EITHER = "3", _("纸质/电子")

    class SourceType(models.TextChoices):
        APPLICANT = "10", _("申请人自备")
        GOVERNMENT = "20", _("政府部门核发")
        OTHER = "99", _("其他")

    matter = models.ForeignKey(Matter, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="materials")
    code = models.CharField(_("材料编码"), max_length=50)
    name = models.CharField(_("材料名称"), max_length=300)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    essential = models.BooleanField(_("主要材料"), default=True)
    tolerable = models.BooleanField(_("可容缺后补"), default=False)
    certificate = models.BooleanField(_("证明材料"), default=False)
    replaceable = models.BooleanField(_("可由告知承诺替代"), default=False)
    material_type = models.CharField(
        _("原件/复印件"), max_length=1, choices=MaterialType.choices, default=MaterialType.ORIGINAL
    )
    material_format = models.CharField(
        _("材料形式"), max_length=1, choices=MaterialFormat.choices, default=MaterialFormat.EITHER
    )
    source_type = models.CharField(
        _("来源渠道"), max_length=2, choices=SourceType.choices, default=SourceType.APPLICANT
    )
    issuer = models.CharField(_("出具单位"), max_length=200, blank=True)
    original_num = models.PositiveSmallIntegerField(_("原件份数"), default=1)
    copy_num = models.PositiveSmallIntegerField(_("复印件份数"), default=0)
    fill_explain = models.TextField(_("填报须知"), blank=True)
    accept_stand = models.TextField(_("受理标准"), blank=True)
    sign_ask = models.CharField(_("签章要求"), max_length=200, blank=True)
    legal_basis = models.TextField(_("要求提供材料的依据"), blank=True)
    remark = models.TextField(_("备注"), blank=True)
    licence_type_code = models.CharField(
        _("对应电子证照类型代码"),
        max_length=21,
        blank=True,
        help_text=_("申请人已持有该类型有效电子证照的，本材料免于提交"),
    )

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["matter", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "code"], name="material_code_unique_per_matter"),
            # R6: an essential material can never be tolerated (missing) — the database says so too.
            models.CheckConstraint(
                condition=~models.Q(essential=True, tolerable=True),
                name="material_essential_not_tolerable",
                violation_error_code="essential_material_tolerable",
                violation_error_message=_("主要材料不能容缺后补；只有辅助材料可以容缺。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(replaceable=True, certificate=False),
                name="material_replaceable_is_certificate",
                violation_error_code="replaceable_not_certificate",
                violation_error_message=_("只有证明材料可以由告知承诺替代。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name
