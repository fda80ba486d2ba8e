"""Writes to the matter catalog. Every write path (console admin, importer, API, demo) comes here, and
every matter passes ``matter_check`` — the one guard of R4, R6 and the catalog's own consistency —
before anything is stored.
"""

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from xinyipi.accounts.models import Department
from xinyipi.audit.services import audit_record, snapshot
from xinyipi.catalog.exclusions import exclusions_on
from xinyipi.catalog.models import Material, Matter
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, ValidationFailed
from xinyipi.core.text import join_list
from xinyipi.subjects.validators import validate_uscc

# Fields a caller may set; timestamps and ids are the service's business.
MATTER_FIELDS = [
    f.name for f in Matter._meta.concrete_fields if f.name not in {"id", "created_at", "updated_at"} and f.editable
]
MATERIAL_FIELDS = [f.name for f in Material._meta.concrete_fields if f.name not in {"id", "matter"} and f.editable]
DEPARTMENT_FIELDS = ["code", "name", "short_name", "phone", "complaint_phone", "address", "is_active"]

_CHOICE_FIELDS = {
    "task_type": Matter.TaskType,
    "statutory_day_unit": Matter.DayUnit,
    "promised_day_unit": Matter.DayUnit,
    "project_type": Matter.ProjectType,
    "status": Matter.Status,
    "commitment_kind": Matter.CommitmentKind,
    "verification_mode": Matter.VerificationMode,
}
_MATERIAL_CHOICE_FIELDS = {
    "material_type": Material.MaterialType,
    "material_format": Material.MaterialFormat,
    "source_type": Material.SourceType,
}
_CODE_MAX = 50
# 证照类型代码 (govservice-standards.md §4.2): the defining authority's USCC and a 3-digit sequence.
_LICENCE_TYPE = re.compile(r"^[0-9A-Z]{18}[0-9]{3}$")


def _working_days_within(calendar_days: int) -> int:
    """The most working days that surely fit in ``calendar_days`` natural days (5 in every 7)."""
    return calendar_days * 5 // 7


# ---------------------------------------------------------------------------------------------------
# The guard


def matter_check(*, matter: Matter, materials: Sequence[Material], on: dt.date | None = None) -> list[str]:
    """Validate a matter together with its complete list of materials (saved or not).

    Raises ``ValidationFailed`` listing every fault, each with the field at fault (``materials.N.x``
    for the N-th material of ``materials``). Returns warnings that do not block the write.
    """
    errors: list[DomainError] = []
    warnings: list[str] = []
    policy = exclusions_on(on)

    def fault(code, message, field, **extra):
        errors.append(DomainError(code, message, field, **extra))

    # Identity and required elements of the guide.
    code = (matter.code or "").strip()
    if not code:
        fault("required", _("实施编码不能为空。"), "code")
    elif len(code) > _CODE_MAX or any(c.isspace() for c in code):
        fault("invalid_matter_code", _("实施编码不能含空白字符，且不超过 50 个字符。"), "code")
    if not (matter.name or "").strip():
        fault("required", _("事项名称不能为空。"), "name")
    if matter.department_id is None:
        fault("required", _("实施部门不能为空。"), "department")
    if not (matter.legal_basis or "").strip():
        fault("required", _("设定依据不能为空。"), "legal_basis")
    for field, choices in _CHOICE_FIELDS.items():
        value = getattr(matter, field)
        if value not in choices.values:
            fault(
                "invalid_choice",
                _("%(field)s 的取值“%(value)s”不在允许范围内：%(allowed)s。")
                % {
                    "field": Matter._meta.get_field(field).verbose_name,
                    "value": value,
                    "allowed": ", ".join(choices.values),
                },
                field,
            )
    for field in ("statutory_days", "promised_days", "supplement_days", "verification_days"):
        value = getattr(matter, field)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            fault(
                "invalid_number",
                _("%(field)s 应为非负整数。") % {"field": Matter._meta.get_field(field).verbose_name},
                field,
            )
    if errors:  # the checks below compare numbers and choices: stop at malformed input
        raise ValidationFailed(errors)

    if matter.statutory_day_unit == matter.promised_day_unit and matter.promised_days > matter.statutory_days:
        fault(
            "promised_exceeds_statutory_limit",
            _("承诺办结时限（%(p)d）不得超过法定办结时限（%(s)d）。")
            % {"p": matter.promised_days, "s": matter.statutory_days},
            "promised_days",
        )

    if matter.licence_type_code and not _LICENCE_TYPE.match(matter.licence_type_code):
        fault(
            "invalid_licence_type_code",
            _("电子证照类型代码应为 21 位：定义证照的机关的统一社会信用代码（18 位）加 3 位数字序号。"),
            "licence_type_code",
        )

    # Excluded domains: known codes only.
    domains = list(matter.excluded_domains or [])
    unknown = [d for d in domains if d not in policy.labels]
    if unknown:
        fault(
            "unknown_excluded_domain",
            _("未知的除外领域代码：%(codes)s。可用：%(known)s。")
            % {"codes": join_list(unknown), "known": join_list(policy.labels)},
            "excluded_domains",
        )

    # R4: no commitment on a matter touching a domain 国办发〔2020〕42号 excludes.
    if matter.commitment_kind != Matter.CommitmentKind.NONE:
        hits = policy.commitment_hits(domains)
        if hits:
            fault(
                "commitment_excluded_domain",
                _("该事项涉及%(domains)s，依据%(reference)s不得实行告知承诺制。")
                % {
                    "domains": join_list(policy.label(d) for d in hits),
                    "reference": _short(policy.commitment.reference),
                },
                "commitment_kind",
                domains=hits,
            )
        if matter.verification_days < 1:
            fault(
                "verification_days_required",
                _("实行告知承诺的事项须设定核查期限（至少 1 个工作日）。"),
                "verification_days",
            )
    # 涉企经营许可告知承诺 (国发〔2021〕7号) is by definition a licence: only 行政许可 matters carry it.
    if matter.commitment_kind == Matter.CommitmentKind.LICENCE and matter.task_type != Matter.TaskType.LICENSING:
        fault(
            "licence_commitment_not_licensing",
            _("涉企经营许可告知承诺只适用于行政许可事项（事项类型 01）。"),
            "commitment_kind",
        )
    if matter.commitment_kind == Matter.CommitmentKind.CERTIFICATE and not any(m.replaceable for m in materials):
        fault(
            "commitment_without_replaceable_certificate",
            _("证明事项告知承诺须至少有一项可由承诺替代的证明材料。"),
            "commitment_kind",
        )

    # R6: no tolerance on a matter touching a domain the city's notice excludes.
    if matter.tolerance:
        hits = policy.tolerance_hits(domains)
        if hits:
            fault(
                "tolerance_excluded_domain",
                _("该事项涉及%(domains)s，依据%(reference)s不得纳入容缺受理事项目录。")
                % {
                    "domains": join_list(policy.label(d) for d in hits),
                    "reference": _short(policy.tolerance.reference),
                },
                "tolerance",
                domains=hits,
            )
        if not any(m.tolerable for m in materials):
            fault(
                "tolerance_without_tolerable_material", _("容缺受理事项须至少有一项可容缺后补的辅助材料。"), "tolerance"
            )
        limit = matter.promised_days
        if matter.promised_day_unit == Matter.DayUnit.CALENDAR:
            limit = _working_days_within(limit)
        if matter.supplement_days < 1:
            fault("supplement_days_required", _("容缺补正期限至少为 1 个工作日。"), "supplement_days")
        elif matter.supplement_days > limit:
            if matter.promised_days == 0:
                message = _("即办事项（承诺时限为 0）当场办结，不能设定容缺补正期限，也不能实行容缺受理。")
            else:
                message = _("容缺补正期限（%(s)d 个工作日）不得超过承诺办结时限（%(p)d 个%(unit)s）。") % {
                    "s": matter.supplement_days,
                    "p": matter.promised_days,
                    "unit": matter.get_promised_day_unit_display(),
                }
            fault("supplement_exceeds_promised_limit", message, "supplement_days")

    # Materials.
    seen: dict[str, int] = {}
    for index, material in enumerate(materials):
        prefix = f"materials.{index}"
        mcode = (material.code or "").strip()
        if not mcode:
            fault("required", _("材料编码不能为空。"), f"{prefix}.code")
        elif len(mcode) > _CODE_MAX or any(c.isspace() for c in mcode):
            fault("invalid_material_code", _("材料编码不能含空白字符，且不超过 50 个字符。"), f"{prefix}.code")
        elif mcode in seen:
            fault(
                "duplicate_material_code",
                _("材料编码“%(code)s”在该事项中重复。") % {"code": mcode},
                f"{prefix}.code",
                material=mcode,
            )
        else:
            seen[mcode] = index
        if not (material.name or "").strip():
            fault("required", _("材料名称不能为空。"), f"{prefix}.name", material=mcode)
        if material.licence_type_code and not _LICENCE_TYPE.match(material.licence_type_code):
            fault(
                "invalid_licence_type_code",
                _("电子证照类型代码应为 21 位：定义证照的机关的统一社会信用代码（18 位）加 3 位数字序号。"),
                f"{prefix}.licence_type_code",
                material=mcode,
            )
        for field, choices in _MATERIAL_CHOICE_FIELDS.items():
            if getattr(material, field) not in choices.values:
                fault(
                    "invalid_choice",
                    _("%(field)s 的取值不在允许范围内：%(allowed)s。")
                    % {"field": Material._meta.get_field(field).verbose_name, "allowed": ", ".join(choices.values)},
                    f"{prefix}.{field}",
                    material=mcode,
                )
        # R6: only auxiliary materials may be missing.
        if material.essential and material.tolerable:
            fault(
                "essential_material_tolerable",
                _("“%(name)s”是主要材料，不能容缺后补；只有辅助材料可以容缺。") % {"name": material.name},
                f"{prefix}.tolerable",
                material=mcode,
            )
        # R4: only a certificate (证明材料) can be replaced by a commitment.
        if material.replaceable and not material.certificate:
            fault(
                "replaceable_not_certificate",
                _("“%(name)s”不是证明材料，不能由告知承诺替代。") % {"name": material.name},
                f"{prefix}.replaceable",
                material=mcode,
            )

    if errors:
        raise ValidationFailed(errors)

    # Composition of the 实施编码 (DESIGN.md §8): warn, never refuse — provinces differ.
    department = _department_of(matter)
    if department is not None and matter.catalog_code:
        expected = f"{department.code}{matter.use_level}{matter.catalog_code}"
        if code != expected:
            warnings.append(
                _("实施编码 %(code)s 与“部门代码 + 行使层级 + 基本编码”（%(expected)s）不一致。")
                % {"code": code, "expected": expected}
            )
    return warnings


def _short(reference: str) -> str:
    """The document title and number of a reference, without the quoted text."""
    head = reference.split("：", 1)[0]
    return head.strip()


def _department_of(matter: Matter) -> Department | None:
    try:
        return matter.department
    except Department.DoesNotExist:
        return None


# ---------------------------------------------------------------------------------------------------
# Building instances from plain data


def _apply(instance, data: dict, allowed: Iterable[str], what: str) -> None:
    allowed = set(allowed)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed(
            [DomainError("unknown_field", _("%(what)s没有字段：%(f)s。") % {"what": what, "f": f}, f) for f in unknown]
        )
    for key, value in data.items():
        if isinstance(value, str) and key not in {"legal_basis", "accept_condition", "service_guide", "fee_basis"}:
            value = value.strip()
        setattr(instance, key, value)
    if isinstance(instance, Matter):
        instance.excluded_domains = _unique(instance.excluded_domains or [])


def _unique(values) -> list:
    out = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def _material_instances(matter: Matter, rows: Sequence[dict]) -> list[Material]:
    """Unsaved/updated Material objects for ``rows``: matched to the matter's stored ones by id, else code."""
    stored = {m.pk: m for m in matter.materials.all()} if matter.pk else {}
    by_code = {m.code: m for m in stored.values()}
    out = []
    for row in rows:
        row = dict(row)
        pk = row.pop("id", None)
        material = stored.get(pk) if pk else by_code.get((row.get("code") or "").strip())
        if material is None:
            material = Material(matter=matter)
        _apply(material, row, MATERIAL_FIELDS, _("申请材料"))
        out.append(material)
    return out


def _matter_snapshot(matter: Matter, materials: Sequence[Material]) -> dict:
    data = snapshot(matter)
    data["materials"] = [snapshot(m) for m in materials]
    return data


def _store_materials(matter: Matter, materials: Sequence[Material], *, prune: bool) -> None:
    keep = []
    for order, material in enumerate(materials, start=1):
        material.matter = matter
        if not material.order:
            material.order = order
        keep.append(material)
    if prune:
        try:
            matter.materials.exclude(pk__in=[m.pk for m in keep if m.pk]).delete()
        except (ProtectedError, RestrictedError) as exc:
            raise DomainError(
                "material_in_use", _("要删除的材料已被办件引用，不能删除；可改为其他材料。"), "materials"
            ) from exc
    # Codes may swap between rows: move the changed ones out of the way first (unique per matter).
    changed = [m for m in keep if m.pk]
    for m in changed:
        Material.objects.filter(pk=m.pk).update(code=f"~{m.pk}")
    for m in keep:
        m.save()


# ---------------------------------------------------------------------------------------------------
# Services


@transaction.atomic
def matter_create(*, actor, data: dict, materials: Sequence[dict] = ()) -> Matter:
    """Create a matter with its materials; refuses (``ValidationFailed``) anything the guard refuses."""
    matter = Matter()
    _apply(matter, data, MATTER_FIELDS, _("政务服务事项"))
    rows = _material_instances(matter, materials)
    matter_check(matter=matter, materials=rows)
    if Matter.objects.filter(code=matter.code).exists():
        raise ValidationFailed(
            [DomainError("duplicate_matter_code", _("实施编码已存在：%(c)s。") % {"c": matter.code}, "code")]
        )
    now = clock.now()
    matter.created_at = matter.updated_at = now
    matter.save()
    _store_materials(matter, rows, prune=False)
    audit_record(actor=actor, action="matter.create", obj=matter, after=_matter_snapshot(matter, rows))
    return matter


@transaction.atomic
def matter_update(*, actor, matter: Matter, data: dict, materials: Sequence[dict] | None = None) -> Matter:
    """Change a matter's fields and, when ``materials`` is given, replace its list of materials with
    it (rows matched by ``id`` or ``code``; materials not listed are deleted)."""
    stored = list(matter.materials.all())
    before = _matter_snapshot(Matter.objects.get(pk=matter.pk), stored)
    _apply(matter, data, MATTER_FIELDS, _("政务服务事项"))
    rows = stored if materials is None else _material_instances(matter, materials)
    matter_check(matter=matter, materials=rows)
    if Matter.objects.filter(code=matter.code).exclude(pk=matter.pk).exists():
        raise ValidationFailed(
            [DomainError("duplicate_matter_code", _("实施编码已存在：%(c)s。") % {"c": matter.code}, "code")]
        )
    matter.updated_at = clock.now()
    fields = {"department" if key == "department_id" else key for key in data}
    matter.save(update_fields=sorted(fields | {"updated_at"}))
    if materials is not None:
        _store_materials(matter, rows, prune=True)
    audit_record(actor=actor, action="matter.update", obj=matter, before=before, after=_matter_snapshot(matter, rows))
    return matter


@transaction.atomic
def matter_delete(*, actor, matter: Matter) -> None:
    before = _matter_snapshot(matter, list(matter.materials.all()))
    pk = matter.pk
    try:
        matter.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise DomainError("matter_in_use", _("该事项已有办件，不能删除；可将事项状态改为“取消”。"), "code") from exc
    audit_record(actor=actor, action="matter.delete", object_type="catalog.matter", object_id=str(pk), before=before)


def _material_write(*, actor, matter: Matter, action: str, rows: list[Material], target: Material | None, before=None):
    matter_check(matter=matter, materials=rows)
    matter.updated_at = clock.now()
    matter.save(update_fields=["updated_at"])
    if target is not None:
        _store_materials(matter, [target], prune=False)
    audit_record(
        actor=actor,
        action=action,
        obj=target if target is not None else matter,
        before=before,
        after=snapshot(target) if target is not None else None,
    )


@transaction.atomic
def material_create(*, actor, matter: Matter, data: dict) -> Material:
    material = Material(matter=matter)
    _apply(material, data, MATERIAL_FIELDS, _("申请材料"))
    rows = [*matter.materials.all(), material]
    if not material.order:
        material.order = len(rows)
    _material_write(actor=actor, matter=matter, action="material.create", rows=rows, target=material)
    return material


@transaction.atomic
def material_update(*, actor, material: Material, data: dict) -> Material:
    matter = material.matter
    before = snapshot(Material.objects.get(pk=material.pk))
    _apply(material, data, MATERIAL_FIELDS, _("申请材料"))
    rows = [material if m.pk == material.pk else m for m in matter.materials.all()]
    _material_write(actor=actor, matter=matter, action="material.update", rows=rows, target=material, before=before)
    return material


@transaction.atomic
def material_delete(*, actor, material: Material) -> None:
    matter = material.matter
    rows = [m for m in matter.materials.all() if m.pk != material.pk]
    before = snapshot(material)
    matter_check(matter=matter, materials=rows)
    pk = material.pk
    try:
        material.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise DomainError("material_in_use", _("该材料已被办件引用，不能删除。"), "code") from exc
    matter.updated_at = clock.now()
    matter.save(update_fields=["updated_at"])
    audit_record(
        actor=actor, action="material.delete", object_type="catalog.material", object_id=str(pk), before=before
    )


@transaction.atomic
def department_upsert(*, actor, data: dict) -> tuple[Department, bool]:
    """Create or change a department (实施主体) by its 统一社会信用代码. Returns (department, created)."""
    data = dict(data)
    unknown = sorted(set(data) - set(DEPARTMENT_FIELDS))
    if unknown:
        raise ValidationFailed(
            [DomainError("unknown_field", _("部门没有字段：%(f)s。") % {"f": f}, f) for f in unknown]
        )
    errors = []
    try:
        data["code"] = validate_uscc(data.get("code") or "", field="code")
    except DomainError as exc:
        errors.append(exc)
    name = (data.get("name") or "").strip()
    if not name:
        errors.append(DomainError("required", _("部门名称不能为空。"), "name"))
    if errors:
        raise ValidationFailed(errors)
    data["name"] = name
    department = Department.objects.filter(code=data["code"]).first()
    created = department is None
    if Department.objects.filter(name=name).exclude(code=data["code"]).exists():
        raise ValidationFailed(
            [DomainError("duplicate_department_name", _("部门名称已被其他代码使用：%(n)s。") % {"n": name}, "name")]
        )
    before = None if created else snapshot(department)
    if created:
        department = Department(**data)
    else:
        for key, value in data.items():
            setattr(department, key, value)
    department.save()
    audit_record(
        actor=actor,
        action="department.create" if created else "department.update",
        obj=department,
        before=before,
        after=snapshot(department),
    )
    return department, created
