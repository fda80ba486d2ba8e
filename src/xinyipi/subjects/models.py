from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyipi.core.crypto import sm4_decrypt


class Subject(models.Model):
    """An applicant: an enterprise by 统一社会信用代码 or a person by 居民身份证号码.

    A person's number is kept only as SM4 ciphertext; both kinds are found through ``code_hash``, a keyed
    SM3 blind index of the normalised code, and shown through ``code_display`` (masked for persons).
    """

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        PERSON = "person", _("个人")

    kind = models.CharField(_("主体类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=200)
    code_hash = models.CharField(_("代码索引"), max_length=64)
    code_display = models.CharField(_("代码"), max_length=18)
    code_cipher = models.TextField(_("代码密文"), blank=True)
    legal_representative = models.CharField(_("法定代表人/负责人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("住所/地址"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("登记时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("申请主体")
        verbose_name_plural = _("申请主体")
        ordering = ["-id"]
        # Declared here rather than with unique=True/db_index=True: on PostgreSQL those add a second
        # "varchar_pattern_ops" index per column for LIKE queries nobody makes, slowing every bulk import.
        indexes = [models.Index(fields=["code_display"], name="subject_code_display")]
        constraints = [
            models.UniqueConstraint(fields=["code_hash"], name="subject_code_hash_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=["enterprise", "person"]), name="subject_kind_known"),
            # A person's number must exist somewhere: only as ciphertext, never in code_display.
            models.CheckConstraint(
                condition=~models.Q(kind="person") | ~models.Q(code_cipher=""), name="subject_person_code_encrypted"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code_display}）"

    @property
    def is_person(self) -> bool:
        return self.kind == self.Kind.PERSON

    def code_plain(self) -> str:
        """The full code: decrypted for persons. Never render it on a page or in a list."""
        if self.is_person:
            return sm4_decrypt(self.code_cipher)
        return self.code_display
