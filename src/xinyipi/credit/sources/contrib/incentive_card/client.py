"""HTTP client of the 纳税信用联合激励卡 registry (内政办发〔2023〕93号).

``GET {base}/cards/{number}`` → ``{number, holder_code, holder_name, valid_from, valid_until, revoked_on,
revoked_reason, grade_year}``; 404 when the registry has no such card.
"""

import datetime as dt
from urllib.parse import quote

from xinyipi.core.crypto import blind_index
from xinyipi.credit.categories import SourceStatus
from xinyipi.credit.sources.base import CardInfo, SourceUnavailable
from xinyipi.credit.sources.http import HttpSourceClient, NotFoundAnswer
from xinyipi.subjects.validators import normalise


class CardRegistryClient(HttpSourceClient):
    source_name = "incentive_card"

    def card(self, number: str) -> tuple[CardInfo | None, bool]:
        try:
            body, cached = self.request("GET", f"/cards/{quote(number, safe='')}", cache_key=("card", number))
        except NotFoundAnswer:
            return None, False
        try:
            revoked = body.get("revoked_on")
            info = CardInfo(
                number=str(body["number"]),
                holder_code_hash=blind_index(normalise(str(body["holder_code"]))),
                holder_name=str(body.get("holder_name", "")),
                valid_from=dt.date.fromisoformat(body["valid_from"]),
                valid_until=dt.date.fromisoformat(body["valid_until"]),
                revoked_on=dt.date.fromisoformat(revoked) if revoked else None,
                revoked_reason=str(body.get("revoked_reason") or ""),
                grade_year=body.get("grade_year"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SourceUnavailable(SourceStatus.ERROR, f"card answer not understood: {type(exc).__name__}") from exc
        return info, cached
