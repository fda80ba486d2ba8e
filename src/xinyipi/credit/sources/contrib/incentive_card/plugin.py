"""The incentive-card registry: the regional registry over HTTP when configured, else the local table.

The plugin only finds the card; whether it counts (valid, not revoked, this subject's) is decided by
``credit.services`` so that a refused card is refused with its reason before anything is recorded.
"""

from django.utils.translation import gettext_lazy as _

from xinyipi.credit.categories import INCENTIVE_CARD, SourceStatus
from xinyipi.credit.models import IncentiveCard
from xinyipi.credit.sources.base import CardInfo, CreditSource, SourceAnswer, SourceQuery
from xinyipi.credit.sources.contrib.incentive_card.client import CardRegistryClient
from xinyipi.credit.sources.registry import registry


def normalise_card_number(raw: str) -> str:
    return "".join((raw or "").split()).upper()


@registry.register
class IncentiveCardSource(CreditSource):
    name = "incentive_card"
    order = 50
    label = _("纳税信用联合激励卡登记库")
    categories = (INCENTIVE_CARD,)

    def is_remote(self) -> bool:
        return CardRegistryClient().configured

    def lookup(self, number: str) -> tuple[CardInfo | None, bool]:
        """The card with this number, or None; raises ``SourceUnavailable`` if the registry cannot say."""
        client = CardRegistryClient()
        if client.configured:
            return client.card(number)
        card = IncentiveCard.objects.filter(number=number).first()
        if card is None:
            return None, False
        return (
            CardInfo(
                number=card.number,
                holder_code_hash=card.holder_code_hash,
                holder_name=card.holder_name,
                valid_from=card.valid_from,
                valid_until=card.valid_until,
                revoked_on=card.revoked_on,
                revoked_reason=card.revoked_reason,
                grade_year=card.grade_year,
            ),
            False,
        )

    def query(self, query: SourceQuery) -> SourceAnswer:
        if not query.incentive_card:
            # R1: a card counts when the applicant presents it; none was presented.
            return SourceAnswer(name=self.name, status=SourceStatus.NOT_APPLICABLE)
        card, cached = self.lookup(query.incentive_card)
        return SourceAnswer(name=self.name, status=SourceStatus.OK, card=card, cached=cached)
