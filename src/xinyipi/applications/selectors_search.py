"""The console's case search (办件查询): the filters a person types, checked field by field, and the cases
that match them within the searcher's scope, newest first, keyset pages on id (no COUNT)."""

import datetime as dt
from dataclasses import dataclass, fields

from django.db.models import Q
from django.utils.translation import gettext as _

from xinyipi.accounts.access import applications_in_staff_scope, require_perm, sees_every_case
from xinyipi.accounts.models import Department
from xinyipi.applications.models import Application, Mode, Status
from xinyipi.applications.selectors import VIEW, Page
from xinyipi.catalog.models import Matter
from xinyipi.core import clock
from xinyipi.core.errors import DomainError
from xinyipi.core.filters import beijing_end, beijing_start, check_period, query_choice, query_day, query_text
from xinyipi.core.paging import cursor_decode, cursor_encode, cursor_id, page_limit, query_number
from xinyipi.subjects.models import Subject
from xinyipi.subjects.selectors import subject_key


@dataclass(frozen=True)
class CaseSearch:
    """What to look for; every field empty means every case in scope."""

    number: str = ""  # the whole case number (办件编号)
    applicant: str = ""  # part of the name, or the whole code (USCC or ID number, through the blind index)
    matter: str = ""  # the whole 实施编码, or part of the matter's name
    department: int | None = None
    status: str = ""
    mode: str = ""
    filed_from: dt.date | None = None  # Beijing dates, both ends included
    filed_to: dt.date | None = None
    overdue: bool = False  # the current deadline has ended

    def query(self) -> dict:
        """The search as query-string values (for the next page's link)."""
        values = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value in ("", None, False):
                continue
            values[field.name] = "1" if value is True else str(value)
        return values


def case_search_from(params) -> CaseSearch:
    """A ``CaseSearch`` from a query string; a value that cannot be read is refused naming its field."""
    department = (params.get("department") or "").strip()
    department_id = query_number(department) if department else None
    if department and department_id is None:
        raise DomainError("invalid_filter", _("实施部门不正确，请从列表中选择。"), "department")
    search = CaseSearch(
        number=query_text(params, "number", _("办件编号")),
        applicant=query_text(params, "applicant", _("申请主体")),
        matter=query_text(params, "matter", _("事项")),
        department=department_id,
        status=query_choice(params, "status", _("状态"), Status.values),
        mode=query_choice(params, "mode", _("办理模式"), Mode.values),
        filed_from=query_day(params, "filed_from", _("申请日期（起）")),
        filed_to=query_day(params, "filed_to", _("申请日期（止）")),
        overdue=(params.get("overdue") or "") in ("1", "on", "true"),
    )
    check_period(
        search.filed_from,
        search.filed_to,
        field="filed_from",
        start_label=_("申请日期（起）"),
        end_label=_("申请日期（止）"),
    )
    return search


def _applicant(text: str) -> Q:
    """Name contains ``text``, or the code is ``text`` whole: a person is never found by a fragment of the
    ID number, which is stored only encrypted and as a keyed hash."""
    subjects = Subject.objects.filter(Q(name__icontains=text) | Q(code_hash=subject_key(text)))
    return Q(subject_id__in=subjects.values("id"))


def _matter(text: str) -> Q:
    return Q(matter_id__in=Matter.objects.filter(Q(code=text) | Q(name__icontains=text)).values("id"))


def application_search(*, actor, search: CaseSearch, cursor: str | None = None, limit: int = 50) -> Page:
    """Cases matching ``search`` among those ``actor`` sees as staff (a reviewer: the own department, whatever
    department is asked for), newest first."""
    require_perm(actor, VIEW)
    rows = applications_in_staff_scope(actor, Application.objects.all())
    if search.number:
        rows = rows.filter(number=search.number)
    if search.applicant:
        rows = rows.filter(_applicant(search.applicant))
    if search.matter:
        rows = rows.filter(_matter(search.matter))
    if search.department is not None:
        rows = rows.filter(department_id=search.department)
    if search.status:
        rows = rows.filter(status=search.status)
    if search.mode:
        rows = rows.filter(mode=search.mode)
    if search.filed_from:
        rows = rows.filter(created_at__gte=beijing_start(search.filed_from))
    if search.filed_to:
        rows = rows.filter(created_at__lt=beijing_end(search.filed_to))
    if search.overdue:
        rows = rows.filter(due_date__lt=clock.today())
    if cursor:
        (last,) = cursor_decode(cursor, 1)
        rows = rows.filter(id__lt=cursor_id(last))
    limit = page_limit(limit)
    # What the table shows, read by primary key after the page (one query each).
    items = list(rows.order_by("-id").prefetch_related("matter", "subject")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return Page(items=items, next=cursor_encode(items[-1].pk) if more and items else None)


def search_departments(*, actor) -> list[Department]:
    """The departments the search offers: every one for those who see every case, else the own one."""
    if sees_every_case(actor):
        return list(Department.objects.order_by("code"))
    return list(Department.objects.filter(pk=actor.department_id))
