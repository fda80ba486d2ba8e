"""国家企业信用信息公示系统: the abnormal-operations list, the serious-violation list and penalties (R2)."""

from django.utils.translation import gettext_lazy as _

from xinyipi.credit.categories import Category
from xinyipi.credit.sources.base import SourceQuery
from xinyipi.credit.sources.contrib.enterprise_publicity.client import EnterprisePublicityClient
from xinyipi.credit.sources.http_records import HttpRecordsSource
from xinyipi.credit.sources.registry import registry


@registry.register
class EnterprisePublicitySource(HttpRecordsSource):
    name = "enterprise_publicity"
    order = 30
    label = _("国家企业信用信息公示系统")
    categories = (Category.ABNORMAL_OPERATIONS, Category.SERIOUS_VIOLATION, Category.ADMINISTRATIVE_PENALTY)
    client_class = EnterprisePublicityClient

    def applies_to(self, query: SourceQuery) -> bool:
        # The system publishes market entities; natural persons are not in it.
        return query.kind == "enterprise"
