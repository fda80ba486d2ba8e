"""Export the whole catalog in the layout ``catalog.importer`` reads back (export → import is a no-op).

Headers are our field names; values are codes (choices), 是/否 (booleans), comma-separated lists and
JSON (FAQ). The format follows the target: ``.xlsx`` → one workbook; ``.zip`` or a directory → CSV.
"""

import json
from pathlib import Path

from xinyipi.accounts.models import Department
from xinyipi.catalog.importer import DEPARTMENT_SPEC, MATERIAL_ORDER, MATTER_ORDER
from xinyipi.catalog.models import Material, Matter
from xinyipi.core.excel import write_csv, write_xlsx

DEPARTMENT_ORDER = list(DEPARTMENT_SPEC)


def _cell(value):
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def catalog_tables() -> list[tuple[str, list[str], list[list]]]:
    departments = Department.objects.filter(matters__isnull=False).distinct().order_by("code")
    matters = Matter.objects.select_related("department").order_by("code")
    materials = Material.objects.select_related("matter").order_by("matter__code", "order", "id")
    return [
        (
            "departments",
            DEPARTMENT_ORDER,
            [[_cell(getattr(d, name)) for name in DEPARTMENT_ORDER] for d in departments],
        ),
        (
            "matters",
            MATTER_ORDER,
            [
                [m.department.code if name == "department" else _cell(getattr(m, name)) for name in MATTER_ORDER]
                for m in matters
            ],
        ),
        (
            "materials",
            MATERIAL_ORDER,
            [
                [m.matter.code if name == "matter_code" else _cell(getattr(m, name)) for name in MATERIAL_ORDER]
                for m in materials
            ],
        ),
    ]


def catalog_export(path) -> dict:
    """Write the catalog to ``path``; returns the number of rows per sheet."""
    path = Path(path)
    tables = catalog_tables()
    if path.suffix.lower() == ".xlsx":
        write_xlsx(path, tables)
    else:
        write_csv(path, tables)
    return {name: len(rows) for name, _headers, rows in tables}
