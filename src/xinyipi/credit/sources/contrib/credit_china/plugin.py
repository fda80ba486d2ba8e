"""信用中国: serious-dishonesty lists, penalties, dishonest judgment debtors, major tax violations (R2)."""

from django.utils.translation import gettext_lazy as _

from xinyipi.credit.categories import Category
from xinyipi.credit.sources.contrib.credit_china.client import CreditChinaClient
from xinyipi.credit.sources.http_records import HttpRecordsSource
from xinyipi.credit.sources.registry import registry


@registry.register
class CreditChinaSource(HttpRecordsSource):
    name = "credit_china"
    order = 40
    label = _("信用中国")
    categories = (
        Category.SERIOUS_DISHONESTY,
        Category.ADMINISTRATIVE_PENALTY,
        Category.DISHONEST_JUDGMENT_DEBTOR,
        Category.MAJOR_TAX_VIOLATION,
        Category.TAX_CREDIT_GRADE,
    )
    client_class = CreditChinaClient
