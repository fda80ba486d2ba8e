"""Manual entry (R2): what a clerk saw on an official site, with the report or screenshot as evidence.

While fresh (``CREDIT_MANUAL_HOURS``), the newest entry per site takes part in checks of that subject:
its findings count, and it covers that site when the site's interface failed or is not configured.
"""

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xinyipi.core import clock
from xinyipi.credit.categories import SourceStatus
from xinyipi.credit.findings import in_effect
from xinyipi.credit.models import ManualEntry
from xinyipi.credit.selectors import subject_rows_probe
from xinyipi.credit.sources.base import CreditSource, SourceAnswer, SourceQuery
from xinyipi.credit.sources.registry import registry


def _since(query: SourceQuery) -> dt.datetime:
    """The oldest moment a fresh entry was recorded at."""
    return (query.at or clock.now()) - dt.timedelta(hours=settings.CREDIT_MANUAL_HOURS)


@registry.register
class ManualEntrySource(CreditSource):
    name = "manual_entry"
    order = 60
    label = _("窗口人工查询（官方网站）")
    categories = ()

    def probe(self, query: SourceQuery) -> tuple[str, list] | None:
        subject = query.subject
        if subject is None or subject.pk is None:
            return None
        return subject_rows_probe(ManualEntry, subject_id=subject.pk, recorded_at__gte=_since(query))

    def query(self, query: SourceQuery) -> SourceAnswer | None:
        subject = query.subject
        if subject is None or subject.pk is None:
            return None
        at = query.at or clock.now()
        since = _since(query)
        if not self.probe_found(query):
            return None  # no fresh entry: manual entry takes no part in this check
        entries = ManualEntry.objects.filter(subject=subject, recorded_at__gte=since, recorded_at__lte=at).order_by(
            "-recorded_at", "-id"
        )
        newest: dict[str, ManualEntry] = {}
        for entry in entries:
            newest.setdefault(entry.site, entry)
        if not newest:
            return None  # no fresh entry: manual entry takes no part in this check
        findings = []
        for site, entry in newest.items():
            for finding in entry.findings:
                if not in_effect(
                    decided_on=finding.get("decided_on"),
                    publicity_until=finding.get("publicity_until"),
                    ends_on=finding.get("ends_on"),
                    on=query.on,
                ):
                    continue
                findings.append({**finding, "source": self.name, "site": site, "evidence_sm3": entry.evidence_sm3})
        return SourceAnswer(
            name=self.name,
            status=SourceStatus.OK,
            findings=findings,
            covers=sorted(newest),
            detail="; ".join(f"{site}#{entry.pk} SM3 {entry.evidence_sm3[:16]}…" for site, entry in newest.items()),
        )
