"""Import the whole catalog (departments, matters, materials) from an Excel workbook or CSV files.

All or nothing: every row is read and every matter goes through the services (and so the guard)
inside one transaction; a single fault anywhere rolls everything back, and each fault names its sheet,
row and column. Rows are upserted by code (departments by 统一社会信用代码, matters by 实施编码,
materials by matter + 材料编码); nothing absent from the file is deleted.

Headers may be our field names, their Chinese names (the models' verbose names) or the national
exchange columns of ``catalog.national``.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from xinyipi.accounts.models import Department
from xinyipi.catalog import national
from xinyipi.catalog.exclusions import domain_labels
from xinyipi.catalog.models import Material, Matter
from xinyipi.catalog.services import department_upsert, matter_create, matter_update
from xinyipi.core.errors import DomainError, ValidationFailed
from xinyipi.core.excel import CellError, Record, Table, read_tables, records
from xinyipi.core.text import join_list

SHEETS = {
    "departments": {"departments", "department", "部门", "实施主体", "部门目录"},
    "matters": {"matters", "matter", "事项", "政务服务事项", "实施清单", "事项目录"},
    "materials": {"materials", "material", "材料", "申请材料", "材料目录"},
}
MAX_REPORTED_ERRORS = 500

_TRUE = {"1", "true", "t", "yes", "y", "是", "√", "✓", "对"}
_FALSE = {"0", "false", "f", "no", "n", "否", "×", "✗", "x", "错"}
_LIST_SPLIT = re.compile(r"[,，、;；\s^]+")


class ImportFailed(ValidationFailed):
    """The file was refused; ``errors`` are ``CellError``s naming sheet, row and column."""

    def __init__(self, errors):
        super().__init__(errors, _("导入失败，共 %(n)d 处错误，未写入任何数据。") % {"n": len(errors)})
        self.code = "import_failed"
        self.field = None


@dataclass
class ImportReport:
    dry_run: bool
    counts: dict = field(
        default_factory=lambda: {
            name: {"created": 0, "updated": 0, "unchanged": 0} for name in ("departments", "matters", "materials")
        }
    )
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, **self.counts, "warnings": self.warnings}


# ---------------------------------------------------------------------------------------------------
# Column specifications: canonical name → (kind, aliases)


def _aliases(model, name: str, *extra: str) -> set[str]:
    aliases = set(extra)
    aliases.add(str(model._meta.get_field(name).verbose_name))
    return aliases


def _matter_kind(name: str) -> str:
    if name in {"department"}:
        return "department"
    if name in {"server_type", "handle_type", "excluded_domains"}:
        return "list"
    if name == "faq":
        return "json"
    f = Matter._meta.get_field(name)
    if f.get_internal_type() == "BooleanField":
        return "bool"
    if f.get_internal_type() in {"PositiveIntegerField", "PositiveSmallIntegerField", "IntegerField"}:
        return "int"
    if f.choices:
        return "choice"
    return "text"


def _material_kind(name: str) -> str:
    f = Material._meta.get_field(name)
    if f.get_internal_type() == "BooleanField":
        return "bool"
    if f.get_internal_type() in {"PositiveIntegerField", "PositiveSmallIntegerField", "IntegerField"}:
        return "int"
    if f.choices:
        return "choice"
    return "text"


DEPARTMENT_SPEC = {
    "code": ("code", {"统一社会信用代码", "部门代码", "实施主体编码", "dept_code"}),
    "name": ("text", {"名称", "部门名称", "实施主体", "dept_name"}),
    "short_name": ("text", {"简称"}),
    "phone": ("text", {"咨询电话"}),
    "complaint_phone": ("text", {"监督电话"}),
    "address": ("text", {"地址"}),
    "is_active": ("bool", {"启用"}),
}

MATTER_ORDER = [
    f.name for f in Matter._meta.concrete_fields if f.name not in {"id", "created_at", "updated_at", "department"}
]
MATTER_ORDER.insert(MATTER_ORDER.index("task_type"), "department")
MATTER_SPEC = {
    name: (
        _matter_kind(name),
        _aliases(Matter, name, *filter(None, [national.MATTER_COLUMNS.get(name)]))
        | ({"department_code", "部门代码", "实施主体编码", "实施主体代码"} if name == "department" else set()),
    )
    for name in MATTER_ORDER
}
MATTER_SPEC["code"] = ("code", MATTER_SPEC["code"][1])

MATERIAL_ORDER = ["matter_code"] + [f.name for f in Material._meta.concrete_fields if f.name not in {"id", "matter"}]
MATERIAL_SPEC = {
    "matter_code": ("code", {"事项实施编码", "事项编码", "task_code"}),
    **{
        name: (_material_kind(name), _aliases(Material, name, *filter(None, [national.MATERIAL_COLUMNS.get(name)])))
        for name in MATERIAL_ORDER[1:]
    },
}
MATERIAL_SPEC["code"] = ("code", MATERIAL_SPEC["code"][1])
# 材料必要性 (national ``is_need``): read when essential/tolerable are not given.
MATERIAL_SPEC["is_need"] = ("is_need", {"材料必要性", "是否必要"})

REQUIRED = {
    "departments": ["code", "name"],
    "matters": ["code", "name", "department", "legal_basis", "statutory_days", "promised_days"],
    "materials": ["matter_code", "code", "name"],
}


# ---------------------------------------------------------------------------------------------------
# Cell parsing


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


def _choice_map(model, name: str, values: dict) -> dict[str, str]:
    """Accepted spellings of a choice: our code, its label, then the source system's own codes."""
    f = model._meta.get_field(name)
    mapping = {}
    for value, label in f.choices:
        mapping[str(value).lower()] = value
        mapping[str(label).lower()] = value
    for raw, value in values.get(name, {}).items():
        mapping.setdefault(str(raw).lower(), value)
    return mapping


def _parse(record: Record, name: str, kind: str, model, errors: list, values: dict):
    """The value of one cell, or ``_MISSING`` for an empty cell; appends a CellError when malformed."""
    value = record.values.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return _MISSING
    if kind == "bool":
        if isinstance(value, bool):
            return value
        token = _text(value).lower()
        if token in _TRUE:
            return True
        if token in _FALSE:
            return False
        errors.append(
            record.error(
                "invalid_boolean", _("“%(v)s”不是有效的是/否值（可填“是/否”“1/0”“true/false”）。") % {"v": value}, name
            )
        )
        return _MISSING
    if kind == "int":
        if isinstance(value, bool):
            pass
        elif isinstance(value, int) and value >= 0:
            return value
        elif isinstance(value, float) and value.is_integer() and value >= 0:
            return int(value)
        elif isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        errors.append(record.error("invalid_number", _("“%(v)s”不是有效的非负整数。") % {"v": value}, name))
        return _MISSING
    if kind == "choice":
        mapping = _choice_map(model, name, values)
        found = mapping.get(_text(value).lower())
        if found is None:
            allowed = join_list(f"{v}（{label}）" for v, label in model._meta.get_field(name).choices)
            errors.append(
                record.error("invalid_choice", _("“%(v)s”不在允许范围内：%(a)s。") % {"v": value, "a": allowed}, name)
            )
            return _MISSING
        return found
    if kind == "list":
        if isinstance(value, list | tuple):
            items = [_text(item) for item in value if _text(item)]
        else:
            items = [item for item in _LIST_SPLIT.split(_text(value)) if item]
        if name == "excluded_domains":
            by_label = {label: code for code, label in domain_labels().items()}
            items = [by_label.get(item, item) for item in items]
        return items
    if kind == "json":
        try:
            parsed = value if isinstance(value, list) else json.loads(_text(value))
        except ValueError:
            errors.append(record.error("invalid_json", _("内容不是有效的 JSON。"), name))
            return _MISSING
        if not isinstance(parsed, list) or not all(
            isinstance(item, dict) and {"question", "answer"} <= set(item) for item in parsed
        ):
            errors.append(record.error("invalid_faq", _('常见问题应为 [{"question": …, "answer": …}] 列表。'), name))
            return _MISSING
        return parsed
    text = _text(value)
    if kind == "code":
        text = re.sub(r"\s+", "", text)
    return text


_MISSING = object()
_NEED_LABELS = {"必要": "1", "非必要": "2", "容缺后补": "3"}


def _defaults(model, name: str):
    f = model._meta.get_field(name)
    if f.has_default():
        return f.get_default()
    return "" if f.get_internal_type() in {"CharField", "TextField"} else _MISSING


_SPECS = {
    "departments": (DEPARTMENT_SPEC, Department),
    "matters": (MATTER_SPEC, Matter),
    "materials": (MATERIAL_SPEC, Material),
}


def _row_data(record: Record, sheet: str, errors: list, values: dict) -> dict:
    spec, model = _SPECS[sheet]
    data = {}
    for name in record.headers:
        kind = spec[name][0]
        value = _parse(record, name, kind, model, errors, values)
        if value is _MISSING:
            if name in REQUIRED[sheet]:
                errors.append(record.error("required", _("必填项不能为空。"), name))
                continue
            value = _defaults(model, name) if name not in {"department", "matter_code", "is_need"} else _MISSING
            if value is _MISSING:
                continue
        data[name] = value
    return data


# ---------------------------------------------------------------------------------------------------
# The import


def _find_sheets(tables: list[Table], report: ImportReport, errors: list) -> dict[str, Table]:
    found: dict[str, Table] = {}
    for table in tables:
        key = next((k for k, names in SHEETS.items() if table.name.strip().lower() in names), None)
        if key is None:
            report.warnings.append(_("已忽略无法识别的工作表“%(s)s”。") % {"s": table.name})
        elif key in found:
            errors.append(CellError("duplicate_sheet", _("工作表重复：%(s)s。") % {"s": table.name}, sheet=table.name))
        else:
            found[key] = table
    if "matters" not in found:
        errors.append(CellError("missing_sheet", _("缺少事项工作表（matters / 事项）。"), sheet="matters"))
    return found


def _map_errors(exc: ValidationFailed, record: Record, material_records: list, errors: list) -> None:
    """Point each guard fault at a cell: matter fields at the matter's row, ``materials.N.x`` at the
    N-th material's row when it came from the file (else the matter's row)."""
    for error in exc.errors:
        fieldname = error.field or ""
        match = re.fullmatch(r"materials\.(\d+)\.(\w+)", fieldname)
        if match:
            index, column = int(match.group(1)), match.group(2)
            source = material_records[index] if index < len(material_records) else None
            if source is not None:
                errors.append(_cell(source, error, column))
                continue
            errors.append(_cell(record, error, "materials"))
        else:
            errors.append(_cell(record, error, fieldname or None))


def _cell(record: Record, error: DomainError, column: str | None) -> CellError:
    if column == "tolerable" and "tolerable" not in record.headers and "is_need" in record.headers:
        column = "is_need"
    cell = record.error(error.code, error.message, column)
    return cell


def catalog_import(
    *, actor, path=None, tables: list[Table] | None = None, dry_run: bool = False, source: str = "national"
) -> ImportReport:
    """Import the catalog file at ``path`` (.xlsx, a .zip of CSV files, or a directory of CSV files),
    or ``tables`` already read (the demo catalog). ``source`` names the system the file comes from, whose
    code values are translated through ``national.SOURCE_VALUES``."""
    report = ImportReport(dry_run=dry_run)
    errors: list[CellError] = []
    if source not in national.SOURCE_VALUES:
        known = join_list(national.SOURCE_VALUES)
        raise ImportFailed(
            [
                CellError(
                    "unknown_source", _("未知的来源系统“%(s)s”，可用：%(k)s。") % {"s": source, "k": known}, sheet="-"
                )
            ]
        )
    values = national.SOURCE_VALUES[source]
    if tables is None:
        try:
            tables = read_tables(Path(path))
        except CellError as exc:
            raise ImportFailed([exc]) from exc
    sheets = _find_sheets(tables, report, errors)

    parsed: dict[str, list[Record]] = {}
    for key, spec in (("departments", DEPARTMENT_SPEC), ("matters", MATTER_SPEC), ("materials", MATERIAL_SPEC)):
        if key in sheets:
            columns = {name: aliases for name, (_kind, aliases) in spec.items()}
            rows, header_errors = records(sheets[key], columns, REQUIRED[key])
            # Columns we do not keep (a national export has dozens) are ignored, and said so.
            report.warnings.extend(_("%(e)s（已忽略）") % {"e": e} for e in header_errors if e.code == "unknown_column")
            errors.extend(e for e in header_errors if e.code != "unknown_column")
            parsed[key] = rows
    if errors:
        raise ImportFailed(errors)

    with transaction.atomic():
        _import_rows(actor, parsed, report, errors, values)
        if errors or dry_run:
            transaction.set_rollback(True)
    if errors:
        raise ImportFailed(errors[:MAX_REPORTED_ERRORS])
    return report


def _import_rows(actor, parsed: dict[str, list[Record]], report: ImportReport, errors: list, values: dict) -> None:
    # Departments.
    seen: dict[str, Record] = {}
    for record in parsed.get("departments", []):
        row_errors: list = []
        data = _row_data(record, "departments", row_errors, values)
        errors.extend(row_errors)
        if row_errors:
            continue
        code = data.get("code", "").upper()
        if code in seen:
            errors.append(
                record.error("duplicate_code", _("部门代码与第 %(r)d 行重复。") % {"r": seen[code].number}, "code")
            )
            continue
        seen[code] = record
        existing = Department.objects.filter(code=code).first()
        if existing is not None and all(getattr(existing, k) == v for k, v in data.items() if k != "code"):
            report.counts["departments"]["unchanged"] += 1
            continue
        try:
            _dept, created = department_upsert(actor=actor, data=data)
        except ValidationFailed as exc:
            errors.extend(record.error(e.code, e.message, e.field) for e in exc.errors)
            continue
        report.counts["departments"]["created" if created else "updated"] += 1

    departments = {d.code: d for d in Department.objects.all()}
    by_name = {d.name: d for d in departments.values()}

    # Materials, grouped by matter.
    material_rows: dict[str, list[tuple[Record, dict]]] = {}
    material_seen: dict[tuple[str, str], Record] = {}
    for record in parsed.get("materials", []):
        row_errors = []
        data = _row_data(record, "materials", row_errors, values)
        errors.extend(row_errors)
        if row_errors:
            continue
        matter_code = data.pop("matter_code")
        is_need = data.pop("is_need", None)
        if is_need is not None:
            need = national.IS_NEED.get(_NEED_LABELS.get(_text(is_need), _text(is_need)))
            if need is None:
                errors.append(
                    record.error(
                        "invalid_choice", _("材料必要性应为 1（必要）、2（非必要）或 3（容缺后补）。"), "is_need"
                    )
                )
                continue
            data.setdefault("essential", need[0])
            data.setdefault("tolerable", need[1])
        key = (matter_code, data["code"])
        if key in material_seen:
            errors.append(
                record.error(
                    "duplicate_material_code",
                    _("同一事项的材料编码与第 %(r)d 行重复。") % {"r": material_seen[key].number},
                    "code",
                )
            )
            continue
        material_seen[key] = record
        material_rows.setdefault(matter_code, []).append((record, data))

    # Matters.
    matter_seen: dict[str, Record] = {}
    for record in parsed.get("matters", []):
        row_errors = []
        data = _row_data(record, "matters", row_errors, values)
        if "department" in data:
            ref = data["department"]
            department = departments.get(ref.upper()) or by_name.get(ref)
            if department is None:
                row_errors.append(
                    record.error(
                        "unknown_department",
                        _("未知的实施部门“%(d)s”：请先在部门工作表或系统中登记。") % {"d": ref},
                        "department",
                    )
                )
            data["department"] = department
        errors.extend(row_errors)
        if row_errors:
            continue
        code = data["code"]
        if code in matter_seen:
            errors.append(
                record.error(
                    "duplicate_code", _("实施编码与第 %(r)d 行重复。") % {"r": matter_seen[code].number}, "code"
                )
            )
            continue
        matter_seen[code] = record
        _import_matter(actor, record, data, material_rows.pop(code, []), report, errors)

    # Materials of matters that are not in the matters sheet but already in the catalog.
    for matter_code, rows in material_rows.items():
        matter = Matter.objects.filter(code=matter_code).first()
        if matter is None:
            for record, _data in rows:
                errors.append(
                    record.error(
                        "unknown_matter",
                        _("事项“%(c)s”既不在事项工作表中，也不在系统中。") % {"c": matter_code},
                        "matter_code",
                    )
                )
            continue
        _import_matter(actor, None, {}, rows, report, errors, matter=matter)


def _import_matter(actor, record, data, rows, report, errors, matter=None) -> None:
    matter = matter or Matter.objects.filter(code=data["code"]).first()
    anchor = record or rows[0][0]
    if matter is None:
        materials = [data for _record, data in rows]
        sources = [r for r, _data in rows]
        try:
            created = matter_create(actor=actor, data=data, materials=materials)
        except ValidationFailed as exc:
            _map_errors(exc, anchor, sources, errors)
            return
        report.counts["matters"]["created"] += 1
        report.counts["materials"]["created"] += len(materials)
        report.warnings.extend(_warnings_for(created, anchor))
        return

    # Upsert: stored materials stay unless the file changes them; the file's rows update or add.
    stored = list(matter.materials.all())
    by_code = {m.code: m for m in stored}
    merged: list[dict] = [{"id": m.pk} for m in stored]
    sources: list = [None] * len(stored)
    changed_materials = 0
    for source, row in rows:
        existing = by_code.get(row["code"])
        if existing is None:
            merged.append(row)
            sources.append(source)
            report.counts["materials"]["created"] += 1
            changed_materials += 1
            continue
        position = stored.index(existing)
        changes = {k: v for k, v in row.items() if getattr(existing, k) != v}
        merged[position] = {"id": existing.pk, **changes}
        sources[position] = source
        if changes:
            report.counts["materials"]["updated"] += 1
            changed_materials += 1
        else:
            report.counts["materials"]["unchanged"] += 1
    changes = {k: v for k, v in data.items() if getattr(matter, k) != v}
    if not changes and not changed_materials:
        report.counts["matters"]["unchanged"] += 1
        return
    try:
        matter_update(actor=actor, matter=matter, data=changes, materials=merged)
    except ValidationFailed as exc:
        _map_errors(exc, anchor, sources, errors)
        return
    report.counts["matters"]["updated"] += 1
    report.warnings.extend(_warnings_for(matter, anchor))


def _warnings_for(matter: Matter, record: Record) -> list[str]:
    from xinyipi.catalog.services import matter_check

    return [
        _("工作表“%(s)s”第 %(r)d 行：%(w)s") % {"s": record.sheet, "r": record.number, "w": w}
        for w in matter_check(matter=matter, materials=list(matter.materials.all()))
    ]
