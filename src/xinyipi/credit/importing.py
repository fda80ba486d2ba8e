"""Import a public credit list (CSV or Excel) into the local credit store: ``manage.py import_credit``.

All or nothing, by staging. The file is read once, streaming; every row is validated (code check
characters, dates, category, severity, grade, duplicate record ids) and the valid rows are written in
batches to a temporary staging table of this database connection — never to the live table. If any row
is wrong, the staging table is dropped and the errors are reported by row and column: nothing changed.
Only a fully valid file is merged into ``CreditRecord``, in batches (one short transaction each, so the
hall's own writes interleave with a five-million-row import instead of waiting behind one long lock), by
upsert on ``(source, record_id)``: importing the same list again updates, never duplicates; a merge cut
short is completed by running the same import again.

Why staging rather than validate-then-write: one pass over the file instead of two (parsing is most of
the cost), and the batches that reach the live table are plain ``INSERT … SELECT`` statements the
database runs without Python in the loop. On PostgreSQL the staging rows go in with ``COPY``
(psycopg 3 ``cursor.copy``); on SQLite with ``executemany``.
"""

import csv
import datetime as dt
import hashlib
import io
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from xinyipi.audit.services import audit_record
from xinyipi.core import clock
from xinyipi.core.crypto import blind_index
from xinyipi.core.errors import DomainError
from xinyipi.credit.categories import STORE_CATEGORIES, Category
from xinyipi.credit.models import CreditImport, CreditRecord
from xinyipi.subjects.validators import guess_kind, normalise, validate_subject_code

# Canonical column → accepted headers (English code names and the Chinese headings lists are published with).
COLUMNS = {
    "code": ("code", "subject_code", "统一社会信用代码", "证件号码", "身份证号码", "主体代码", "代码"),
    "kind": ("kind", "主体类型"),
    "name": ("name", "subject_name", "名称", "主体名称", "企业名称", "姓名"),
    "category": ("category", "类别", "名单类别", "信息类别"),
    "record_id": ("record_id", "记录编号", "记录id", "编号"),
    "document_number": ("document_number", "文书号", "决定文书号", "决定书文号", "文号"),
    "authority": ("authority", "认定机关", "决定机关", "作出决定机关"),
    "decided_on": ("decided_on", "决定日期", "认定日期", "列入日期", "评价日期"),
    "publicity_until": ("publicity_until", "公示截止日期", "公示期限", "公示截止"),
    "ends_on": ("ends_on", "结束日期", "有效期至", "移出日期"),
    "status": ("status", "状态"),
    "severity": ("severity", "严重程度", "失信程度"),
    "grade": ("grade", "纳税信用等级", "等级"),
    "summary": ("summary", "事由", "主要事实", "列入事由", "原因"),
}
REQUIRED = ("code", "record_id", "decided_on")
LIMITS = {"name": 200, "record_id": 100, "document_number": 200, "authority": 200, "summary": 500}

_CATEGORY_WORDS = {**{c.value: c.value for c in Category}, **{str(c.label): c.value for c in Category}}
_STATUS_WORDS = {
    "": "active", "active": "active", "有效": "active", "在列": "active", "公示中": "active",
    "ended": "ended", "removed": "ended", "repaired": "ended", "已移出": "ended", "移出": "ended",
    "已修复": "ended", "失效": "ended", "已失效": "ended", "已撤销": "ended",
}  # fmt: skip
_SEVERITY_WORDS = {"general": "general", "一般": "general", "serious": "serious", "严重": "serious"}
_KIND_WORDS = {"enterprise": "enterprise", "企业": "enterprise", "person": "person", "个人": "person",
               "自然人": "person"}  # fmt: skip
_GRADES = frozenset("ABMCD")

STAGE_COLUMNS = (
    "row_no", "code_hash", "subject_name", "category", "record_id", "document_number", "authority",
    "decided_on", "publicity_until", "ends_on", "status", "severity", "grade", "summary",
)  # fmt: skip
STAGE_TABLE = "credit_import_stage"


@dataclass
class RowError:
    row: int
    column: str
    code: str
    message: str

    def __str__(self) -> str:
        where = _("第 %(row)d 行") % {"row": self.row}
        if self.column:
            where += _("，%(column)s 列") % {"column": self.column}
        return f"{where}：{self.message}"


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    import_id: int | None = None
    seconds: float = 0.0
    stage_seconds: float = 0.0
    merge_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class ImportRefused(DomainError):
    """The file as a whole cannot be read (format, header): nothing was imported."""


# -- reading --------------------------------------------------------------------------------------------


class _HashingReader(io.RawIOBase):
    """Feeds every byte read through SM3, so the file's digest costs no second pass."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.new("sm3")
        self.position = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.digest.update(data)
        self.position += n
        return n


def _excel_column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _header_map(header: list) -> tuple[dict[str, int], dict[str, str]]:
    """``({canonical: index}, {canonical: "C（统一社会信用代码）"})``; unknown headers are refused."""
    lookup = {alias.lower(): canonical for canonical, aliases in COLUMNS.items() for alias in aliases}
    positions, labels = {}, {}
    for index, raw in enumerate(header):
        text = str(raw or "").strip().lstrip("\ufeff")
        if not text:
            continue
        canonical = lookup.get(text.lower())
        if canonical is None:
            raise ImportRefused(
                "unknown_column",
                _("第 1 行，%(col)s 列：无法识别的列名“%(name)s”。") % {"col": _excel_column(index), "name": text},
                "file",
            )
        if canonical in positions:
            raise ImportRefused("duplicate_column", _("第 1 行：列“%(name)s”重复出现。") % {"name": text}, "file")
        positions[canonical] = index
        labels[canonical] = f"{_excel_column(index)}（{text}）"
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        raise ImportRefused(
            "missing_column",
            _("第 1 行：缺少必需的列：%(cols)s。") % {"cols": "、".join(COLUMNS[c][1] for c in missing)},
            "file",
        )
    return positions, labels


class _Source:
    """Rows of a CSV or Excel file, with ``size``/``position`` for the progress bar and the file's SM3."""

    def __init__(self, path: Path):
        self.path = path
        self.suffix = path.suffix.lower()
        if self.suffix not in {".csv", ".txt", ".xlsx", ".xlsm"}:
            raise ImportRefused("unsupported_format", _("只能导入 CSV（UTF-8）或 Excel（.xlsx）文件。"), "file")
        self.size = path.stat().st_size
        self._hashing = None
        self._workbook = None

    def rows(self):
        if self.suffix in {".xlsx", ".xlsm"}:
            yield from self._excel_rows()
        else:
            yield from self._csv_rows()

    def _csv_rows(self):
        raw = self.path.open("rb")
        self._hashing = _HashingReader(raw)
        text = io.TextIOWrapper(io.BufferedReader(self._hashing, 1 << 20), encoding="utf-8-sig", newline="")
        try:
            yield from csv.reader(text)
        except UnicodeDecodeError as exc:
            raise ImportRefused("not_utf8", _("CSV 文件应为 UTF-8 编码。"), "file") from exc
        finally:
            text.close()

    def _excel_rows(self):
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            self._workbook = load_workbook(self.path, read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError) as exc:
            raise ImportRefused("unreadable_excel", _("无法读取该 Excel 文件。"), "file") from exc
        try:
            sheet = self._workbook.worksheets[0]
            self.excel_rows = sheet.max_row or 0
            yield from sheet.iter_rows(values_only=True)
        finally:
            self._workbook.close()

    @property
    def position(self) -> int:
        return self._hashing.position if self._hashing is not None else 0

    def sm3(self) -> str:
        if self._hashing is not None:
            return self._hashing.digest.hexdigest()
        digest = hashlib.new("sm3")
        with self.path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()


# -- validation -----------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.replace("/", "-").replace(".", "-"))
    except ValueError:
        pass
    parts = text.replace("/", "-").replace(".", "-").split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))  # ValueError for impossible dates
    raise ValueError(text)


class _CodeCache:
    """Each code is validated and blind-indexed once per import: a subject appears in many records."""

    def __init__(self, limit: int = 2_000_000):
        self.items: dict[tuple[str, str], tuple[str | None, DomainError | None]] = {}
        self.limit = limit

    def lookup(self, raw: str, kind_hint: str) -> tuple[str | None, DomainError | None]:
        key = (raw, kind_hint)
        hit = self.items.get(key)
        if hit is not None:
            return hit
        try:
            kind = kind_hint or guess_kind(raw)
            code = validate_subject_code(kind, raw, field="code")
            result = (blind_index(code), None)
        except DomainError as exc:
            result = (None, exc)
        if len(self.items) >= self.limit:
            self.items.clear()
        self.items[key] = result
        return result


# -- staging and merging --------------------------------------------------------------------------------


def _stage_create(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
    types = {"row_no": "integer"}
    cols = ", ".join(f"{c} {types.get(c, 'text')}" for c in STAGE_COLUMNS)
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGE_TABLE} ({cols})")


def _stage_drop(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")


def _stage_write(cursor, rows: list[tuple]) -> None:
    """One batch into the staging table, in one transaction (else SQLite would commit row by row)."""
    if not rows:
        return
    with transaction.atomic():
        _stage_write_rows(cursor, rows)


def _stage_write_rows(cursor, rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {STAGE_TABLE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(STAGE_COLUMNS))
        cursor.executemany(f"INSERT INTO {STAGE_TABLE} VALUES ({placeholders})", rows)


_MERGED = (
    "code_hash", "subject_name", "category", "record_id", "document_number", "authority", "decided_on",
    "publicity_until", "ends_on", "status", "severity", "grade", "summary",
)  # fmt: skip
_DATE_COLUMNS = {"decided_on", "publicity_until", "ends_on"}


def _merge_sql() -> str:
    table = CreditRecord._meta.db_table
    postgres = connection.vendor == "postgresql"
    selected = ", ".join(f"{c}::date" if postgres and c in _DATE_COLUMNS else c for c in _MERGED)
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*_MERGED, "imported_id", "imported_at") if c != "record_id")
    return (
        f"INSERT INTO {table} ({', '.join(_MERGED)}, source, imported_id, imported_at) "
        f"SELECT {selected}, %s, %s, %s FROM {STAGE_TABLE} WHERE row_no > %s AND row_no <= %s "
        f"ON CONFLICT (source, record_id) DO UPDATE SET {updates}"
    )


def _progress(total: int, unit: str, enabled: bool | None):
    from tqdm import tqdm

    disable = not sys.stderr.isatty() if enabled is None else not enabled
    return tqdm(total=total, unit=unit, unit_scale=True, disable=disable, file=sys.stderr, desc=_("导入"))


def credit_records_import(
    *,
    path: Path,
    source: str,
    category: str | None = None,
    actor_label: str = "import_credit",
    batch_size: int = 50_000,
    max_errors: int = 200,
    progress: bool | None = None,
) -> ImportResult:
    """Validate the whole file, then merge it into the local store; see the module docstring."""
    started = time.perf_counter()
    path = Path(path)
    source = (source or "").strip()
    if not source or len(source) > 50:
        raise ImportRefused("invalid_source", _("请用 --source 指明名单来源（不超过 50 个字符）。"), "source")
    fixed_category = None
    if category:
        fixed_category = _CATEGORY_WORDS.get(category.strip())
        if fixed_category is None:
            raise ImportRefused(
                "invalid_category",
                _("类别应为：%(values)s。") % {"values": "、".join(STORE_CATEGORIES)},
                "category",
            )
    if not path.is_file():
        raise ImportRefused("file_not_found", _("找不到文件：%(path)s") % {"path": path}, "file")

    reader = _Source(path)
    rows = reader.rows()
    try:
        header = next(rows)
    except StopIteration as exc:
        raise ImportRefused("empty_file", _("文件是空的。"), "file") from exc
    positions, labels = _header_map(list(header))
    if fixed_category is None and "category" not in positions:
        raise ImportRefused("category_required", _("文件没有“类别”列时，请用 --category 指明类别。"), "category")

    result = ImportResult()
    errors = result.errors
    codes = _CodeCache()
    seen_ids: set[str] = set()
    get = {name: positions.get(name) for name in COLUMNS}
    i_code, i_kind, i_name, i_cat, i_id = get["code"], get["kind"], get["name"], get["category"], get["record_id"]
    i_doc, i_auth, i_dec, i_pub, i_end = (
        get["document_number"],
        get["authority"],
        get["decided_on"],
        get["publicity_until"],
        get["ends_on"],
    )
    i_status, i_sev, i_grade, i_sum = get["status"], get["severity"], get["grade"], get["summary"]
    width = max(positions.values()) + 1

    def fail(row_no: int, column: str, code: str, message: str) -> None:
        result.error_count += 1
        if len(errors) < max_errors:
            errors.append(RowError(row_no, labels.get(column, ""), code, message))

    def cell(values, index):
        return _text(values[index]) if index is not None else ""

    batch: list[tuple] = []
    bar = _progress(reader.size if reader.suffix not in {".xlsx", ".xlsm"} else 0, "B", progress)
    last_position = 0
    with connection.cursor() as cursor:
        _stage_create(cursor)
        try:
            row_no = 1
            for values in rows:
                row_no += 1
                if values is None or not any(v not in (None, "") for v in values):
                    continue  # blank line
                if len(values) < width:
                    values = list(values) + [None] * (width - len(values))
                bad = False

                raw_code = cell(values, i_code)
                kind_hint = ""
                if i_kind is not None:
                    kind_hint = _KIND_WORDS.get(cell(values, i_kind), "?")
                    if kind_hint == "?":
                        fail(row_no, "kind", "invalid_kind", _("主体类型应为 enterprise（企业）或 person（个人）。"))
                        bad = True
                code_hash = None
                if not raw_code:
                    fail(row_no, "code", "code_required", _("缺少主体代码。"))
                    bad = True
                elif not bad:
                    code_hash, error = codes.lookup(normalise(raw_code), kind_hint)
                    if error is not None:
                        fail(row_no, "code", error.code, str(error.message))
                        bad = True

                record_id = cell(values, i_id)
                if not record_id:
                    fail(row_no, "record_id", "record_id_required", _("缺少记录编号。"))
                    bad = True
                elif record_id in seen_ids:
                    fail(
                        row_no,
                        "record_id",
                        "duplicate_record_id",
                        _("记录编号 %(id)s 在文件中重复出现。") % {"id": record_id},
                    )
                    bad = True
                else:
                    seen_ids.add(record_id)

                if fixed_category is not None:
                    row_category = fixed_category
                else:
                    row_category = _CATEGORY_WORDS.get(cell(values, i_cat))
                    if row_category is None:
                        fail(
                            row_no,
                            "category",
                            "invalid_category",
                            _("类别不正确：%(v)s。") % {"v": cell(values, i_cat)},
                        )
                        bad = True

                dates = []
                for column, index in (("decided_on", i_dec), ("publicity_until", i_pub), ("ends_on", i_end)):
                    try:
                        dates.append(_date(values[index]) if index is not None else None)
                    except (ValueError, TypeError):
                        fail(
                            row_no,
                            column,
                            "invalid_date",
                            _("日期无效：%(v)s（应为 YYYY-MM-DD）。") % {"v": cell(values, index)},
                        )
                        dates.append(None)
                        bad = True
                decided_on, publicity_until, ends_on = dates
                if decided_on is None and not bad:
                    fail(row_no, "decided_on", "decided_on_required", _("缺少决定日期。"))
                    bad = True
                if decided_on is not None:
                    for column, later in (("publicity_until", publicity_until), ("ends_on", ends_on)):
                        if later is not None and later < decided_on:
                            fail(row_no, column, "date_before_decision", _("该日期早于决定日期。"))
                            bad = True

                status = _STATUS_WORDS.get(cell(values, i_status).lower())
                if status is None:
                    fail(row_no, "status", "invalid_status", _("状态应为 active（有效）或 ended（已移出）。"))
                    bad = True
                severity = ""
                grade = ""
                if row_category == Category.ADMINISTRATIVE_PENALTY:
                    severity = _SEVERITY_WORDS.get(cell(values, i_sev).lower(), "")
                    if not severity:
                        fail(
                            row_no,
                            "severity",
                            "invalid_severity",
                            _("行政处罚须注明严重程度：general（一般）或 serious（严重）。"),
                        )
                        bad = True
                elif row_category == Category.TAX_CREDIT_GRADE:
                    grade = cell(values, i_grade).upper()
                    if grade not in _GRADES:
                        fail(row_no, "grade", "invalid_grade", _("纳税信用等级应为 A、B、M、C 或 D。"))
                        bad = True

                name, document_number, authority, summary = (
                    cell(values, i_name),
                    cell(values, i_doc),
                    cell(values, i_auth),
                    cell(values, i_sum),
                )
                for column, text in (
                    ("name", name),
                    ("record_id", record_id),
                    ("document_number", document_number),
                    ("authority", authority),
                    ("summary", summary),
                ):
                    if len(text) > LIMITS[column]:
                        fail(
                            row_no, column, "value_too_long", _("内容过长：最多 %(n)d 个字符。") % {"n": LIMITS[column]}
                        )
                        bad = True

                if bad or result.error_count:
                    continue  # keep validating to report every fault, but stage nothing more
                batch.append(
                    (
                        row_no,
                        code_hash,
                        name,
                        row_category,
                        record_id,
                        document_number,
                        authority,
                        decided_on.isoformat(),
                        publicity_until.isoformat() if publicity_until else None,
                        ends_on.isoformat() if ends_on else None,
                        status,
                        severity,
                        grade,
                        summary,
                    )
                )
                result.rows += 1
                if len(batch) >= batch_size:
                    _stage_write(cursor, batch)
                    batch = []
                    position = reader.position
                    bar.update(position - last_position)
                    last_position = position
            if result.error_count:
                return result
            _stage_write(cursor, batch)
            bar.update(max(reader.position, reader.size) - last_position)
            result.stage_seconds = time.perf_counter() - started
            if result.rows == 0:
                raise ImportRefused("no_rows", _("文件中没有数据行。"), "file")
            _merge(
                cursor,
                result,
                source=source,
                category=fixed_category or "",
                path=path,
                reader=reader,
                actor_label=actor_label,
                batch_size=batch_size,
                last_row=row_no,
            )
        finally:
            bar.close()
            _stage_drop(cursor)
    result.seconds = time.perf_counter() - started
    return result


def _merge(cursor, result: ImportResult, *, source, category, path, reader, actor_label, batch_size, last_row):
    merge_started = time.perf_counter()
    now = clock.now()
    with transaction.atomic():
        record = CreditImport.objects.create(
            source=source,
            category=category,
            file_name=path.name[:300],
            file_sm3=reader.sm3(),
            rows=result.rows,
            started_at=now,
            actor_label=actor_label,
        )
    result.import_id = record.pk
    sql = _merge_sql()
    imported_at = connection.ops.adapt_datetimefield_value(now)
    # Batches by row number: the staging table holds row numbers 2..last_row (header is row 1).
    step = max(batch_size, 1)
    for low in range(1, last_row + 1, step):
        with transaction.atomic():
            cursor.execute(sql, [source, record.pk, imported_at, low, low + step])
    with transaction.atomic():
        finished = clock.now()
        CreditImport.objects.filter(pk=record.pk).update(status=CreditImport.Status.DONE, finished_at=finished)
        audit_record(
            actor=None,
            actor_label=actor_label,
            action="credit.records.import",
            obj=record,
            after={
                "source": source,
                "category": category,
                "file_name": record.file_name,
                "file_sm3": record.file_sm3,
                "rows": result.rows,
            },
        )
    result.merge_seconds = time.perf_counter() - merge_started
