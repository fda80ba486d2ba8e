"""The local credit store: lists imported with ``manage.py import_credit`` (R2 "the local store")."""

from django.utils.translation import gettext_lazy as _

from xinyipi.credit.categories import STORE_CATEGORIES, SourceStatus
from xinyipi.credit.selectors import credit_records_in_effect
from xinyipi.credit.sources.base import CreditSource, SourceAnswer, SourceQuery
from xinyipi.credit.sources.registry import registry


@registry.register
class LocalStoreSource(CreditSource):
    name = "local_store"
    order = 10
    label = _("本地信用信息库（导入名单）")
    categories = STORE_CATEGORIES

    def query(self, query: SourceQuery) -> SourceAnswer:
        findings = [
            {**finding, "source": self.name}
            for finding in credit_records_in_effect(code_hash=query.code_hash, on=query.on)
        ]
        return SourceAnswer(name=self.name, status=SourceStatus.OK, findings=findings)
