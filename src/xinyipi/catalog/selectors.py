"""Reads of the catalog: public guide lists, keyset-paginated API lists, one guide with everything."""

import base64
import binascii
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy

from xinyipi.catalog.exclusions import exclusions_on
from xinyipi.catalog.models import Material, Matter
from xinyipi.core.errors import NotFound
from xinyipi.core.paging import bad_cursor

_MATERIALS = Prefetch("materials", queryset=Material.objects.order_by("order", "id"))


def _filtered(
    queryset: QuerySet,
    *,
    query: str = "",
    department_code: str = "",
    commitment_kind: str = "",
    tolerance: bool | None = None,
    instant: bool | None = None,
) -> QuerySet:
    query = (query or "").strip()
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(code__icontains=query))
    if department_code:
        queryset = queryset.filter(department__code=department_code.strip().upper())
    if commitment_kind:
        queryset = queryset.filter(commitment_kind=commitment_kind)
    if tolerance is not None:
        queryset = queryset.filter(tolerance=tolerance)
    if instant is not None:
        queryset = queryset.filter(instant=instant)
    return queryset


GUIDES_PER_PAGE = 60


@dataclass
class GuidePage:
    items: list[Matter]
    number: int
    has_next: bool


def matter_page_public(
    *, query: str = "", department_code: str = "", number: int = 1, per_page: int = GUIDES_PER_PAGE
) -> GuidePage:
    """A page of the matters in use, for the public portal: searched by name or code, filtered by
    department, by department and name. Pages go by number: a city's catalog is a few thousand matters at
    most, so skipping to a page costs nothing that would call for a cursor."""
    number = max(1, number)
    queryset = Matter.objects.filter(status=Matter.Status.IN_USE).select_related("department")
    queryset = _filtered(queryset, query=query, department_code=department_code)
    start = (number - 1) * per_page
    items = list(queryset.order_by("department__name", "name", "code")[start : start + per_page + 1])
    return GuidePage(items=items[:per_page], number=number, has_next=len(items) > per_page)


def matter_list_staff(
    *, query="", department_code="", commitment_kind="", tolerance=None, instant=None, status="", limit=500
) -> QuerySet:
    queryset = Matter.objects.select_related("department")
    if status:
        queryset = queryset.filter(status=status)
    queryset = _filtered(
        queryset,
        query=query,
        department_code=department_code,
        commitment_kind=commitment_kind,
        tolerance=tolerance,
        instant=instant,
    )
    return queryset.order_by("department__name", "code")[:limit]


def departments_with_matters():
    from xinyipi.accounts.models import Department

    return Department.objects.filter(matters__status=Matter.Status.IN_USE).distinct().order_by("name")


def _encode(code: str) -> str:
    return base64.urlsafe_b64encode(code.encode("utf-8")).decode("ascii").rstrip("=")


def _decode(cursor: str) -> str:
    try:
        code = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        code = ""
    if not code:
        raise bad_cursor()
    return code


def matter_page(*, cursor: str | None = None, limit: int = 50, status: str = Matter.Status.IN_USE, **filters):
    """One page of matters ordered by code (keyset: no OFFSET, no COUNT) and the cursor of the next page."""
    queryset = Matter.objects.select_related("department").prefetch_related(_MATERIALS)
    if status:
        queryset = queryset.filter(status=status)
    queryset = _filtered(queryset, **filters)
    if cursor:
        queryset = queryset.filter(code__gt=_decode(cursor))
    rows = list(queryset.order_by("code")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (_encode(rows[-1].code) if more and rows else None)


def matter_by_code(code: str, *, public: bool = False) -> Matter:
    queryset = Matter.objects.select_related("department").prefetch_related(_MATERIALS)
    if public:
        queryset = queryset.exclude(status=Matter.Status.CANCELLED)
    matter = queryset.filter(code=code).first()
    if matter is None:
        raise NotFound("matter_not_found", field="code")
    return matter


def matter_rules(matter: Matter) -> dict:
    """What the guide says about commitment (R4) and tolerance (R6) for this matter, and why."""
    policy = exclusions_on()
    materials = list(matter.materials.all())
    commitment_hits = policy.commitment_hits(matter.excluded_domains or [])
    tolerance_hits = policy.tolerance_hits(matter.excluded_domains or [])
    return {
        "domains": [policy.label(d) for d in matter.excluded_domains or []],
        "commitment_kind": matter.commitment_kind,
        "replaceable": [m for m in materials if m.replaceable],
        "commitment_excluded": [policy.label(d) for d in commitment_hits],
        "commitment_reference": policy.commitment.reference,
        "tolerable": [m for m in materials if m.tolerable],
        "tolerance_excluded": [policy.label(d) for d in tolerance_hits],
        "tolerance_reference": policy.tolerance.reference,
    }


SERVER_TYPE_LABELS = {
    "1": gettext_lazy("自然人"),
    "2": gettext_lazy("企业法人"),
    "3": gettext_lazy("事业法人"),
    "4": gettext_lazy("社会组织法人"),
    "5": gettext_lazy("行政机关"),
    "6": gettext_lazy("其他组织"),
}
HANDLE_TYPE_LABELS = {
    "1": gettext_lazy("窗口办理"),
    "2": gettext_lazy("网上办理"),
    "3": gettext_lazy("移动端办理"),
    "4": gettext_lazy("快递申请"),
    "9": gettext_lazy("其他"),
}


def matter_guide(matter: Matter) -> dict:
    """Everything a guide page shows for one matter (materials already prefetched)."""
    from xinyipi.catalog.services import matter_check
    from xinyipi.core.errors import ValidationFailed

    materials = list(matter.materials.all())
    try:
        warnings = matter_check(matter=matter, materials=materials)
    except ValidationFailed as exc:  # stored before a rule changed: show it rather than hide the guide
        warnings = [str(e.message) for e in exc.errors]
    return {
        "matter": matter,
        "materials": materials,
        "rules": matter_rules(matter),
        "warnings": warnings,
        "guide": {
            "server_types": [str(SERVER_TYPE_LABELS.get(c, c)) for c in matter.server_type or []],
            "handle_types": [str(HANDLE_TYPE_LABELS.get(c, c)) for c in matter.handle_type or []],
        },
    }
