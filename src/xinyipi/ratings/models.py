"""好差评: one rating per case and service event on the five national levels; a 差评 opens a follow-up."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceEvent(models.TextChoices):
    FILING = "filing", _("申请受理")
    SUPPLEMENT = "supplement", _("补正材料")
    DECISION = "decision", _("办结决定")


class Level(models.IntegerChoices):
    """The national five levels; the score is the level's number."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIR = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


# A score at or below this is a 差评 and opens a follow-up.
BAD_SCORE = 2


class Rating(models.Model):
    class Source(models.TextChoices):
        ONLINE = "online", _("网上评价")
        WINDOW = "window", _("窗口评价器")

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="ratings", verbose_name=_("办件")
    )
    event = models.CharField(_("服务事项"), max_length=20, choices=ServiceEvent.choices)
    score = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    comment = models.CharField(_("评价内容"), max_length=500, blank=True)
    source = models.CharField(_("评价渠道"), max_length=20, choices=Source.choices)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    created_at = models.DateTimeField(_("评价时间"))

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        # The national upload is the whole city's ratings: the bureau's, not a department's.
        permissions = [("export_rating", _("导出好差评数据"))]
        constraints = [
            models.UniqueConstraint(fields=["application", "event"], name="rating_one_per_case_event"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.event}:{self.score}"

    @property
    def is_bad(self) -> bool:
        return self.score <= BAD_SCORE


class FollowUp(models.Model):
    """整改回访: the department calls back, fixes what went wrong and reports back to the applicant."""

    class Status(models.TextChoices):
        OPEN = "open", _("待回访")
        ANSWERED = "answered", _("已反馈")

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="follow_up", verbose_name=_("评价"))
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    due_date = models.DateField(_("反馈期限"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    call_back = models.TextField(_("回访核实"), blank=True)
    rectification = models.TextField(_("整改措施"), blank=True)
    answer = models.TextField(_("整改反馈"), blank=True)
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("反馈人")
    )
    reminded_on = models.DateField(_("催办日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        permissions = [("view_all_followups", _("查看各部门的差评整改"))]
        indexes = [models.Index(fields=["department", "status", "due_date"], name="followup_queue_idx")]

    def __str__(self) -> str:
        return f"{self.rating_id}:{self.status}:{self.due_date}"
