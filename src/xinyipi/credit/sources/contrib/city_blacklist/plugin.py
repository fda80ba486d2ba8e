"""The city's own government-service credit blacklist (R9), kept by ``supervision`` in this system.

A listed entry makes the subject dishonest. An entry listed for a commitment found untrue is reported as
``false_commitment``: DESIGN.md R3's "false commitment not yet repaired" is read as a listing with reason
``commitment_breached`` that is in effect (status ``listed``) — it ends with repair (``repaired``) or at
its maximum period (``expired``), and a breach whose listing was withdrawn on objection does not count.
"""

from django.utils.translation import gettext_lazy as _

from xinyipi.core import clock
from xinyipi.credit.categories import CITY_BLACKLIST, FALSE_COMMITMENT, SourceStatus
from xinyipi.credit.selectors import subject_has_rows
from xinyipi.credit.sources.base import CreditSource, SourceAnswer, SourceQuery
from xinyipi.credit.sources.registry import registry
from xinyipi.supervision.models import BlacklistEntry


@registry.register
class CityBlacklistSource(CreditSource):
    name = "city_blacklist"
    order = 20
    label = _("全市政务服务信用监管黑名单")
    categories = (CITY_BLACKLIST, FALSE_COMMITMENT)

    def query(self, query: SourceQuery) -> SourceAnswer:
        findings = []
        subject = query.subject
        listed = BlacklistEntry.Status.LISTED
        if (
            subject is not None
            and subject.pk is not None
            and subject_has_rows(BlacklistEntry, subject_id=subject.pk, status=listed)
        ):
            entries = BlacklistEntry.objects.filter(subject=subject, status=BlacklistEntry.Status.LISTED).order_by("id")
            for entry in entries:
                breached = entry.reason == BlacklistEntry.Reason.COMMITMENT_BREACHED
                findings.append(
                    {
                        "category": FALSE_COMMITMENT if breached else CITY_BLACKLIST,
                        "source": self.name,
                        "record_id": str(entry.pk),
                        "document_number": "",
                        "authority": "",
                        "decided_on": clock.to_beijing(entry.listed_at).date().isoformat() if entry.listed_at else None,
                        "publicity_until": entry.publicity_until.isoformat() if entry.publicity_until else None,
                        "ends_on": None,
                        "severity": "",
                        "grade": "",
                        "summary": (entry.reason_text or entry.get_reason_display())[:300],
                    }
                )
        return SourceAnswer(name=self.name, status=SourceStatus.OK, findings=findings)
