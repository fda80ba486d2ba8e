"""Bookings of the two conveniences that are services rather than modes (R10): 上门服务 (``onsite_service``,
staff come to the applicant) and 帮办代办 (``assisted_service``, staff handle the matter with or for the
applicant). A booking rests on the credit check that showed the subject holds the entitlement; a listing that
takes effect cancels it while it is still pending (R9)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinyipi.catalog.models import Matter
from xinyipi.credit.categories import Entitlement
from xinyipi.credit.models import CreditCheck
from xinyipi.subjects.models import Subject
from xinyipi.supervision.models import BlacklistEntry


class Kind(models.TextChoices):
    ONSITE_SERVICE = Entitlement.ONSITE_SERVICE.value, Entitlement.ONSITE_SERVICE.label
    ASSISTED_SERVICE = Entitlement.ASSISTED_SERVICE.value, Entitlement.ASSISTED_SERVICE.label


class Slot(models.TextChoices):
    MORNING = "morning", _("上午")
    AFTERNOON = "afternoon", _("下午")


class Status(models.TextChoices):
    REQUESTED = "requested", _("已预约（待确认）")
    CONFIRMED = "confirmed", _("已确认")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


# Bookings still ahead of the applicant: the ones a listing cancels (R9) and a subject may not double.
PENDING = (Status.REQUESTED.value, Status.CONFIRMED.value)


class ServiceBooking(models.Model):
    Kind = Kind
    Slot = Slot
    Status = Status

    subject = models.ForeignKey(
        Subject, verbose_name=_("申请主体"), on_delete=models.PROTECT, related_name="service_bookings", db_index=False
    )
    kind = models.CharField(_("服务类别"), max_length=20, choices=Kind.choices)
    matter = models.ForeignKey(
        Matter,
        verbose_name=_("办理事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_bookings",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("预约人"), on_delete=models.PROTECT, related_name="service_bookings"
    )
    requested_at = models.DateTimeField(_("预约时间"))
    preferred_date = models.DateField(_("预约日期"))
    slot = models.CharField(_("时段"), max_length=10, choices=Slot.choices)
    address = models.CharField(_("服务地址"), max_length=300, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=11)
    note = models.TextField(_("备注"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    credit_check = models.ForeignKey(
        CreditCheck, verbose_name=_("信用核查"), on_delete=models.PROTECT, related_name="service_bookings"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取消人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancellation_reason = models.TextField(_("取消原因"), blank=True)
    # The listing that cancelled the booking (R9), when that is why it was cancelled.
    cancelled_for = models.ForeignKey(
        BlacklistEntry,
        verbose_name=_("因列入黑名单取消"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A booking the subject's credit did not entitle it to, made on a credit officer's grant for special
    # circumstances (the notice: "非特殊情况不享受上门服务、帮办代办").
    special_grant = models.OneToOneField(
        "SpecialGrant",
        verbose_name=_("特殊情况准予"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="booking",
    )
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("上门服务/帮办代办预约")
        verbose_name_plural = _("上门服务/帮办代办预约")
        ordering = ["preferred_date", "-slot", "id"]
        permissions = [("handle_servicebooking", _("可以确认、办结和取消上门服务与帮办代办预约"))]
        indexes = [
            # The staff queue: by status, then the day and half-day the applicant asked for.
            models.Index(fields=["status", "preferred_date", "slot", "id"], name="booking_queue_idx"),
            # A subject's bookings (the portal, and the pending ones a listing cancels).
            models.Index(fields=["subject", "status"], name="booking_subject_idx"),
        ]
        constraints = [
            # One pending booking of a kind per subject and half-day: a double click or a second agent of the
            # same enterprise cannot book the same visit twice (holds under concurrent requests too).
            models.UniqueConstraint(
                fields=["subject", "kind", "preferred_date", "slot"],
                condition=Q(status__in=PENDING),
                name="booking_pending_unique",
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="booking_kind_known"),
            models.CheckConstraint(condition=Q(slot__in=Slot.values), name="booking_slot_known"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="booking_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject.name} · {self.preferred_date} {self.get_slot_display()}"

    @property
    def pending(self) -> bool:
        return self.status in PENDING


class SpecialGrant(models.Model):
    """One on-site or assisted booking granted by a credit officer to a subject its credit does not entitle
    (an elderly or disabled person, say), with the written reason. Used up by the booking it allows."""

    class Status(models.TextChoices):
        OPEN = "open", _("未使用")
        USED = "used", _("已使用")

    subject = models.ForeignKey(
        Subject, verbose_name=_("申请主体"), on_delete=models.PROTECT, related_name="special_grants"
    )
    kind = models.CharField(_("服务类别"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("特殊情况说明"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("准予人"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("准予时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("特殊情况准予")
        verbose_name_plural = _("特殊情况准予")
        ordering = ["-granted_at", "-id"]
        constraints = [
            # One grant waiting to be used per subject and kind: a second would be the same permission twice.
            models.UniqueConstraint(
                fields=["subject", "kind"], condition=Q(status="open"), name="special_grant_open_unique"
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="special_grant_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject.name} · {self.get_status_display()}"
