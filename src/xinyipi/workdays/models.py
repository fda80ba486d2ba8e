from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose holiday schedule (国务院办公厅通知) has been entered. Uncovered years count weekends only
    and every deadline falling in them is marked provisional."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    covered = models.BooleanField(_("已录入全年安排"), default=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Holiday(models.Model):
    """A day that departs from the Monday–Friday rule: a statutory rest day, or an adjusted working day (调休)."""

    class Kind(models.TextChoices):
        REST = "rest", _("法定节假日（休息）")
        WORK = "work", _("调休上班")

    class Source(models.TextChoices):
        PACKAGE = "chinesecalendar", _("chinesecalendar 数据")
        MANUAL = "manual", _("人工录入")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}（{self.get_kind_display()}）"
