"""The rows of a credit list: its columns, what each cell must hold, and the loop that checks them."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from xinyipi.core import clock
from xinyipi.core.crypto import blind_indexer
from xinyipi.core.errors import DomainError
from xinyipi.core.text import join_list
from xinyipi.credit.categories import Category
from xinyipi.credit.models import CreditRecord
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

CATEGORY_WORDS = {**{c.value: c.value for c in Category}, **{str(c.label): c.value for c in Category}}
_STATUS_WORDS = {
    "": "active", "active": "active", "有效": "active", "在列": "active", "公示中": "active",
    "ended": "ended", "removed": "ended", "repaired": "ended", "已移出": "ended", "移出": "ended",
    "已修复": "ended", "失效": "ended", "已失效": "ended", "已撤销": "ended",
}  # fmt: skip
_SEVERITY_WORDS = {"general": "general", "一般": "general", "serious": "serious", "严重": "serious"}
_KIND_WORDS = {"enterprise": "enterprise", "企业": "enterprise", "person": "person", "个人": "person",
               "自然人": "person"}  # fmt: skip
_GRADES = frozenset("ABMCD")


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
class Tally:
    """What one pass of ``validate_rows`` found: rows staged, the number of the last row read, the faults."""

    rows: int = 0
    last_row: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)


class ImportRefused(DomainError):
    """The file as a whole cannot be read (format, header), or the database failed before the merge: nothing
    was imported."""


class ImportInterrupted(DomainError):
    """The database failed during the merge: the batches already merged stay, the import is not done, and
    running the same import again completes it (records are keyed by record id)."""


def excel_column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def header_map(header: list) -> tuple[dict[str, int], dict[str, str]]:
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
                _("第 1 行，%(col)s 列：无法识别的列名“%(name)s”。") % {"col": excel_column(index), "name": text},
                "file",
            )
        if canonical in positions:
            raise ImportRefused("duplicate_column", _("第 1 行：列“%(name)s”重复出现。") % {"name": text}, "file")
        positions[canonical] = index
        labels[canonical] = f"{excel_column(index)}（{text}）"
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        raise ImportRefused(
            "missing_column",
            _("第 1 行：缺少必需的列：%(cols)s。") % {"cols": join_list(COLUMNS[c][1] for c in missing)},
            "file",
        )
    return positions, labels


def excel_text(value) -> str:
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
    if len(parts) == 3 and all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
    raise ValueError(text)


# Per position, each allowed character's weighted value: a code's weighted sum is then one C-level
# ``sum(map(...))``, and a character outside the set is a ``KeyError``.
_USCC_WEIGHTED = tuple({c: i * pow(3, k, 31) for i, c in enumerate(USCC_ALPHABET)} for k in range(17))
_RIC_WEIGHTED = tuple({str(d): d * pow(2, 17 - k, 11) for d in range(10)} for k in range(17))
_RIC_CHECK = "10X98765432"
_getitem = dict.__getitem__


def uscc_accepted(code: str) -> bool:
    """Exactly what ``validate_uscc`` accepts of a code already in canonical form (18 characters, the first
    17 from the 31-character set, the right check character), computed from a table: a list of millions of
    rows meets up to a million codes. Anything it does not accept goes to the validator, which says what is
    wrong; ``test_import`` checks the two agree."""
    if len(code) != 18:
        return False
    try:
        total = sum(map(_getitem, _USCC_WEIGHTED, code[:17]))
    except KeyError:
        return False
    return code[17] == USCC_ALPHABET[(31 - total % 31) % 31]


def ric_accepted(code: str, today: dt.date) -> bool:
    """Exactly what ``validate_ric`` accepts of a code already in canonical form on ``today``: 17 digits
    and the ISO 7064 MOD 11-2 check character, with a real birth date from 1880 to today."""
    if len(code) != 18:
        return False
    try:
        total = sum(map(_getitem, _RIC_WEIGHTED, code[:17]))
        birth = dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except (KeyError, ValueError):
        return False
    return code[17] == _RIC_CHECK[total % 11] and birth.year >= 1880 and birth <= today


def _canonical_code(raw: str, kind_hint: str, today: dt.date) -> str | None:
    """``raw`` if it is already canonical (what ``normalise`` leaves unchanged: ASCII letters and digits in
    upper case) and a valid code of the hinted kind, or, without a hint, of the kind ``guess_kind`` would
    read it as; else ``None``, and the validator decides and says why."""
    if len(raw) != 18 or not raw.isascii() or not raw.isalnum() or (not raw.isupper() and not raw.isdigit()):
        return None
    if kind_hint != "enterprise" and ric_accepted(raw, today):
        return raw
    if kind_hint != "person" and uscc_accepted(raw):
        return raw
    return None


def _code_lookup(raw: str, kind_hint: str, index, today: dt.date) -> tuple[str | None, int, DomainError | None]:
    """``(code_hash, code_key, None)`` for a valid code, else ``(None, 0, error)``."""
    code = _canonical_code(raw, kind_hint, today)
    if code is None:
        raw = normalise(raw)
        try:
            kind = kind_hint or guess_kind(raw)
            code = validate_subject_code(kind, raw, field="code")
        except DomainError as exc:
            return None, 0, exc
    code_hash = index(code)
    return code_hash, CreditRecord.key_of(code_hash), None


def duplicate_id_fault(record_id: str) -> tuple[str, str, str]:
    return "record_id", "duplicate_record_id", _("记录编号 %(id)s 在文件中重复出现。") % {"id": record_id}


def row_checker(
    positions: dict[str, int], width: int, fixed_category: str | None, seen_ids: set[str], codes: dict | None = None
):
    """A function ``check(values, row_no) -> (staged tuple, None) | (None, [(column, code, message)])``.

    Written for speed (it runs millions of times per import): one closure with local names, the
    columns a file lacks read from an extra empty cell at ``width``, each code validated and
    blind-indexed once per import (a subject has many records; the cache is keyed by the raw text).
    ``seen_ids`` collects the record ids read, for the duplicate check (and, in parts, across parts);
    ``codes`` is the cache of codes already looked up, which a process checking several parts keeps.
    """
    col = {name: positions.get(name, width) for name in COLUMNS}
    i_code, i_kind, i_name, i_cat, i_id = col["code"], col["kind"], col["name"], col["category"], col["record_id"]
    i_doc, i_auth, i_dec, i_pub, i_end = (
        col["document_number"], col["authority"], col["decided_on"], col["publicity_until"], col["ends_on"],
    )  # fmt: skip
    i_status, i_sev, i_grade, i_sum = col["status"], col["severity"], col["grade"], col["summary"]
    has_kind = "kind" in positions
    codes = {} if codes is None else codes
    categories, statuses, severities, kinds = CATEGORY_WORDS, _STATUS_WORDS, _SEVERITY_WORDS, _KIND_WORDS
    penalty, tax_grade = Category.ADMINISTRATIVE_PENALTY.value, Category.TAX_CREDIT_GRADE.value
    limits = LIMITS
    code_index, today = blind_indexer(), clock.today()
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
                hit = _code_lookup(raw_code, kind_hint, code_index, today)
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
            faults = (faults or []) + [duplicate_id_fault(record_id)]
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
        if until is not None or ends is not None:  # most rows have neither
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


def validate_rows(
    records: Iterable,
    check: Callable,
    *,
    positions: dict[str, int],
    width: int,
    labels: dict[str, str],
    first_row: int,
    excel: bool,
    max_errors: int,
    write: Callable[[list[tuple]], None],
    batch_size: int,
    after_batch: Callable[[], None] | None = None,
    stage_after_errors: bool = False,
) -> Tally:
    """Check every row of ``records`` (numbered from ``first_row``) and hand the valid ones to ``write`` in
    batches. Every row is checked, so that all faults are reported; after the first fault nothing more is
    staged (the import will not be merged), unless ``stage_after_errors``: a part of a file checked in
    parallel keeps its valid rows for the duplicate check across parts."""
    tally = Tally()
    errors = tally.errors
    # A row needs every cell the checker reads: the file's columns, and the empty cell at ``width`` that
    # the columns it lacks are read from (a full-width row of a file with every column needs no copy).
    cells = width + 1 if len(positions) < len(COLUMNS) else width
    padding = [""] * (width + 1)
    batch: list[tuple] = []
    row_no = first_row - 1
    for values in records:
        row_no += 1
        if excel:
            values = [excel_text(v) for v in values] if values else []
        if len(values) < cells:
            if not any(values):
                continue  # blank line
            values = values + padding[: width + 1 - len(values)]
        elif not any(values):
            continue
        staged, faults = check(values, row_no)
        if faults:
            tally.error_count += len(faults)
            for column, code, message in faults:
                if len(errors) < max_errors:
                    errors.append(RowError(row_no, labels.get(column, ""), code, message))
            continue
        if tally.error_count and not stage_after_errors:
            continue
        batch.append(staged)
        if len(batch) >= batch_size:
            write(batch)
            tally.rows += len(batch)
            batch = []
            if after_batch is not None:
                after_batch()
    if batch and (stage_after_errors or not tally.error_count):
        write(batch)
        tally.rows += len(batch)
    tally.last_row = row_no
    return tally
