"""The electronic licence (电子证照) an approval issues: its national identifier, holder, matter and case,
validity, and revocation. Whether it is valid, revoked or expired is read, not stored (``status_on``)."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyipi.accounts.models import Department
from xinyipi.applications.models import Application
from xinyipi.catalog.models import Matter
from xinyipi.subjects.models import Subject


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")
    EXPIRED = "expired", _("已过期")


class Licence(models.Model):
    identifier = models.CharField(_("电子证照标识"), max_length=100, unique=True)
    type_code = models.CharField(_("证照类型代码"), max_length=21)
    issuer_code = models.CharField(_("颁发机构代码"), max_length=18)
    serial = models.CharField(_("流水号"), max_length=40)
    version = models.CharField(_("版本号"), max_length=3, default="001")
    name = models.CharField(_("证照名称"), max_length=300)
    holder = models.ForeignKey(Subject, verbose_name=_("持证主体"), on_delete=models.PROTECT, related_name="licences")
    holder_name = models.CharField(_("持证主体名称"), max_length=200)
    matter = models.ForeignKey(Matter, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField(
        Application, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="licence"
    )
    issuer = models.ForeignKey(Department, verbose_name=_("颁发机构"), on_delete=models.PROTECT, related_name="+")
    scope = models.TextField(_("许可范围"), blank=True)
    issued_at = models.DateTimeField(_("颁发时间"))
    issued_on = models.DateField(_("颁发日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("空表示长期有效"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.TextField(_("撤销原因"), blank=True)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["type_code", "issuer_code", "serial", "version"], name="licence_serial_unique"
            ),
        ]
        indexes = [models.Index(fields=["holder", "type_code"], name="licence_holder_type")]

    def __str__(self) -> str:
        return f"{self.name}（{self.identifier}）"

    def status_on(self, day: dt.date) -> str:
        """``revoked`` once revoked; else ``expired`` after ``valid_until`` (a Beijing date); else ``valid``."""
        if self.revoked_at is not None:
            return LicenceStatus.REVOKED
        if self.valid_until is not None and day > self.valid_until:
            return LicenceStatus.EXPIRED
        return LicenceStatus.VALID
