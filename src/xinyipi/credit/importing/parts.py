"""Checking a large CSV file on every core.

The file is split into parts that each begin where a record begins (``files.csv_parts``), several parts per
core so that the cores finish together although rows differ in length from list to list. One process per
core takes the next part, reads, checks and stages its rows into that process's own SQLite file (in
tables by buckets of record ids, which the merge takes one at a time), and takes the next, keeping the
codes it has looked up. The parent then puts the parts' findings
together: row numbers counted across parts, record ids repeated in different parts, and whether each part
really ended where a record ends (if one did not, the split was wrong and the import reads the file in one
stream instead). The processes are forked from the importing one, so they share its settings, keys and
language without setting anything up; they never touch its database connection.
"""

import csv
import io
import logging
import multiprocessing
import sqlite3
import traceback
from array import array
from bisect import bisect_right
from contextlib import closing
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from xinyipi.credit.importing.files import PartLines, RangeReader
from xinyipi.credit.importing.rows import (
    ImportRefused,
    RowError,
    Tally,
    duplicate_id_fault,
    row_checker,
    validate_rows,
)
from xinyipi.credit.importing.stage import STAGE_COLUMNS

logger = logging.getLogger(__name__)


def fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@dataclass
class Part:
    index: int
    start: int
    end: int
    last: bool
    process: int = -1  # the process that checked it, whose file holds its rows
    tally: Tally = field(default_factory=Tally)
    offset: int = 0  # rows before this part: a row's number in the file is offset + its number in the part
    outcome: dict = field(default_factory=dict)


@dataclass
class Layout:
    """What every part needs to know of the file, read by the parent from its header."""

    path: Path
    positions: dict[str, int]
    labels: dict[str, str]
    width: int
    fixed_category: str | None
    max_errors: int
    batch_size: int
    splits: list[str] = field(default_factory=list)  # record ids that bound the merge's buckets


def bucket_table(bucket: int) -> str:
    return f"bucket_{bucket}"


def _bucket_tables_create(db, count: int) -> None:
    """One table per bucket of record ids, holding the rows of every part this process checks: ``part`` and
    ``row_no`` say where in the file a row was read."""
    columns = ", ".join(f"{c} {'integer' if c in ('row_no', 'code_key') else 'text'}" for c in STAGE_COLUMNS)
    for bucket in range(count):
        db.execute(f"CREATE TABLE {bucket_table(bucket)} (part integer, {columns})")


def _check_part(part: Part, layout: Layout, db, codes: dict, counter) -> dict:
    raw = RangeReader(layout.path, part.start, part.end)
    encoding = "utf-8-sig" if part.index == 0 else "utf-8"
    text = io.TextIOWrapper(io.BufferedReader(raw, 1 << 20), encoding=encoding, newline="")
    lines = PartLines(text)
    records = lines.records(csv.reader(lines.lines()))
    if part.index == 0:
        next(records, None)  # the header, which the parent has read
    seen: set[str] = set()
    check = row_checker(layout.positions, layout.width, layout.fixed_category, seen, codes)
    splits = layout.splits
    values = ", ".join("?" * len(STAGE_COLUMNS))
    inserts = [f"INSERT INTO {bucket_table(b)} VALUES ({part.index}, {values})" for b in range(len(splits) + 1)]
    record_id_at = STAGE_COLUMNS.index("record_id")

    def write(rows):
        if splits:
            buckets = [[] for _ in inserts]
            for row in rows:
                buckets[bisect_right(splits, row[record_id_at])].append(row)
        else:
            buckets = [rows]
        db.execute("BEGIN")
        for insert, bucket in zip(inserts, buckets, strict=True):
            if bucket:
                db.executemany(insert, bucket)
        db.execute("COMMIT")

    def progress():
        counter[part.index] = raw.position

    try:
        tally = validate_rows(
            records,
            check,
            positions=layout.positions,
            width=layout.width,
            labels=layout.labels,
            first_row=2 if part.index == 0 else 1,
            excel=False,
            max_errors=layout.max_errors,
            write=write,
            batch_size=layout.batch_size,
            after_batch=progress,
            stage_after_errors=True,
        )
    finally:
        text.close()
    progress()
    return {"tally": tally, "hashes": array("q", map(hash, seen)).tobytes(), "cut_record": lines.cut_record}


def _process_main(send, parts: list[Part], layout: Layout, stage_path: Path, taken, counter) -> None:
    """The body of a checking process: take the next part until none is left, and send each part's outcome
    (or why it could not be read) through ``send``; ``None`` at the end."""
    try:
        codes: dict = {}
        with closing(sqlite3.connect(stage_path, isolation_level=None)) as db:
            # A scratch file, deleted after the import: no journal, no syncing.
            db.execute(f"PRAGMA page_size = {settings.SQLITE_PAGE_SIZE}")
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            _bucket_tables_create(db, len(layout.splits) + 1)
            while True:
                with taken.get_lock():
                    index = taken.value
                    taken.value += 1
                if index >= len(parts):
                    break
                try:
                    outcome = _check_part(parts[index], layout, db, codes, counter)
                except UnicodeDecodeError:
                    outcome = {"refused": ("not_utf8", _("CSV 文件应为 UTF-8 编码。"))}
                except csv.Error as exc:
                    outcome = {"refused": ("malformed_csv", _("CSV 格式错误：%(e)s") % {"e": exc})}
                send.send((index, outcome))
    except BaseException:  # reported to the parent, which raises it
        send.send((None, {"failed": traceback.format_exc()}))
    send.send(None)
    send.close()


def _failed() -> ImportRefused:
    """A checking process that failed or died (out of memory, a full scratch disk): the import stops with
    nothing changed; what went wrong is in the log, not on the operator's screen."""
    return ImportRefused(
        "check_failed", _("检查文件的进程出错（详见系统日志），未导入任何记录；可用 --workers 1 重试。"), "file"
    )


class PartChecks:
    """The parts of one file being checked side by side: ``start`` forks the processes, ``collect`` waits."""

    def __init__(self, layout: Layout, ranges: list[tuple[int, int]], directory: Path, processes: int):
        self.layout = layout
        self.parts = [Part(i, start, end, last=i == len(ranges) - 1) for i, (start, end) in enumerate(ranges)]
        self.files = [directory / f"process-{n}.sqlite3" for n in range(min(processes, len(self.parts)))]
        self._context = multiprocessing.get_context("fork")
        self._counter = self._context.Array("q", len(self.parts), lock=False)
        self._running: list[tuple[multiprocessing.Process, object]] = []
        self._seen: set[int] = set()  # hashes of the record ids of the parts received so far
        self._common: set[int] = set()  # hashes met in more than one part

    def start(self) -> None:
        taken = self._context.Value("i", 0)
        for stage_path in self.files:
            receive, send = self._context.Pipe(duplex=False)
            process = self._context.Process(
                target=_process_main,
                args=(send, self.parts, self.layout, stage_path, taken, self._counter),
                daemon=True,
            )
            process.start()
            send.close()
            self._running.append((process, receive))

    def collect(self, on_progress=None) -> bool:
        """Wait for every part; ``False`` if a part did not end where a record ends (the split is unusable)."""
        waiting = {receive: number for number, (_process, receive) in enumerate(self._running)}
        try:
            while waiting:
                for receive in wait(list(waiting), timeout=0.25):
                    number = waiting[receive]
                    try:
                        message = receive.recv()
                    except EOFError:
                        logger.error("credit import: checking process %d ended without an answer", number)
                        raise _failed() from None
                    if message is None:
                        del waiting[receive]
                        continue
                    index, outcome = message
                    if "failed" in outcome:
                        logger.error("credit import: checking process %d failed:\n%s", number, outcome["failed"])
                        raise _failed()
                    self._fold_hashes(outcome.pop("hashes", b""))
                    self.parts[index].outcome = outcome
                    self.parts[index].process = number
                if on_progress is not None:
                    on_progress(sum(self._counter))
        finally:
            self.stop()
            self._seen = set()
        if any(part.outcome.get("cut_record") for part in self.parts if not part.last):
            return False
        for part in self.parts:  # the first part that could not be read says why, as one stream would have
            if "refused" in part.outcome:
                code, message = part.outcome["refused"]
                raise ImportRefused(code, message, "file")
        offset = 0
        for part in self.parts:
            part.tally = part.outcome["tally"]
            part.offset = offset
            offset += part.tally.last_row
        return True

    def _fold_hashes(self, packed: bytes) -> None:
        """A part's record-id hashes, taken in as the part arrives (while the other processes still work):
        those already met in another part are kept for ``_repeated_across_parts``."""
        hashes = array("q")
        hashes.frombytes(packed)
        if self._seen:
            self._common.update(self._seen.intersection(hashes))
        self._seen.update(hashes)

    def stop(self) -> None:
        for process, receive in self._running:
            if process.is_alive():
                process.terminate()
            process.join()
            receive.close()
        self._running = []

    def tally(self) -> Tally:
        """The whole file's tally: the parts' faults by their row in the file, and ids repeated across parts."""
        whole = Tally()
        faults = [
            RowError(part.offset + error.row, error.column, error.code, error.message)
            for part in self.parts
            for error in part.tally.errors
        ]
        repeated = self._repeated_across_parts()
        faults.extend(repeated)
        faults.sort(key=lambda error: error.row)
        whole.errors = faults[: self.layout.max_errors]
        whole.error_count = sum(part.tally.error_count for part in self.parts) + len(repeated)
        whole.rows = sum(part.tally.rows for part in self.parts)
        whole.last_row = self.parts[-1].offset + self.parts[-1].tally.last_row
        return whole

    def _repeated_across_parts(self) -> list[RowError]:
        """Record ids read in an earlier part, found by their hashes first (each part sends the hashes of the
        ids it read), then confirmed on the ids themselves in the part files. A row that has a fault of its
        own is not staged, so it is not also reported as repeated."""
        common = self._common
        if not common:
            return []
        label = self.layout.labels.get("record_id", "")
        found = []  # (part, row in the part, record id) of every staged row whose hash was met twice
        for path in self.files:
            with closing(sqlite3.connect(path)) as db:
                for bucket in range(len(self.layout.splits) + 1):
                    rows = db.execute(f"SELECT part, row_no, record_id FROM {bucket_table(bucket)}")
                    found.extend(row for row in rows if hash(row[2]) in common)
        found.sort()
        earlier: set[str] = set()
        repeated = []
        for index, row_no, record_id in found:  # in the file's order
            if record_id in earlier:
                _column, code, message = duplicate_id_fault(record_id)
                repeated.append(RowError(self.parts[index].offset + row_no, label, code, message))
            earlier.add(record_id)
        return repeated

    def buckets(self, alias) -> list[list[str]]:
        """The tables of each bucket, in every process's file (attached as ``alias(number)``)."""
        return [
            [f"{alias(number)}.{bucket_table(bucket)}" for number in range(len(self.files))]
            for bucket in range(len(self.layout.splits) + 1)
        ]
