"""Reads of the audit trail."""

from dataclasses import dataclass

from xinyipi.audit.chain import ChainBreak, chain_verify
from xinyipi.audit.models import AuditEntry, AuditHead


@dataclass
class ChainCheck:
    checked: int
    broken: ChainBreak | None


class _Counting:
    def __init__(self, iterable):
        self.iterable = iterable
        self.count = 0

    def __iter__(self):
        for item in self.iterable:
            self.count += 1
            yield item


def audit_chain_check() -> ChainCheck:
    """Walk the whole chain in order, streaming, and report the first broken link."""
    entries = _Counting(AuditEntry.objects.order_by("seq").iterator(chunk_size=5000))
    head = AuditHead.objects.filter(pk=1).first()
    broken = chain_verify(entries, head)
    return ChainCheck(checked=entries.count, broken=broken)


def audit_entries_for(obj) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("seq"))
