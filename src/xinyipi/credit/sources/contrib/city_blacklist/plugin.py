"""The city's own government-service credit supervision (R9), kept by ``supervision`` in this system.

Two kinds of finding come from it:

- ``city_blacklist``: an entry in effect (status ``listed``) for any reason but a false commitment;
- ``false_commitment``: a commitment a verification found untrue (R7 ``breached``). It counts from the moment
  the breach is recorded, while its listing is still only proposed (DESIGN.md R3: dishonest "from that
  moment until repaired"; 国办发〔2020〕42号: no commitment "在信用修复前"), and as long as its entry is
  proposed or listed. It ends with repair (``repaired``), at the listing's maximum period (``expired``), or
  when an objection is upheld (``withdrawn``: the breach was not established).
"""

from django.utils.translation import gettext_lazy as _

from xinyipi.core import clock
from xinyipi.credit.categories import CITY_BLACKLIST, FALSE_COMMITMENT, SourceStatus
from xinyipi.credit.selectors import subject_rows_probe
from xinyipi.credit.sources.base import CreditSource, SourceAnswer, SourceQuery
from xinyipi.credit.sources.registry import registry
from xinyipi.supervision.models import BlacklistEntry

STATUSES = [BlacklistEntry.Status.LISTED, BlacklistEntry.Status.PROPOSED]


@registry.register
class CityBlacklistSource(CreditSource):
    name = "city_blacklist"
    order = 20
    label = _("全市政务服务信用监管黑名单")
    categories = (CITY_BLACKLIST, FALSE_COMMITMENT)

    def probe(self, query: SourceQuery) -> tuple[str, list] | None:
        subject = query.subject
        if subject is None or subject.pk is None:
            return None
        return subject_rows_probe(BlacklistEntry, subject_id=subject.pk, status__in=STATUSES)

    def query(self, query: SourceQuery) -> SourceAnswer:
        findings = []
        subject = query.subject
        if subject is not None and subject.pk is not None and self.probe_found(query):
            entries = BlacklistEntry.objects.filter(subject=subject, status__in=STATUSES).order_by("id")
            for entry in entries:
                breached = entry.reason == BlacklistEntry.Reason.COMMITMENT_BREACHED
                if not breached and entry.status != BlacklistEntry.Status.LISTED:
                    continue  # a proposal for unsupplied materials takes effect only once listed (due process)
                findings.append(
                    {
                        "category": FALSE_COMMITMENT if breached else CITY_BLACKLIST,
                        "source": self.name,
                        "record_id": str(entry.pk),
                        "document_number": "",
                        "authority": "",
                        "decided_on": clock.to_beijing(entry.listed_at or entry.proposed_at).date().isoformat(),
                        "publicity_until": entry.publicity_until.isoformat() if entry.publicity_until else None,
                        "ends_on": None,
                        "severity": "",
                        "grade": "",
                        "summary": (entry.reason_text or entry.get_reason_display())[:300],
                    }
                )
        return SourceAnswer(name=self.name, status=SourceStatus.OK, findings=findings)
