"""import_credit: CSV and Excel, every row validated, errors by row and column, all or nothing, idempotent."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook

from xinyipi.audit.models import AuditEntry
from xinyipi.core.crypto import blind_index
from xinyipi.core.testing import ric_for, uscc_for
from xinyipi.credit.importing import ImportRefused, credit_records_import, uscc_accepted
from xinyipi.credit.importing.rows import ric_accepted
from xinyipi.credit.models import CreditImport, CreditRecord
from xinyipi.credit.services import credit_check_run

pytestmark = pytest.mark.django_db

ENTERPRISE = uscc_for("91150783", "MA0JMP001")
PERSON = ric_for("15078319700101001")
HEADER = ["code", "name", "category", "record_id", "document_number", "authority", "decided_on", "publicity_until",
          "ends_on", "status", "severity", "grade", "summary"]  # fmt: skip


def good_rows():
    return [
        [ENTERPRISE, "北疆物流", "abnormal_operations", "A-1", "扎市监异〔2026〕1号", "扎兰屯市市场监督管理局",
         "2026-01-05", "", "", "active", "", "", "未按期公示年报"],
        [ENTERPRISE, "北疆物流", "administrative_penalty", "A-2", "扎市监罚〔2026〕2号", "扎兰屯市市场监督管理局",
         "2026-02-01", "2027-02-01", "", "有效", "严重", "", "无证经营"],
        [PERSON, "李某", "dishonest_judgment_debtor", "A-3", "（2026）内0783执3号", "扎兰屯市人民法院",
         "2026/03/01", "", "", "", "", "", ""],
        [ENTERPRISE, "北疆物流", "纳税信用等级", "A-4", "", "国家税务总局扎兰屯市税务局", "20260420", "", "", "", "",
         "b", ""],
    ]  # fmt: skip


def write_csv(path, rows, header=HEADER):
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_csv_import_keys_records_by_blind_index(tmp_path):
    result = credit_records_import(path=write_csv(tmp_path / "list.csv", good_rows()), source="gsxt", progress=False)
    assert result.ok and result.rows == 4
    assert CreditRecord.objects.count() == 4
    penalty = CreditRecord.objects.get(record_id="A-2")
    assert penalty.code_hash == blind_index(ENTERPRISE)
    assert (penalty.severity, penalty.status, str(penalty.publicity_until)) == ("serious", "active", "2027-02-01")
    grade = CreditRecord.objects.get(record_id="A-4")
    assert (grade.category, grade.grade, str(grade.decided_on)) == ("tax_credit_grade", "B", "2026-04-20")
    assert CreditRecord.objects.get(record_id="A-3").code_hash == blind_index(PERSON)
    imported = CreditImport.objects.get(pk=result.import_id)
    assert (imported.status, imported.rows, len(imported.file_sm3)) == ("done", 4, 64)
    assert AuditEntry.objects.filter(action="credit.records.import", object_id=str(imported.pk)).exists()


def test_codes_as_typed_are_read_as_their_canonical_form(tmp_path):
    """Lower case, full-width characters and separators are folded before the check and the blind index; a
    person's number with a lower-case x is the same person."""
    person_x = next(code for n in range(100) if (code := ric_for(f"150783198001010{n:02d}")).endswith("X"))
    typed = [
        (ENTERPRISE.lower(), "T-1"),
        (" ".join([ENTERPRISE[:6], ENTERPRISE[6:]]), "T-2"),
        ("".join(chr(ord(c) + 0xFEE0) for c in ENTERPRISE), "T-3"),  # full-width
        (person_x.lower(), "T-4"),
    ]
    rows = [[code, "x", "abnormal_operations", record_id, "", "", "2026-01-01"] + [""] * 6 for code, record_id in typed]
    result = credit_records_import(path=write_csv(tmp_path / "typed.csv", rows), source="gsxt", progress=False)
    assert result.ok, [str(e) for e in result.errors]
    hashes = dict(CreditRecord.objects.values_list("record_id", "code_hash"))
    assert hashes == {"T-1": blind_index(ENTERPRISE), "T-2": blind_index(ENTERPRISE), "T-3": blind_index(ENTERPRISE),
                      "T-4": blind_index(person_x)}  # fmt: skip


def test_r2_the_local_store_answers_with_imported_records_once_the_subject_registers(tmp_path):
    from xinyipi.subjects.services import subject_register

    credit_records_import(path=write_csv(tmp_path / "list.csv", good_rows()), source="gsxt", progress=False)
    subject = subject_register(actor=None, kind="enterprise", code=ENTERPRISE, name="扎兰屯市北疆物流有限公司")
    check = credit_check_run(subject=subject, purpose="window_enquiry", actor=None)
    assert check.level == "ordinary"
    assert {f["category"] for f in check.findings} == {
        "abnormal_operations",
        "administrative_penalty",
        "tax_credit_grade",
    }


def test_excel_import_with_chinese_headers_and_fixed_category(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["统一社会信用代码", "企业名称", "记录编号", "决定文书号", "列入日期", "事由"])
    sheet.append([ENTERPRISE, "北疆物流", "X-1", "扎市监异〔2026〕9号", "2026-01-05", "未按期公示年报"])
    sheet.append([ENTERPRISE, "北疆物流", 20260002, None, dt.date(2026, 3, 1), None])
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    result = credit_records_import(path=path, source="gsxt", category="abnormal_operations", progress=False)
    assert result.ok and result.rows == 2
    assert set(CreditRecord.objects.values_list("record_id", flat=True)) == {"X-1", "20260002"}
    assert set(CreditRecord.objects.values_list("category", flat=True)) == {"abnormal_operations"}


def test_malformed_rows_are_reported_by_row_and_column_and_nothing_is_imported(tmp_path):
    rows = good_rows()
    rows.insert(1, [ENTERPRISE[:-1] + "0", "错码", "abnormal_operations", "B-1", "", "", "2026-01-01"] + [""] * 6)
    rows.append([ENTERPRISE, "x", "abnormal_operations", "B-2", "", "", "2026-02-30"] + [""] * 6)
    rows.append([ENTERPRISE, "x", "administrative_penalty", "B-3", "", "", "2026-01-01"] + [""] * 6)
    rows.append([ENTERPRISE, "x", "abnormal_operations", "A-1", "", "", "2026-01-01"] + [""] * 6)
    rows.append([ENTERPRISE, "x", "lottery_winner", "B-4", "", "", "2026-01-01"] + [""] * 6)
    rows.append([ENTERPRISE, "x", "abnormal_operations", "B-5", "", "", "2026-05-01", "2026-04-01"] + [""] * 5)
    result = credit_records_import(path=write_csv(tmp_path / "bad.csv", rows), source="gsxt", progress=False)
    assert not result.ok
    found = {(e.row, e.column.split("（")[0], e.code) for e in result.errors}
    assert found == {
        (3, "A", "invalid_check_character"),
        (7, "G", "invalid_date"),
        (8, "K", "invalid_severity"),
        (9, "D", "duplicate_record_id"),
        (10, "C", "invalid_category"),
        (11, "H", "date_before_decision"),
    }
    assert str(result.errors[0]).startswith("第 3 行，A（code） 列")
    assert not CreditRecord.objects.exists()
    assert not CreditImport.objects.exists()


@pytest.mark.parametrize("text", ["99999999999/1/1", "2026-1-99999999999999999999", "２０２６-1-1", "2026.13.1"])
def test_a_date_out_of_any_range_is_a_fault_at_its_row(tmp_path, text):
    rows = [[ENTERPRISE, "x", "abnormal_operations", "C-1", "", "", "2026-01-01", text] + [""] * 5]
    result = credit_records_import(path=write_csv(tmp_path / "bad.csv", rows), source="gsxt", progress=False)
    assert [(e.row, e.column.split("（")[0], e.code) for e in result.errors] == [(2, "H", "invalid_date")]
    assert not CreditRecord.objects.exists()


def test_reimport_updates_by_record_id_and_never_duplicates(tmp_path):
    path = write_csv(tmp_path / "list.csv", good_rows())
    first = credit_records_import(path=path, source="gsxt", progress=False)
    again = credit_records_import(path=path, source="gsxt", progress=False)
    assert first.ok and again.ok
    assert CreditRecord.objects.count() == 4
    rows = good_rows()
    rows[0][9] = "ended"  # the abnormal-operations listing was lifted
    credit_records_import(path=write_csv(tmp_path / "list2.csv", rows), source="gsxt", progress=False)
    assert CreditRecord.objects.count() == 4
    lifted = CreditRecord.objects.get(record_id="A-1")
    assert lifted.status == "ended"
    assert lifted.imported_id == CreditImport.objects.order_by("-id").first().pk
    # The same record id from another source is another record.
    credit_records_import(path=path, source="creditchina", progress=False)
    assert CreditRecord.objects.count() == 8


@pytest.mark.parametrize(
    ("content", "kwargs", "code"),
    [
        ("code,record_id\n", {}, "missing_column"),
        ("code,record_id,decided_on,colour\n", {}, "unknown_column"),
        ("", {}, "empty_file"),
        ("code,record_id,decided_on\n", {"category": "abnormal_operations"}, "no_rows"),
        ("code,record_id,decided_on\nX,1,2026-01-01\n", {}, "category_required"),
        ("code,record_id,decided_on\n", {"category": "gossip"}, "invalid_category"),
    ],
)
def test_unreadable_files_are_refused_whole(tmp_path, content, kwargs, code):
    path = tmp_path / "list.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportRefused) as caught:
        credit_records_import(path=path, source="gsxt", progress=False, **kwargs)
    assert caught.value.code == code
    assert not CreditRecord.objects.exists()


def test_other_formats_are_refused(tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(ImportRefused) as caught:
        credit_records_import(path=path, source="gsxt", progress=False)
    assert caught.value.code == "unsupported_format"


def test_command_reports_errors_and_exits_non_zero(tmp_path):
    rows = [[ENTERPRISE, "x", "abnormal_operations", "B-1", "", "", "not-a-date"] + [""] * 6]
    path = write_csv(tmp_path / "bad.csv", rows)
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何记录"):
        call_command("import_credit", str(path), "--source", "gsxt", stderr=err, stdout=io.StringIO())
    assert "第 2 行，G（decided_on） 列" in err.getvalue()
    assert not CreditRecord.objects.exists()


def test_command_imports_and_shows_no_progress_bar_without_a_tty(tmp_path):
    path = write_csv(tmp_path / "list.csv", good_rows())
    out, err = io.StringIO(), io.StringIO()
    call_command("import_credit", str(path), "--source", "gsxt", "--batch-size", "2", stdout=out, stderr=err)
    assert "已导入 4 行" in out.getvalue()
    assert err.getvalue() == ""
    assert CreditRecord.objects.count() == 4


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=16, max_size=19))
@hypothesis_settings(max_examples=400, deadline=None)
def test_fast_uscc_acceptance_agrees_with_the_validator(text):
    from xinyipi.core.errors import DomainError
    from xinyipi.subjects.validators import USCC_ALPHABET, validate_uscc

    candidates = [text]
    if len(text) >= 17 and all(c in USCC_ALPHABET for c in text[:17]):
        candidates.append(uscc_for(text[:8], text[8:17]))  # a valid one
    for code in candidates:
        try:
            validate_uscc(code)
            accepted = True
        except DomainError:
            accepted = False
        assert uscc_accepted(code) == accepted, code


@given(st.text(alphabet="0123456789X", min_size=17, max_size=19), st.dates(min_value=dt.date(1870, 1, 1)))
@hypothesis_settings(max_examples=400, deadline=None)
def test_fast_ric_acceptance_agrees_with_the_validator(text, birth):
    from xinyipi.core import clock
    from xinyipi.core.errors import DomainError
    from xinyipi.subjects.validators import validate_ric

    candidates = [text]
    if len(text) >= 17 and text[:17].isdigit():
        candidates.append(ric_for(text[:6] + birth.strftime("%Y%m%d") + text[14:17]))  # right check character
    for code in candidates:
        try:
            validate_ric(code)
            accepted = True
        except DomainError:
            accepted = False
        assert ric_accepted(code, clock.today()) == accepted, code


@pytest.fixture
def store_refuses_rows():
    """A trigger that refuses every row reaching the store, as a full disk would during the merge; call the
    fixture's value to lift it."""
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute(
                "CREATE TRIGGER refuse_store BEFORE INSERT ON credit_creditrecord "
                "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_store() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file: No space left on device'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_store BEFORE INSERT ON credit_creditrecord "
                "FOR EACH ROW EXECUTE FUNCTION refuse_store()"
            )

    def lift():
        with connection.cursor() as cursor:
            if sqlite:
                cursor.execute("DROP TRIGGER refuse_store")
            else:
                cursor.execute("DROP TRIGGER refuse_store ON credit_creditrecord")
                cursor.execute("DROP FUNCTION refuse_store()")

    return lift


def test_a_database_failure_during_the_merge_is_reported_plainly_and_a_rerun_completes_it(
    tmp_path, store_refuses_rows, caplog
):
    path = write_csv(tmp_path / "list.csv", good_rows())
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_credit", str(path), "--source", "gsxt", stderr=err, stdout=io.StringIO())
    message = str(failed.value)
    assert "合并中断" in message and "(merge_interrupted)" in message.replace("（", "(").replace("）", ")")
    assert "重新运行同一导入即可补全" in message
    assert "Traceback" not in message + err.getvalue()
    assert "Traceback" in caplog.text  # the details go to the log
    interrupted = CreditImport.objects.get()
    assert interrupted.status == CreditImport.Status.MERGING and f"#{interrupted.pk}" in message
    assert not CreditRecord.objects.exists()

    store_refuses_rows()
    result = credit_records_import(path=path, source="gsxt", progress=False)
    assert result.ok and CreditRecord.objects.count() == 4
    assert CreditImport.objects.get(pk=result.import_id).status == CreditImport.Status.DONE


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the scratch space is capped with an SQLite pragma")
@pytest.mark.django_db(transaction=True)  # as the command runs: outside any transaction
def test_a_database_failure_before_the_merge_changes_nothing(tmp_path):
    penalty = good_rows()[1]
    path = write_csv(tmp_path / "list.csv", [[*penalty[:3], f"P-{n}", *penalty[4:]] for n in range(2000)])
    with connection.cursor() as cursor:  # cap the connection's scratch space, where rows are staged
        cursor.execute("CREATE TEMP TABLE scratch_opened (x)")
        cursor.execute("PRAGMA temp.max_page_count = 4")
    try:
        with pytest.raises(ImportRefused) as refused:
            credit_records_import(path=path, source="gsxt", progress=False, batch_size=100)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE temp.scratch_opened")
            cursor.execute("PRAGMA temp.max_page_count = 1073741823")
    assert refused.value.code == "database_error"
    assert "database or disk is full" in refused.value.message
    assert not CreditRecord.objects.exists() and not CreditImport.objects.exists()
