"""The demo catalog of 扎兰屯市 (``demo/catalog.yaml``), loaded through the importer and so through
the services and the guard. Loading it twice changes nothing."""

from pathlib import Path

import yaml

from xinyipi.catalog.importer import MATERIAL_ORDER, MATTER_ORDER, catalog_import
from xinyipi.core.excel import Table

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "catalog.yaml"


def _table(name: str, order: list[str], rows: list[dict]) -> Table:
    used = [column for column in order if any(column in row for row in rows)]
    table = Table(name, used)
    for number, row in enumerate(rows, start=2):
        table.rows.append((number, [row.get(column) for column in used]))
    return table


def demo_tables(path: Path = DEMO_FILE) -> list[Table]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    departments = data["departments"]
    matters, materials = [], []
    for matter in data["matters"]:
        matter = dict(matter)
        for material in matter.pop("materials", []):
            materials.append({"matter_code": matter["code"], **material})
        matters.append(matter)
    department_order = ["code", "name", "short_name", "phone", "complaint_phone", "address", "is_active"]
    return [
        _table("departments", department_order, departments),
        _table("matters", MATTER_ORDER, matters),
        _table("materials", MATERIAL_ORDER, materials),
    ]


def load_demo_catalog() -> dict:
    """Load (or bring up to date) the demo catalog; returns the import counts per sheet."""
    report = catalog_import(actor=None, tables=demo_tables())
    return {sheet: report.counts[sheet] for sheet in ("departments", "matters", "materials")}
