"""Row-numbered tables from Excel workbooks and CSV files, and writers for both.

Every row read keeps the number a person sees in Excel (the header is row 1), so an importer can say
"sheet 事项, row 7, column 告知承诺类型" for each fault. A workbook is read as one table per sheet;
CSV comes as a directory or a zip with one ``<sheet>.csv`` per table, UTF-8 (with or without BOM) or
GB18030 (what Excel saves on Chinese Windows).

Every table written is safe to open: text a spreadsheet would run as a formula (first character ``=``,
``+``, ``-``, ``@``, tab or CR) is written as text, never a formula (CWE-1236). In CSV that takes a leading
``'`` (``formula_safe``), which the readers here take off again, so an export reads back unchanged; in
.xlsx the cell is typed as a string and quote-prefixed, so the value itself is kept as it was.
"""

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from xinyipi.core.errors import DomainError

MAX_ROWS = 200_000

# Characters that make a spreadsheet read a cell's text as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """``value`` as text a spreadsheet shows rather than runs: a leading ``'`` before a formula trigger.

    For CSV and any other plain-text table; numbers and other non-text values are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def formula_unescaped(value):
    """The inverse of ``formula_safe`` for text read back from a table."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


class CellError(DomainError):
    """A fault in one cell (or row, or sheet) of an imported table."""

    def __init__(self, code: str, message, *, sheet: str, row: int | None = None, column: str | None = None):
        super().__init__(code, message, column, sheet=sheet, row=row, column=column)
        self.sheet, self.row, self.column = sheet, row, column

    def __str__(self) -> str:
        where = [_("工作表“%(s)s”") % {"s": self.sheet}]
        if self.row is not None:
            where.append(_("第 %(r)d 行") % {"r": self.row})
        if self.column:
            where.append(_("“%(c)s”列") % {"c": self.column})
        return f"{' '.join(where)}：{self.message}"


@dataclass
class Table:
    """One sheet: its header texts as written, and its non-empty rows with their row numbers."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)


@dataclass
class Record:
    """A row as a mapping from canonical column names to values, remembering where it came from."""

    sheet: str
    number: int
    values: dict
    headers: dict[str, str]  # canonical name → header text in the file

    def error(self, code: str, message, column: str | None = None) -> CellError:
        return CellError(code, message, sheet=self.sheet, row=self.number, column=self.headers.get(column, column))


def _clean(value):
    if isinstance(value, str):
        value = formula_unescaped(value).strip()
        return value or None
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _append(table: Table, number: int, values: Sequence) -> None:
    cells = [_clean(v) for v in values]
    if all(v is None for v in cells):
        return
    if len(table.rows) >= MAX_ROWS:
        raise CellError("too_many_rows", _("行数超过 %(n)d 行的上限。") % {"n": MAX_ROWS}, sheet=table.name)
    cells += [None] * (len(table.headers) - len(cells))
    table.rows.append((number, cells))


def read_xlsx(source) -> list[Table]:
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise CellError("unreadable_workbook", _("无法读取 Excel 文件（须为 .xlsx 格式）。"), sheet="-") from exc
    tables = []
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                tables.append(Table(sheet.title, []))
                continue
            table = Table(sheet.title, [str(h).strip() if h is not None else "" for h in header])
            for number, values in enumerate(rows, start=2):
                _append(table, number, values)
            tables.append(table)
    finally:
        book.close()
    return tables


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CellError("unreadable_csv", _("无法识别文件编码（应为 UTF-8 或 GB18030）。"), sheet=name)


def read_csv_text(name: str, text: str) -> Table:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    table = Table(name, [h.strip() for h in header] if header else [])
    try:
        for number, values in enumerate(reader, start=2):
            _append(table, number, values)
    except csv.Error as exc:
        raise CellError("unreadable_csv", _("CSV 格式错误：%(e)s。") % {"e": exc}, sheet=name) from exc
    return table


def read_csv_dir(path: Path) -> list[Table]:
    files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    return [read_csv_text(p.stem, _decode(p.read_bytes(), p.stem)) for p in files]


def read_csv_zip(source) -> list[Table]:
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as exc:
        raise CellError("unreadable_archive", _("无法读取 zip 文件。"), sheet="-") from exc
    tables = []
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            name = Path(info.filename).name
            if info.is_dir() or not name.lower().endswith(".csv") or name.startswith("."):
                continue
            if info.file_size > 200 * 1024 * 1024:
                raise CellError("file_too_large", _("文件过大。"), sheet=name)
            stem = name[:-4]
            tables.append(read_csv_text(stem, _decode(archive.read(info), stem)))
    return tables


def read_tables(path) -> list[Table]:
    """The tables of an .xlsx workbook, a .zip of CSV files or a directory of CSV files."""
    path = Path(path)
    if not path.exists():
        raise CellError("file_not_found", _("找不到文件：%(path)s") % {"path": path}, sheet="-")
    if path.is_dir():
        return read_csv_dir(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(path)
    if suffix == ".zip":
        return read_csv_zip(path)
    if suffix == ".csv":
        return [read_csv_text(path.stem, _decode(path.read_bytes(), path.stem))]
    raise CellError(
        "unsupported_format", _("不支持的文件格式：%(s)s（支持 .xlsx、.zip 或 CSV 目录）。") % {"s": suffix}, sheet="-"
    )


def records(
    table: Table, columns: dict[str, Iterable[str]], required: Iterable[str] = ()
) -> tuple[list[Record], list[CellError]]:
    """Map a table's headers to canonical names (each canonical name with its accepted aliases).

    Returns the records and the header faults: unknown or repeated columns, required columns missing.
    """
    lookup = {}
    for canonical, aliases in columns.items():
        for alias in {canonical, *aliases}:
            lookup[alias.strip().lower()] = canonical
    errors, index, headers = [], {}, {}
    for position, text in enumerate(table.headers):
        if not text:
            continue
        canonical = lookup.get(text.lower())
        if canonical is None:
            errors.append(
                CellError(
                    "unknown_column", _("无法识别的列名“%(c)s”。") % {"c": text}, sheet=table.name, row=1, column=text
                )
            )
        elif canonical in index:
            errors.append(
                CellError(
                    "duplicate_column", _("列“%(c)s”重复出现。") % {"c": text}, sheet=table.name, row=1, column=text
                )
            )
        else:
            index[canonical] = position
            headers[canonical] = text
    for canonical in required:
        if canonical not in index:
            errors.append(
                CellError(
                    "missing_column",
                    _("缺少必需的列“%(c)s”。") % {"c": canonical},
                    sheet=table.name,
                    row=1,
                    column=canonical,
                )
            )
    out = [
        Record(table.name, number, {name: cells[pos] for name, pos in index.items()}, headers)
        for number, cells in table.rows
    ]
    return out, errors


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def xlsx_sheet_fill(sheet, headers: Sequence, rows: Iterable[Sequence]) -> None:
    """Append a bold header row and the rows to an openpyxl sheet; text is never a formula."""
    for values in (headers, *rows):
        sheet.append([_cell_text(v) for v in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                # openpyxl types text starting with "=" as a formula; a quote-prefixed string cell stays
                # text in Excel even when edited.
                cell.data_type = "s"
                cell.quotePrefix = True
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    for position, header in enumerate(headers, start=1):
        width = max(10, min(40, len(str(header)) * 2))
        sheet.column_dimensions[sheet.cell(1, position).column_letter].width = width


def write_xlsx(path, tables: Sequence[tuple[str, list[str], list[list]]]) -> None:
    """Write ``(sheet name, headers, rows)`` tables to one workbook (a path or a binary file)."""
    book = Workbook()
    book.remove(book.active)
    for name, headers, rows in tables:
        xlsx_sheet_fill(book.create_sheet(title=name), headers, rows)
    book.save(path)


def xlsx_bytes(tables: Sequence[tuple[str, list[str], list[list]]]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, tables)
    return buffer.getvalue()


def csv_bytes(headers: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([formula_safe(_cell_text(v)) for v in headers])
    for row in rows:
        writer.writerow([formula_safe(_cell_text(v)) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def write_csv(path, tables: Sequence[tuple[str, list[str], list[list]]]) -> None:
    """Write the tables as ``<name>.csv`` files into a directory, or into a zip when ``path`` ends in .zip."""
    path = Path(path)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, headers, rows in tables:
                archive.writestr(f"{name}.csv", csv_bytes(headers, rows))
        return
    path.mkdir(parents=True, exist_ok=True)
    for name, headers, rows in tables:
        (path / f"{name}.csv").write_bytes(csv_bytes(headers, rows))


def xlsx_stream_row(sheet, values: Sequence) -> list:
    """One row for a write-only (streamed) openpyxl sheet, text never a formula, as ``xlsx_sheet_fill`` does.

    Append the result with ``sheet.append``; cells are built here because a write-only sheet cannot be
    changed once appended.
    """
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=_cell_text(value))
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
            cell.data_type = "s"
            cell.quotePrefix = True
        cells.append(cell)
    return cells
