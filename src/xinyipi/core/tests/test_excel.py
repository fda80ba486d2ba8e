"""Every table the system writes is safe to open: text that a spreadsheet would run stays text (CWE-1236)."""

import csv
import io

import pytest
from openpyxl import load_workbook

from xinyipi.core.excel import csv_bytes, formula_safe, read_tables, write_csv, write_xlsx

DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://127.0.0.1","x")']
HARMLESS = ["普通文本", "a=b", "'quoted", ""]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_safe_prefixes_a_quote_to_text_a_spreadsheet_would_run(value):
    assert formula_safe(value) == "'" + value


@pytest.mark.parametrize("value", [*HARMLESS, -5, 3.5, None])
def test_formula_safe_leaves_other_values_alone(value):
    assert formula_safe(value) == value


def test_xlsx_writes_formula_like_text_as_text_and_keeps_the_value(tmp_path):
    path = tmp_path / "t.xlsx"
    write_xlsx(path, [("sheet", ["value"], [[v] for v in DANGEROUS])])
    sheet = load_workbook(path)["sheet"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s"] * len(DANGEROUS)
    # XML stores a CR as a line feed; otherwise the text is kept as it was.
    assert [c.value for c in cells] == [v.replace("\r", "\n") for v in DANGEROUS]
    assert all(c.quotePrefix for c in cells)


def test_csv_writes_formula_like_text_with_a_leading_quote():
    rows = list(csv.reader(io.StringIO(csv_bytes(["value"], [[v] for v in DANGEROUS + HARMLESS]).decode("utf-8-sig"))))
    written = [r[0] for r in rows[1:]]
    assert written == ["'" + v for v in DANGEROUS] + HARMLESS
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in written)


@pytest.mark.parametrize("target", ["t.xlsx", "t.zip", "dir"])
def test_written_tables_read_back_unchanged(tmp_path, target):
    values = ["=1+1", "+86 0470", "-", "@home", "'quoted"]
    path = tmp_path / target
    (write_xlsx if target.endswith(".xlsx") else write_csv)(path, [("sheet", ["value"], [[v] for v in values])])
    (table,) = read_tables(path)
    assert [cells[0] for _number, cells in table.rows] == values
