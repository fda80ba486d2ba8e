from django.db import models
from django.utils.translation import gettext_lazy as _


class CacheGeneration(models.Model):
    """The version of one kind of rarely changed data (the catalog, permissions) that processes keep in memory
    (``core.caches``). A change writes a new random value in its own transaction; a process whose copy was
    made under another value reads the data again."""

    name = models.CharField(_("名称"), max_length=40, primary_key=True)
    value = models.BigIntegerField(_("版本"))

    class Meta:
        verbose_name = _("缓存版本")
        verbose_name_plural = _("缓存版本")

    def __str__(self) -> str:
        return f"{self.name}@{self.value}"
