"""Reads of the audit trail: the auditor's filtered pages and the chain check."""

import datetime as dt
from dataclasses import dataclass, fields

from django.utils.translation import gettext as _

from xinyipi.audit.chain import ChainBreak, chain_verify
from xinyipi.audit.labels import ACTION_LABELS, object_type_choices
from xinyipi.audit.models import AuditEntry, AuditHead
from xinyipi.core.filters import beijing_end, beijing_start, check_period, query_choice, query_day, query_text
from xinyipi.core.paging import query_number


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


PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""  # a whole code, or the start of codes (``supervision.``)
    actor: str = ""  # the user name written with the entry (``system`` for the sweep and the worker)
    object_type: str = ""
    object_id: str = ""  # an id, or a case number (then the case)
    at_from: dt.date | None = None  # Beijing dates, both ends included
    at_to: dt.date | None = None

    def query(self) -> dict:
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) not in ("", None)}


def audit_filter_from(params) -> AuditFilter:
    """An ``AuditFilter`` from the page's query string; a bad value is refused naming its field."""
    found = AuditFilter(
        action=query_text(params, "action", _("操作")),
        actor=query_text(params, "actor", _("操作人")),
        object_type=query_choice(
            params, "object_type", _("对象类型"), {code for code, _label in object_type_choices()}
        ),
        object_id=query_text(params, "object_id", _("对象编号")),
        at_from=query_day(params, "at_from", _("日期（起）")),
        at_to=query_day(params, "at_to", _("日期（止）")),
    )
    check_period(found.at_from, found.at_to, field="at_from", start_label=_("日期（起）"), end_label=_("日期（止）"))
    return found


def _object(found: AuditFilter) -> tuple[str, str]:
    """The object asked for: a case number stands for its case."""
    from xinyipi.applications.models import Application

    if found.object_id and not found.object_id.isdigit() and found.object_type in ("", "applications.application"):
        pk = Application.objects.filter(number=found.object_id).values_list("pk", flat=True).first()
        if pk is not None:
            return "applications.application", str(pk)
    return found.object_type, found.object_id


def audit_entry_page(*, found: AuditFilter, before: str = "") -> tuple[list[AuditEntry], int | None]:
    """Entries newest first, keyset on ``seq`` (no COUNT over the trail); the next page's ``before``."""
    rows = AuditEntry.objects.order_by("-seq")
    seq = query_number(before or "")
    if seq is not None:
        rows = rows.filter(seq__lt=seq)
    if found.action:
        rows = (
            rows.filter(action=found.action)
            if found.action in ACTION_LABELS
            else rows.filter(action__startswith=found.action)
        )
    if found.actor:
        rows = rows.filter(actor_label=found.actor)
    object_type, object_id = _object(found)
    if object_type:
        rows = rows.filter(object_type=object_type)
    if object_id:
        rows = rows.filter(object_id=object_id)
    if found.at_from:
        rows = rows.filter(at__gte=beijing_start(found.at_from))
    if found.at_to:
        rows = rows.filter(at__lt=beijing_end(found.at_to))
    page = list(rows.select_related("actor")[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return page, page[-1].seq if more else None


def audit_case_numbers(entries: list[AuditEntry]) -> dict[str, str]:
    """The case numbers of the cases a page of entries names (one query), by object id."""
    from xinyipi.applications.models import Application

    ids = {int(e.object_id) for e in entries if e.object_type == "applications.application" and e.object_id.isdigit()}
    return {str(pk): number for pk, number in Application.objects.filter(pk__in=ids).values_list("pk", "number")}
