from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "xinyipi.catalog"
    label = "catalog"
    verbose_name = _("事项目录")

    def ready(self) -> None:
        from xinyipi.catalog.models import Material, Matter
        from xinyipi.core.caches import CATALOG, bump_on_change

        # Filing keeps matters with their materials per process (core.caches): a change reaches every process.
        bump_on_change(CATALOG, Matter, Material)
