"""Base plugin for a national credit site reached through an HTTP data-sharing interface."""

from xinyipi.credit.categories import SourceStatus
from xinyipi.credit.findings import finding_from_external
from xinyipi.credit.sources.base import CreditSource, SourceAnswer, SourceQuery


class HttpRecordsSource(CreditSource):
    """Off while its URL is empty (DESIGN.md §6.1: an unconfigured source takes no part).

    ``client_class`` is the adapter's ``RecordsClient`` subclass; a record the interface returns is
    kept when it is in effect on the check's day and of a category this source reports.
    """

    client_class = None

    def client(self):
        return self.client_class()

    def is_configured(self) -> bool:
        return self.client().configured

    def is_remote(self) -> bool:
        return True

    def query(self, query: SourceQuery) -> SourceAnswer:
        records, cached = self.client().records(code=query.code, kind=query.kind, code_hash=query.code_hash)
        findings = []
        for record in records:
            finding = finding_from_external(record, source=self.name, on=query.on)
            if finding is not None and finding["category"] in self.categories:
                findings.append(finding)
        return SourceAnswer(name=self.name, status=SourceStatus.OK, findings=findings, cached=cached)
