"""Import/export of the whole catalog: all-or-nothing, every fault located by sheet/row/column,
export → import round-trips, on Excel and CSV alike."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from xinyipi.accounts.models import Department
from xinyipi.audit.models import AuditEntry
from xinyipi.catalog.exporter import catalog_export
from xinyipi.catalog.importer import ImportFailed, catalog_import
from xinyipi.catalog.models import Material, Matter
from xinyipi.catalog.services import matter_create
from xinyipi.catalog.tests.factories import material_data, matter_data
from xinyipi.core.excel import csv_bytes, write_csv, write_xlsx
from xinyipi.core.testing import uscc_for

pytestmark = pytest.mark.django_db

DEPT = uscc_for("11150783", "MB1234567")
DEPT2 = uscc_for("11150783", "MB7654321")
M1 = f"{DEPT}4000101001000"
M2 = f"{DEPT}4000101002000"


def tables(matters=None, materials=None, departments=None):
    departments = departments or (
        ["code", "name"],
        [[DEPT, "扎兰屯市测试管理局"], [DEPT2, "扎兰屯市另一局"]],
    )
    matters = matters or (
        [
            "code",
            "name",
            "department",
            "legal_basis",
            "statutory_days",
            "promised_days",
            "tolerance",
            "commitment_kind",
            "excluded_domains",
        ],
        [
            [M1, "测试许可", DEPT, "《某条例》第十条", 20, 10, "是", "certificate_commitment", ""],
            [M2, "危险测试许可", DEPT2, "《某条例》第十一条", 20, 15, "否", "none", "public_safety"],
        ],
    )
    materials = materials or (
        ["matter_code", "code", "name", "essential", "tolerable", "certificate", "replaceable"],
        [
            [M1, "001", "申请书", "是", "否", "否", "否"],
            [M1, "002", "营业执照", "是", "否", "是", "是"],
            [M1, "003", "场所照片", "否", "是", "否", "否"],
            [M2, "001", "申请书", "是", "否", "否", "否"],
        ],
    )
    return [("departments", *departments), ("matters", *matters), ("materials", *materials)]


def workbook(tmp_path, t, name: str = "c.xlsx"):
    """The tables ``t`` (``tables()``, edited) written as an Excel workbook, or as a zip of CSV files."""
    path = tmp_path / name
    (write_xlsx if path.suffix == ".xlsx" else write_csv)(path, t)
    return path


def xlsx(tmp_path, **kwargs):
    return workbook(tmp_path, tables(**kwargs), "catalog.xlsx")


def state():
    return (
        Department.objects.count(),
        Matter.objects.count(),
        Material.objects.count(),
        AuditEntry.objects.count(),
        sorted(Matter.objects.values_list("code", "tolerance", "commitment_kind")),
    )


def refused(path) -> list:
    before = state()
    with pytest.raises(ImportFailed) as exc:
        catalog_import(actor=None, path=path)
    assert state() == before, "a refused import must change nothing"
    return [(e.sheet, e.row, e.column, e.code) for e in exc.value.errors]


def test_import_creates_departments_matters_and_materials(tmp_path):
    report = catalog_import(actor=None, path=xlsx(tmp_path))
    assert report.counts["departments"]["created"] == 2
    assert report.counts["matters"]["created"] == 2
    assert report.counts["materials"]["created"] == 4
    matter = Matter.objects.get(code=M1)
    assert matter.tolerance and matter.commitment_kind == "certificate_commitment"
    assert matter.department.code == DEPT
    assert list(matter.materials.values_list("code", "tolerable")) == [("001", False), ("002", False), ("003", True)]


def test_import_twice_is_unchanged_and_writes_no_audit(tmp_path):
    path = xlsx(tmp_path)
    catalog_import(actor=None, path=path)
    audits = AuditEntry.objects.count()
    report = catalog_import(actor=None, path=path)
    assert report.counts["matters"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert AuditEntry.objects.count() == audits


def test_dry_run_reports_and_writes_nothing(tmp_path):
    before = state()
    report = catalog_import(actor=None, path=xlsx(tmp_path), dry_run=True)
    assert report.counts["matters"]["created"] == 2
    assert state() == before


def test_chinese_and_national_headers_accepted(tmp_path):
    matters = (
        ["实施编码", "事项名称", "实施主体编码", "设定依据", "anticipate_day", "承诺办结时限", "容缺受理"],
        [[M1, "测试许可", DEPT, "《某条例》第十条", 20, 10, "1"]],
    )
    materials = (
        ["事项实施编码", "material_code", "材料名称", "is_need"],
        [[M1, "001", "申请书", "1"], [M1, "002", "场所照片", "容缺后补"]],
    )
    catalog_import(actor=None, path=xlsx(tmp_path, matters=matters, materials=materials))
    matter = Matter.objects.get(code=M1)
    assert matter.tolerance and matter.statutory_days == 20
    assert list(matter.materials.values_list("essential", "tolerable")) == [(True, False), (False, True)]


def test_bad_boolean_names_sheet_row_and_column(tmp_path):
    t = tables()
    t[2][2][1][3] = "也许"
    assert ("materials", 3, "essential", "invalid_boolean") in refused(workbook(tmp_path, t))


def test_unknown_department_named(tmp_path):
    t = tables()
    t[1][2][1][2] = uscc_for("11150783", "MB9999999")
    assert ("matters", 3, "department", "unknown_department") in refused(workbook(tmp_path, t))


def test_missing_required_column_named(tmp_path):
    matters = (["code", "name", "department", "statutory_days", "promised_days"], [[M1, "x", DEPT, 20, 10]])
    assert ("matters", 1, "legal_basis", "missing_column") in refused(xlsx(tmp_path, matters=matters))


def test_empty_required_cell_named(tmp_path):
    t = tables()
    t[1][2][0][1] = None
    assert ("matters", 2, "name", "required") in refused(workbook(tmp_path, t))


def test_duplicate_material_code_named(tmp_path):
    t = tables()
    t[2][2].append([M1, "002", "营业执照（重复）", "是", "否", "否", "否"])
    assert ("materials", 6, "code", "duplicate_material_code") in refused(workbook(tmp_path, t))


def test_r6_essential_material_marked_tolerable_refused_in_import(tmp_path):
    t = tables()
    t[2][2][0][4] = "是"  # 申请书: essential and tolerable
    assert ("materials", 2, "tolerable", "essential_material_tolerable") in refused(workbook(tmp_path, t))


def test_r6_excluded_matter_marked_tolerable_refused_in_import(tmp_path):
    t = tables()
    t[1][2][1][6] = "是"  # 危险测试许可 (public_safety) under tolerance
    t[2][2][3][3:5] = ["否", "是"]
    assert ("matters", 3, "tolerance", "tolerance_excluded_domain") in refused(workbook(tmp_path, t))


def test_r4_excluded_matter_under_commitment_refused_in_import(tmp_path):
    t = tables()
    t[1][2][1][7] = "licence_commitment"
    assert ("matters", 3, "commitment_kind", "commitment_excluded_domain") in refused(workbook(tmp_path, t))


def test_r6_supplement_period_over_promised_limit_refused_in_import(tmp_path):
    matters = (
        [
            "code",
            "name",
            "department",
            "legal_basis",
            "statutory_days",
            "promised_days",
            "tolerance",
            "supplement_days",
        ],
        [[M1, "测试许可", DEPT, "依据", 20, 3, "是", 5]],
    )
    materials = (["matter_code", "code", "name", "essential", "tolerable"], [[M1, "003", "照片", "否", "是"]])
    found = refused(xlsx(tmp_path, matters=matters, materials=materials))
    assert ("matters", 2, "supplement_days", "supplement_exceeds_promised_limit") in found


def test_one_bad_row_among_good_ones_imports_nothing(tmp_path):
    t = tables()
    t[2][2][2][3] = "maybe"
    path = workbook(tmp_path, t)
    refused(path)
    assert not Department.objects.filter(code=DEPT).exists()


def test_bad_number_and_choice_named(tmp_path):
    t = tables()
    t[1][2][0][4] = "二十"
    t[1][2][0][7] = "承诺制"
    path = workbook(tmp_path, t)
    found = refused(path)
    assert ("matters", 2, "statutory_days", "invalid_number") in found
    assert ("matters", 2, "commitment_kind", "invalid_choice") in found


def test_unknown_matter_in_materials_sheet_named(tmp_path):
    t = tables()
    t[2][2].append([f"{DEPT}4999999999999", "001", "申请书", "是", "否", "否", "否"])
    assert ("materials", 6, "matter_code", "unknown_matter") in refused(workbook(tmp_path, t))


def test_not_a_workbook_refused(tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_bytes(b"not a workbook")
    assert refused(path)[0][3] == "unreadable_workbook"


def test_csv_zip_imports_and_reports_rows(tmp_path):
    path = tmp_path / "catalog.zip"
    write_csv(path, tables())
    catalog_import(actor=None, path=path)
    assert Matter.objects.count() == 2

    bad = tables()
    bad[2][2][1][6] = "也许"
    bad_path = workbook(tmp_path, bad, "bad.zip")
    assert ("materials", 3, "replaceable", "invalid_boolean") in refused(bad_path)


def test_csv_directory_in_gb18030_with_chinese_sheet_names(tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, headers, rows in tables():
        chinese = {"departments": "部门", "matters": "事项", "materials": "材料"}[name]
        text = csv_bytes(headers, rows).decode("utf-8-sig")
        (folder / f"{chinese}.csv").write_bytes(text.encode("gb18030"))
    catalog_import(actor=None, path=folder)
    assert Matter.objects.get(code=M1).name == "测试许可"


def test_r6_csv_excluded_matter_marked_tolerable_refused(tmp_path):
    t = tables()
    t[1][2][1][6] = "是"
    t[2][2][3][3:5] = ["否", "是"]
    path = workbook(tmp_path, t, "bad.zip")
    assert ("matters", 3, "tolerance", "tolerance_excluded_domain") in refused(path)


def test_csv_zip_missing_matters_sheet(tmp_path):
    path = tmp_path / "c.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("departments.csv", csv_bytes(["code", "name"], [[DEPT, "x"]]))
    assert refused(path)[0][3] == "missing_sheet"


@pytest.mark.parametrize("target", ["catalog.xlsx", "catalog.zip", "catalog-dir"])
def test_export_then_import_round_trips(tmp_path, department, bureau_admin, target):
    matter_create(
        actor=bureau_admin,
        data=matter_data(
            department,
            commitment_kind="certificate_commitment",
            tolerance=True,
            server_type=["1", "2"],
            faq=[{"question": "要带原件吗？", "answer": "要。"}],
            consult_phone="0470-3212345",
            catalog_code="000104002000",
        ),
        materials=[
            material_data("001", certificate=True, replaceable=True, legal_basis="=不是公式"),
            material_data("002", essential=False, tolerable=True),
        ],
    )
    matter_create(
        actor=bureau_admin, data=matter_data(department, excluded_domains=["public_safety", "personal_health"])
    )
    path = tmp_path / target
    catalog_export(path)
    snapshot = list(Matter.objects.order_by("code").values()), list(Material.objects.order_by("id").values())
    report = catalog_import(actor=None, path=path)
    assert report.counts["matters"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert report.counts["materials"] == {"created": 0, "updated": 0, "unchanged": 2}

    # Into an empty catalog: the same rows come back.
    Material.objects.all().delete()
    Matter.objects.all().delete()
    catalog_import(actor=None, path=path)

    def strip(rows):
        return [{k: v for k, v in r.items() if k not in {"id", "matter_id", "created_at", "updated_at"}} for r in rows]

    again = list(Matter.objects.order_by("code").values()), list(Material.objects.order_by("id").values())
    assert strip(again[0]) == strip(snapshot[0])
    assert strip(again[1]) == strip(snapshot[1])


def test_command_reports_errors_and_exits_nonzero(tmp_path):
    t = tables()
    t[2][2][0][4] = "是"
    path = workbook(tmp_path, t)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_catalog", str(path), stderr=err)
    assert "materials" in err.getvalue() and "第 2 行" in err.getvalue() and "tolerable" in err.getvalue()
    assert Matter.objects.count() == 0


def test_command_dry_run_and_export(tmp_path):
    out = io.StringIO()
    call_command("import_catalog", str(xlsx(tmp_path)), "--dry-run", stdout=out)
    assert "试运行" in out.getvalue()
    assert Matter.objects.count() == 0
    call_command("import_catalog", str(xlsx(tmp_path)), stdout=io.StringIO())
    target = tmp_path / "out.xlsx"
    call_command("export_catalog", str(target), stdout=out)
    assert target.exists() and Matter.objects.count() == 2


@pytest.mark.parametrize("name", ["missing.xlsx", "missing.csv", "missing-dir"])
def test_a_file_that_is_not_there_is_named_not_traced(tmp_path, name):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_catalog", str(tmp_path / name), stderr=err)
    assert f"找不到文件：{tmp_path / name}" in err.getvalue()


def test_export_to_a_place_that_cannot_be_written_says_so(tmp_path):
    target = tmp_path / "no-such-folder" / "catalog.xlsx"
    with pytest.raises(CommandError, match=r"无法写入 .*catalog\.xlsx"):
        call_command("export_catalog", str(target), stdout=io.StringIO())


def test_national_code_values_are_translated(tmp_path):
    matters = (
        [
            "task_code",
            "task_name",
            "dept_code",
            "by_law",
            "anticipate_day",
            "anticipate_type",
            "promise_day",
            "promise_type",
            "task_state",
            "task_type",
        ],
        [[M1, "测试许可", DEPT, "依据", 20, "1", 10, "2", "2", "01"]],
    )
    materials = (["matter_code", "code", "name"], [[M1, "001", "申请书"]])
    catalog_import(actor=None, path=xlsx(tmp_path, matters=matters, materials=materials))
    matter = Matter.objects.get(code=M1)
    assert (matter.statutory_day_unit, matter.promised_day_unit, matter.status) == ("working", "calendar", "suspended")


def test_per_source_code_values(tmp_path, monkeypatch):
    from xinyipi.catalog import national

    # A vendor numbering public services 14 instead of the national 20 (govservice-standards.md §1.4).
    monkeypatch.setitem(national.SOURCE_VALUES, "vendor_x", {"task_type": {"14": "20"}})
    matters = (
        ["code", "name", "department", "legal_basis", "statutory_days", "promised_days", "task_type"],
        [[M1, "测试服务", DEPT, "依据", 20, 10, "14"]],
    )
    path = xlsx(tmp_path, matters=matters, materials=(["matter_code", "code", "name"], [[M1, "001", "申请书"]]))
    assert ("matters", 2, "task_type", "invalid_choice") in refused(path)
    catalog_import(actor=None, path=path, source="vendor_x")
    assert Matter.objects.get(code=M1).task_type == "20"


def test_unknown_source_refused(tmp_path):
    with pytest.raises(ImportFailed) as exc:
        catalog_import(actor=None, path=xlsx(tmp_path), source="nowhere")
    assert exc.value.errors[0].code == "unknown_source"


def test_unknown_columns_are_ignored_with_a_warning(tmp_path):
    t = tables()
    headers, rows = t[1][1], t[1][2]
    t[1] = ("matters", [*headers, "cd_batch"], [[*row, "B001"] for row in rows])
    path = workbook(tmp_path, t)
    report = catalog_import(actor=None, path=path)
    assert report.counts["matters"]["created"] == 2
    assert any("cd_batch" in w for w in report.warnings)
