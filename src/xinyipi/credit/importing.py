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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from xinyipi.audit.services import audit_record
from xinyipi.core import clock
from xinyipi.core.crypto import blind_index
from xinyipi.core.errors import DomainError
from xinyipi.core.text import join_list
from xinyipi.credit.categories import STORE_CATEGORIES, Category
from xinyipi.credit.models import CreditImport, CreditRecord
from xinyipi.subjects.validators import USCC_ALPHABET, guess_kind, normalise, validate_subject_code

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
    "row_no", "code_hash", "code_key", "subject_name", "category", "record_id", "document_number", "authority",
    "decided_on", "publicity_until", "ends_on", "status", "severity", "grade", "summary",
)  # fmt: skip
STAGE_TABLE = "credit_import_stage"
SQLITE_IMPORT_CACHE_KIB = 256 * 1024


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
            _("第 1 行：缺少必需的列：%(cols)s。") % {"cols": join_list(COLUMNS[c][1] for c in missing)},
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
        """An iterator of rows (lists). CSV rows come straight from ``csv.reader``: no generator layer."""
        if self.suffix in {".xlsx", ".xlsm"}:
            return self._excel_rows()
        return self._csv_rows()

    def _csv_rows(self):
        raw = self.path.open("rb")
        self._hashing = _HashingReader(raw)
        self._text = io.TextIOWrapper(io.BufferedReader(self._hashing, 1 << 20), encoding="utf-8-sig", newline="")
        return csv.reader(self._text)

    def close(self) -> None:
        if getattr(self, "_text", None) is not None:
            self._text.close()

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


def _excel_text(value) -> str:
    """An Excel cell as the text a CSV would hold (dates as ISO dates, whole numbers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_fromisoformat = dt.date.fromisoformat


def _iso_date(text: str) -> str:
    """``YYYY-MM-DD`` from ``YYYY-MM-DD``, ``YYYY/M/D``, ``YYYY.M.D`` or ``YYYYMMDD``; ``ValueError`` if not a
    real date. ISO dates compare correctly as strings, so no date object leaves this function."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        _fromisoformat(text)
        return text
    if len(text) == 8 and text.isdigit():
        return _fromisoformat(text).isoformat()
    parts = text.replace("/", "-").replace(".", "-").split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
    raise ValueError(text)


_USCC_VALUES = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def uscc_accepted(code: str) -> bool:
    """Exactly what ``validate_uscc`` accepts (18 characters, the first 17 from the 31-character set, the
    right check character), computed from a table: a list of millions of rows meets up to a million codes,
    and this is a third of the validator's time. Anything it does not accept goes to the validator, which
    says what is wrong; ``test_import`` checks the two agree."""
    if len(code) != 18:
        return False
    values = _USCC_VALUES
    try:
        total = sum(values[c] * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    except KeyError:
        return False
    return code[17] == USCC_ALPHABET[(31 - total % 31) % 31]


def _code_lookup(raw: str, kind_hint: str) -> tuple[str | None, int, DomainError | None]:
    """``(code_hash, code_key, None)`` for a valid code (``raw`` already normalised), else ``(None, 0, error)``."""
    if kind_hint == "enterprise" and uscc_accepted(raw):
        code = raw
    else:
        try:
            kind = kind_hint or guess_kind(raw)
            code = validate_subject_code(kind, raw, field="code")
        except DomainError as exc:
            return None, 0, exc
    code_hash = blind_index(code)
    return code_hash, CreditRecord.key_of(code_hash), None


def _row_checker(positions: dict[str, int], width: int, fixed_category: str | None):
    """A function ``check(values, row_no) -> (staged tuple, None) | (None, [(column, code, message)])``.

    Written for speed (it runs millions of times per import): one closure with local names, the
    columns a file lacks read from an extra empty cell at ``width``, each code validated and
    blind-indexed once per import (a subject has many records; the cache is keyed by the raw text).
    """
    col = {name: positions.get(name, width) for name in COLUMNS}
    i_code, i_kind, i_name, i_cat, i_id = col["code"], col["kind"], col["name"], col["category"], col["record_id"]
    i_doc, i_auth, i_dec, i_pub, i_end = (
        col["document_number"], col["authority"], col["decided_on"], col["publicity_until"], col["ends_on"],
    )  # fmt: skip
    i_status, i_sev, i_grade, i_sum = col["status"], col["severity"], col["grade"], col["summary"]
    has_kind = "kind" in positions
    codes: dict[str, tuple[str | None, int, DomainError | None]] = {}
    seen_ids: set[str] = set()
    categories, statuses, severities, kinds = _CATEGORY_WORDS, _STATUS_WORDS, _SEVERITY_WORDS, _KIND_WORDS
    penalty, tax_grade = Category.ADMINISTRATIVE_PENALTY.value, Category.TAX_CREDIT_GRADE.value
    limits = LIMITS
    fromisoformat = _fromisoformat

    def check(v, row_no: int):
        faults = None
        raw_code = v[i_code].strip()
        key = raw_code
        kind_hint = ""
        if has_kind:
            kind_text = v[i_kind].strip()
            kind_hint = kinds.get(kind_text) or kinds.get(kind_text.lower(), "?")
            key = f"{raw_code}|{kind_hint}"
        hit = codes.get(key)
        if hit is None:
            if not raw_code:
                hit = (None, 0, DomainError("code_required", _("缺少主体代码。"), "code"))
            elif kind_hint == "?":
                message = _("主体类型应为 enterprise（企业）或 person（个人）。")
                hit = (None, 0, DomainError("invalid_kind", message, "kind"))
            else:
                hit = _code_lookup(normalise(raw_code), kind_hint)
            if len(codes) >= 2_000_000:
                codes.clear()
            codes[key] = hit
        code_hash, code_key, error = hit
        if error is not None:
            faults = [(error.field or "code", error.code, str(error.message))]

        record_id = v[i_id].strip()
        if not record_id:
            faults = (faults or []) + [("record_id", "record_id_required", _("缺少记录编号。"))]
        elif record_id in seen_ids:
            message = _("记录编号 %(id)s 在文件中重复出现。") % {"id": record_id}
            faults = (faults or []) + [("record_id", "duplicate_record_id", message)]
        else:
            seen_ids.add(record_id)

        if fixed_category is not None:
            category = fixed_category
        else:
            text = v[i_cat].strip()
            category = categories.get(text)
            if category is None:
                faults = (faults or []) + [("category", "invalid_category", _("类别不正确：%(v)s。") % {"v": text})]

        decided = v[i_dec].strip()
        until = v[i_pub].strip() or None
        ends = v[i_end].strip() or None
        try:
            if len(decided) == 10 and decided[4] == "-" and decided[7] == "-":
                fromisoformat(decided)  # the usual case, without a function call
            else:
                decided = _iso_date(decided) if decided else None
        except ValueError:
            decided = None
            message = _("日期无效：%(v)s（应为 YYYY-MM-DD）。") % {"v": v[i_dec]}
            faults = (faults or []) + [("decided_on", "invalid_date", message)]
        else:
            if decided is None:
                faults = (faults or []) + [("decided_on", "decided_on_required", _("缺少决定日期。"))]
        for column, text, index in (("publicity_until", until, i_pub), ("ends_on", ends, i_end)):
            if text is None:
                continue
            try:
                iso = _iso_date(text)
            except ValueError:
                message = _("日期无效：%(v)s（应为 YYYY-MM-DD）。") % {"v": v[index]}
                faults = (faults or []) + [(column, "invalid_date", message)]
                continue
            if decided is not None and iso < decided:
                faults = (faults or []) + [(column, "date_before_decision", _("该日期早于决定日期。"))]
            if column == "publicity_until":
                until = iso
            else:
                ends = iso

        text = v[i_status].strip()
        status = statuses.get(text) or statuses.get(text.lower())
        if status is None:
            faults = (faults or []) + [("status", "invalid_status", _("状态应为 active（有效）或 ended（已移出）。"))]
        severity = grade = ""
        if category == penalty:
            text = v[i_sev].strip()
            severity = severities.get(text) or severities.get(text.lower(), "")
            if not severity:
                message = _("行政处罚须注明严重程度：general（一般）或 serious（严重）。")
                faults = (faults or []) + [("severity", "invalid_severity", message)]
        elif category == tax_grade:
            grade = v[i_grade].strip().upper()
            if grade not in _GRADES:
                faults = (faults or []) + [("grade", "invalid_grade", _("纳税信用等级应为 A、B、M、C 或 D。"))]

        name, document, authority, summary = v[i_name].strip(), v[i_doc].strip(), v[i_auth].strip(), v[i_sum].strip()
        if (
            len(name) > limits["name"] or len(record_id) > limits["record_id"]
            or len(document) > limits["document_number"] or len(authority) > limits["authority"]
            or len(summary) > limits["summary"]
        ):  # fmt: skip
            for column, text in (("name", name), ("record_id", record_id), ("document_number", document),
                                 ("authority", authority), ("summary", summary)):  # fmt: skip
                if len(text) > limits[column]:
                    message = _("内容过长：最多 %(n)d 个字符。") % {"n": limits[column]}
                    faults = (faults or []) + [(column, "value_too_long", message)]
        if faults:
            return None, faults
        return (row_no, code_hash, code_key, name, category, record_id, document, authority, decided,
                until, ends, status, severity, grade, summary), None  # fmt: skip

    return check


# -- staging and merging --------------------------------------------------------------------------------


def _stage_create(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
    types = {"row_no": "integer", "code_key": "bigint"}
    if connection.vendor == "postgresql":
        # Typed columns: COPY parses the dates once, and the merge needs no casts.
        types.update(decided_on="date", publicity_until="date", ends_on="date")
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
    "code_hash", "code_key", "subject_name", "category", "record_id", "document_number", "authority", "decided_on",
    "publicity_until", "ends_on", "status", "severity", "grade", "summary",
)  # fmt: skip


def _merge_sql() -> str:
    table = CreditRecord._meta.db_table
    selected = ", ".join(_MERGED)
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
    merge_batch_size: int = 250_000,
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
                _("类别应为：%(values)s。") % {"values": join_list(STORE_CATEGORIES)},
                "category",
            )
    if not path.is_file():
        raise ImportRefused("file_not_found", _("找不到文件：%(path)s") % {"path": path}, "file")

    reader = _Source(path)
    try:
        return _import_rows(
            reader,
            source=source,
            fixed_category=fixed_category,
            actor_label=actor_label,
            batch_size=batch_size,
            merge_batch_size=merge_batch_size,
            max_errors=max_errors,
            progress=progress,
            started=started,
            path=path,
        )
    except UnicodeDecodeError as exc:
        raise ImportRefused("not_utf8", _("CSV 文件应为 UTF-8 编码。"), "file") from exc
    except csv.Error as exc:
        raise ImportRefused("malformed_csv", _("CSV 格式错误：%(e)s") % {"e": exc}, "file") from exc
    finally:
        reader.close()


def _import_rows(
    reader, *, source, fixed_category, actor_label, batch_size, merge_batch_size, max_errors, progress, started, path
) -> ImportResult:
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
    width = max(positions.values()) + 1
    check = _row_checker(positions, width, fixed_category)
    excel = reader.suffix in {".xlsx", ".xlsm"}
    padding = [""] * (width + 1)

    batch: list[tuple] = []
    bar = _progress(0 if excel else reader.size, "B", progress)
    last_position = 0
    with connection.cursor() as cursor, _import_pragmas(cursor):
        _stage_create(cursor)
        try:
            row_no = 1
            for values in rows:
                row_no += 1
                if excel:
                    values = [_excel_text(v) for v in values] if values else []
                if len(values) <= width:
                    if not any(values):
                        continue  # blank line
                    values = values + padding[: width + 1 - len(values)]
                elif not any(values):
                    continue
                staged, faults = check(values, row_no)
                if faults:
                    result.error_count += len(faults)
                    for column, code, message in faults:
                        if len(errors) < max_errors:
                            errors.append(RowError(row_no, labels.get(column, ""), code, message))
                    continue
                if result.error_count:
                    continue  # keep validating to report every fault, but stage nothing more
                batch.append(staged)
                if len(batch) >= batch_size:
                    _stage_write(cursor, batch)
                    result.rows += len(batch)
                    batch = []
                    position = reader.position
                    bar.update(position - last_position)
                    last_position = position
            if result.error_count:
                return result
            _stage_write(cursor, batch)
            result.rows += len(batch)
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
                batch_size=max(batch_size, merge_batch_size),
                last_row=row_no,
            )
        finally:
            bar.close()
            _stage_drop(cursor)
    result.seconds = time.perf_counter() - started
    return result


@contextmanager
def _import_pragmas(cursor):
    """On SQLite, a page cache large enough for the indexes being extended (the default 2 MB makes every
    insert into a multi-million-row index re-read its pages); restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    cursor.execute("PRAGMA cache_size")
    before = cursor.fetchone()[0]
    cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(before)}")


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
