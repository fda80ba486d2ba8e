"""``/api/v1/matters``: the public catalog (DESIGN.md §6.1) and its upkeep by the bureau."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from xinyipi.accounts.access import require_perm
from xinyipi.accounts.models import Department
from xinyipi.catalog.schemas import CommitmentKind, MatterIn, MatterOut, MatterPageOut, MatterPatch
from xinyipi.catalog.selectors import matter_by_code, matter_page
from xinyipi.catalog.services import matter_create, matter_update
from xinyipi.core.errors import DomainError

router = Router(tags=["matters"])


class MatterQuery(Schema):
    department: str | None = Field(None, description="实施部门统一社会信用代码")
    q: str | None = Field(None, max_length=100, description="按名称或实施编码搜索")
    commitment_kind: CommitmentKind | None = None
    tolerance: bool | None = None
    instant: bool | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


def matter_out(matter) -> dict:
    return {
        "code": matter.code,
        "name": matter.name,
        "department": matter.department.name,
        "department_code": matter.department.code,
        "commitment_kind": matter.commitment_kind,
        "tolerance": matter.tolerance,
        "instant": matter.instant,
        "supplement_days": matter.supplement_days,
        "verification_days": matter.verification_days,
        "catalog_code": matter.catalog_code,
        "task_type": matter.task_type,
        "statutory_days": matter.statutory_days,
        "promised_days": matter.promised_days,
        "verification_mode": matter.verification_mode,
        "excluded_domains": list(matter.excluded_domains or []),
        "status": matter.status,
        "materials": [
            {
                "code": m.code,
                "name": m.name,
                "essential": m.essential,
                "certificate": m.certificate,
                "replaceable": m.replaceable,
                "tolerable": m.tolerable,
            }
            for m in matter.materials.all()
        ],
    }


def _department(code: str) -> Department:
    department = Department.objects.filter(code=code.strip().upper()).first()
    if department is None:
        raise DomainError("unknown_department", _("未知的实施部门代码：%(c)s。") % {"c": code}, "department_code")
    return department


@router.get("", response=MatterPageOut, auth=None, summary="List matters (keyset pagination)")
def matter_list(request, query: Query[MatterQuery]):
    rows, cursor = matter_page(
        cursor=query.cursor,
        limit=query.limit,
        query=query.q or "",
        department_code=query.department or "",
        commitment_kind=query.commitment_kind or "",
        tolerance=query.tolerance,
        instant=query.instant,
    )
    return {"items": [matter_out(m) for m in rows], "next": cursor}


@router.get("/{code}", response=MatterOut, auth=None, summary="One matter with its materials")
def matter_detail(request, code: str):
    return matter_out(matter_by_code(code))


@router.post("", response={201: MatterOut}, summary="Add a matter (bureau administrator)")
def matter_add(request, payload: MatterIn):
    require_perm(request.auth, "catalog.add_matter")
    data = payload.dict(exclude={"department_code", "materials"})
    data["department"] = _department(payload.department_code)
    materials = [m.dict() for m in payload.materials]
    matter = matter_create(actor=request.auth, data=data, materials=materials)
    return Status(201, matter_out(matter_by_code(matter.code)))


@router.patch("/{code}", response=MatterOut, summary="Change a matter (bureau administrator)")
def matter_change(request, code: str, payload: MatterPatch):
    require_perm(request.auth, "catalog.change_matter")
    matter = matter_by_code(code)
    data = payload.dict(exclude_unset=True, exclude={"department_code", "materials"})
    if payload.department_code is not None:
        data["department"] = _department(payload.department_code)
    nulls = sorted(k for k, v in data.items() if v is None)
    if nulls:
        raise DomainError("invalid_input", _("字段 %(f)s 不能为空。") % {"f": nulls[0]}, nulls[0])
    materials = None if payload.materials is None else [m.dict() for m in payload.materials]
    if materials is not None and "materials" not in payload.model_fields_set:
        materials = None
    matter = matter_update(actor=request.auth, matter=matter, data=data, materials=materials)
    return matter_out(matter_by_code(matter.code))
