"""A large CSV list checked in parts side by side: the same records, the same faults at the same rows, and
the same all-or-nothing outcome as reading it in one stream."""

import csv
import io
import itertools
import sqlite3
from bisect import bisect_left

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from xinyipi.core.testing import uscc_for
from xinyipi.credit.importing import ImportRefused, credit_records_import
from xinyipi.credit.importing.files import _quote_counted_parts, _quote_free_parts, csv_parts, record_id_splits
from xinyipi.credit.models import CreditImport, CreditRecord
from xinyipi.credit.tests.test_import import write_csv as write_list

# The parts write to files that the merge attaches, which SQLite refuses inside a transaction.
pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ["code", "name", "category", "record_id", "document_number", "authority", "decided_on", "summary"]
PROCESSES = 2 if connection.vendor == "sqlite" else 1  # on PostgreSQL a file is read in one stream


def list_rows(count: int) -> list[list[str]]:
    codes = [uscc_for("91150783", f"MA0JM{n:04d}") for n in range(50)]
    return [
        [codes[n % 50], f"企业{n}", "abnormal_operations", f"R-{n}", f"文书〔2026〕{n}号", "扎兰屯市市场监督管理局",
         "2026-01-05", f"事由，第 {n} 条"]
        for n in range(count)
    ]  # fmt: skip


def write_csv(path, rows):
    return write_list(path, rows, header=HEADER)


def stored():
    return sorted(
        CreditRecord.objects.values_list("record_id", "code_hash", "subject_name", "document_number", "summary")
    )


def import_both_ways(path):
    """The file imported in parts, then (after clearing the store) in one stream: both outcomes and stores."""
    in_parts = credit_records_import(path=path, source="gsxt", progress=False, workers=2)
    parts_store = stored()
    CreditRecord.objects.all().delete()
    one_stream = credit_records_import(path=path, source="gsxt", progress=False, workers=1)
    return in_parts, parts_store, one_stream, stored()


def faults(result):
    return [(e.row, e.column, e.code, e.message) for e in result.errors]


def test_a_list_checked_in_parts_is_stored_as_when_read_in_one_stream(tmp_path):
    path = write_csv(tmp_path / "list.csv", list_rows(3000))
    in_parts, parts_store, one_stream, one_store = import_both_ways(path)
    assert (in_parts.ok, in_parts.rows, in_parts.processes) == (True, 3000, PROCESSES)
    assert (one_stream.ok, one_stream.rows, one_stream.processes) == (True, 3000, 1)
    assert parts_store == one_store and len(one_store) == 3000
    digests = set(CreditImport.objects.values_list("file_sm3", flat=True))
    assert len(digests) == 1 and len(digests.pop()) == 64


def test_faults_in_every_part_are_reported_at_their_rows_in_the_file(tmp_path):
    rows = list_rows(3000)
    rows[10][6] = "2026-02-30"  # row 12, in the first part
    rows[2500][0] = "91150783MA0JM0000X"  # row 2502, in the second part
    rows[2990][2] = "lottery_winner"
    path = write_csv(tmp_path / "list.csv", rows)
    in_parts = credit_records_import(path=path, source="gsxt", progress=False, workers=2)
    one_stream = credit_records_import(path=path, source="gsxt", progress=False, workers=1)
    assert in_parts.processes == PROCESSES
    assert faults(in_parts) == faults(one_stream)
    assert [(e.row, e.code) for e in in_parts.errors] == [
        (12, "invalid_date"),
        (2502, "invalid_check_character"),
        (2992, "invalid_category"),
    ]
    assert in_parts.error_count == 3
    assert not CreditRecord.objects.exists()
    assert not CreditImport.objects.exists()


@pytest.mark.parametrize("bucket_rows", [250_000, 300])  # one bucket of record ids, or about ten
def test_a_record_id_repeated_in_another_part_is_a_fault_at_its_second_row(tmp_path, bucket_rows):
    rows = list_rows(3000)
    rows[2800][3] = "R-7"  # first read at row 9, in the first part
    rows[2900][3] = "R-2801"  # first read at row 2803 of the same (second) part
    path = write_csv(tmp_path / "list.csv", rows)
    in_parts = credit_records_import(path=path, source="gsxt", progress=False, workers=2, merge_batch_size=bucket_rows)
    one_stream = credit_records_import(path=path, source="gsxt", progress=False, workers=1)
    assert faults(in_parts) == faults(one_stream)
    assert [(e.row, e.code) for e in in_parts.errors] == [(2802, "duplicate_record_id"), (2902, "duplicate_record_id")]
    assert "R-7" in in_parts.errors[0].message
    assert not CreditRecord.objects.exists()


def test_quoted_line_breaks_and_commas_do_not_split_a_record(tmp_path):
    rows = list_rows(3000)
    for row in rows:
        row[7] = f'第一行，\n第二行, "引号"\r\n{row[3]}'  # every summary spans three lines
    path = write_csv(tmp_path / "list.csv", rows)
    in_parts, parts_store, _one, one_store = import_both_ways(path)
    assert (in_parts.ok, in_parts.processes) == (True, PROCESSES)
    assert parts_store == one_store
    assert all(summary.endswith(record_id) for record_id, *_rest, summary in one_store)


def test_a_split_misled_by_a_stray_quote_is_noticed_and_the_file_read_in_one_stream(tmp_path):
    """``ab"c`` is not RFC 4180: the quote counted at the split does not open a field. The first part then
    ends inside a record; the import sees it and reads the file in one stream."""
    rows = list_rows(3000)
    rows[5][1] = "x<stray>y"
    for row in rows[1400:]:
        row[7] = "上行\n下行"
    path = write_csv(tmp_path / "list.csv", rows)
    path.write_bytes(path.read_bytes().replace(b"<stray>", b'"'))
    in_parts, parts_store, _one, one_store = import_both_ways(path)
    assert (in_parts.ok, in_parts.rows, in_parts.processes) == (True, 3000, 1)
    assert parts_store == one_store


def test_a_part_that_is_not_utf8_refuses_the_whole_file(tmp_path):
    path = write_csv(tmp_path / "list.csv", list_rows(3000))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 200] + "企业".encode("gbk") + data[len(data) - 200 :])
    with pytest.raises(ImportRefused) as caught:
        credit_records_import(path=path, source="gsxt", progress=False, workers=2)
    assert caught.value.code == "not_utf8"
    assert not CreditRecord.objects.exists()


def test_workers_must_be_positive(tmp_path):
    path = write_csv(tmp_path / "list.csv", list_rows(10))
    with pytest.raises(ImportRefused) as caught:
        credit_records_import(path=path, source="gsxt", progress=False, workers=0)
    assert (caught.value.code, caught.value.field) == ("invalid_workers", "workers")


@pytest.mark.parametrize(
    "option, code, field",
    [
        ({"batch_size": 0}, "invalid_batch_size", "batch_size"),
        ({"merge_batch_size": -1}, "invalid_batch_size", "batch_size"),
        ({"max_errors": -1}, "invalid_max_errors", "max_errors"),
    ],
)
def test_batch_sizes_and_error_counts_are_checked_before_anything_is_read(tmp_path, option, code, field):
    path = write_csv(tmp_path / "list.csv", list_rows(10))
    with pytest.raises(ImportRefused) as caught:
        credit_records_import(path=path, source="gsxt", progress=False, **option)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert not CreditRecord.objects.exists()


@given(
    st.lists(st.lists(st.text(alphabet='ab,"\n\r 信', max_size=6), min_size=1, max_size=4), min_size=1, max_size=40),
    st.integers(min_value=2, max_value=6),
)
@hypothesis_settings(max_examples=200, deadline=None)
def test_parts_of_a_well_formed_csv_file_begin_where_records_begin(tmp_path_factory, records, count):
    """Well-formed CSV (as csv.writer writes it): the records of the parts, read one after another, are the
    records of the whole file."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(records)
    path = tmp_path_factory.mktemp("parts") / "list.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    data = path.read_bytes()
    whole = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    counted = [0, *_quote_counted_parts(path, len(data), count, chunk=7), len(data)]
    for ranges in (csv_parts(path, count), [(a, b) for a, b in itertools.pairwise(counted) if b > a]):
        assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
        assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
        pieces = [list(csv.reader(io.StringIO(data[a:b].decode("utf-8"), newline=""))) for a, b in ranges]
        assert [record for piece in pieces for record in piece] == whole


def test_merge_transactions_cut_across_parts_lose_and_repeat_no_row(tmp_path):
    """Seven row numbers per transaction, so that transactions begin and end inside parts and span their
    edges: every row is stored once."""
    path = write_csv(tmp_path / "list.csv", list_rows(2000))
    result = credit_records_import(
        path=path, source="gsxt", progress=False, workers=2, batch_size=7, merge_batch_size=7
    )
    assert (result.ok, result.rows, result.processes) == (True, 2000, PROCESSES)
    assert sorted(CreditRecord.objects.values_list("record_id", flat=True)) == sorted(f"R-{n}" for n in range(2000))


def test_command_takes_the_number_of_processes(tmp_path):
    path = write_csv(tmp_path / "list.csv", list_rows(500))
    out = io.StringIO()
    call_command("import_credit", str(path), "--source", "gsxt", "--workers", "2", stdout=out, stderr=io.StringIO())
    assert "已导入 500 行" in out.getvalue()
    with pytest.raises(CommandError, match="invalid_workers"):
        call_command("import_credit", str(path), "--source", "gsxt", "--workers", "0", stdout=io.StringIO())


def test_a_split_far_from_any_quote_is_read_off_the_bytes_near_it(tmp_path):
    """Quoted fields only in the first megabytes: the split in the middle of the file has no quote within a
    field's greatest length before it, so it needs no count from the start; the parts read as the whole."""
    rows = [[f'"{n}", 引号', "x" * 80] for n in range(12_000)] + [[f"{n}", "y" * 80] for n in range(40_000)]
    path = tmp_path / "list.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    size = path.stat().st_size
    assert _quote_free_parts(path, size, 2) is not None
    assert _quote_free_parts(path, size, 8) is None  # an early split has quotes close before it
    data = path.read_bytes()
    for count in (2, 8):
        ranges = csv_parts(path, count)
        assert len(ranges) == count
        pieces = [list(csv.reader(io.StringIO(data[a:b].decode("utf-8"), newline=""))) for a, b in ranges]
        assert [record for piece in pieces for record in piece] == rows


def test_record_id_bounds_cut_the_rows_into_buckets_of_about_the_size_asked(tmp_path):
    path = write_csv(tmp_path / "list.csv", list_rows(20_000))
    splits = record_id_splits(path, HEADER.index("record_id"), 2_000)
    assert splits == sorted(set(splits)) and 8 <= len(splits) <= 10
    ids = sorted(f"R-{n}" for n in range(20_000))
    sizes = [b - a for a, b in itertools.pairwise([0, *(bisect_left(ids, s) for s in splits), len(ids)])]
    assert min(sizes) > 1_000 and max(sizes) < 3_000
    assert record_id_splits(path, HEADER.index("record_id"), 250_000) == []  # one bucket


@pytest.mark.parametrize("workers", ["1", "2"])
def test_progress_shows_the_bytes_checked_then_the_rows_merged(tmp_path, capsys, workers):
    path = write_csv(tmp_path / "list.csv", list_rows(500))
    call_command("import_credit", str(path), "--source", "gsxt", "--workers", workers, "--progress",
                 stdout=io.StringIO())  # fmt: skip
    err = capsys.readouterr().err.replace("\r", "\n")
    assert "导入: 100%" in err
    assert "合并: 100%" in err and "500/500" in err


def test_a_checking_process_that_fails_stops_the_import_with_a_clear_error(tmp_path, monkeypatch, caplog):
    from xinyipi.credit.importing import parts

    def disk_full(*args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(parts, "_check_part", disk_full)  # what the forked processes run
    path = write_csv(tmp_path / "list.csv", list_rows(500))
    if PROCESSES == 1:
        assert credit_records_import(path=path, source="gsxt", progress=False, workers=2).ok
        return
    with pytest.raises(ImportRefused) as refused:
        credit_records_import(path=path, source="gsxt", progress=False, workers=2)
    assert (refused.value.code, refused.value.field) == ("check_failed", "file")
    assert "database or disk is full" in caplog.text
    assert not CreditRecord.objects.exists() and not CreditImport.objects.exists()
