"""Import a public credit list (CSV or Excel) into the local credit store: ``manage.py import_credit``.

All or nothing, by staging. Every row is validated (code check characters, dates, category, severity,
grade, duplicate record ids) and the valid rows are staged — never written to the live table. If any
row is wrong, the staged rows are dropped and the errors are reported by row and column: nothing
changed. Only a fully valid file is merged into ``CreditRecord``, in batches (one short transaction
each, so the hall's own writes interleave with a five-million-row import instead of waiting behind one
long lock), by upsert on ``(source, record_id)``: importing the same list again updates, never
duplicates; a merge cut short is completed by running the same import again.

Why staging rather than validate-then-write: one pass over the file instead of two (parsing and checking
are most of the cost), and the batches that reach the live table are plain ``INSERT … SELECT``
statements the database runs without Python in the loop. A large CSV file on SQLite is checked in parts,
one process per core (``parts``); otherwise the file is read in one stream into a temporary table (on
PostgreSQL with ``COPY``).
"""

import csv
import logging
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from xinyipi.audit.services import audit_record
from xinyipi.core import clock
from xinyipi.core.text import join_list
from xinyipi.credit.categories import STORE_CATEGORIES
from xinyipi.credit.importing import stage as staging
from xinyipi.credit.importing.files import Source, csv_parts, file_sm3, record_id_splits
from xinyipi.credit.importing.parts import Layout, PartChecks, fork_available
from xinyipi.credit.importing.rows import (
    CATEGORY_WORDS,
    ImportInterrupted,
    ImportRefused,
    RowError,
    header_map,
    row_checker,
    uscc_accepted,
    validate_rows,
)
from xinyipi.credit.models import CreditImport

__all__ = ["ImportInterrupted", "ImportRefused", "ImportResult", "RowError", "credit_records_import", "uscc_accepted"]

# Below this size a file is read in one stream: forking the processes costs more than it saves.
PARTS_MIN_BYTES = 32 << 20
PROCESSES_MAX = 8  # each process's file is attached for the merge; SQLite attaches at most 10
PARTS_PER_PROCESS = 8  # small enough parts that the processes finish together

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    import_id: int | None = None
    seconds: float = 0.0
    stage_seconds: float = 0.0
    merge_seconds: float = 0.0
    processes: int = 1  # that checked the file side by side

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _progress(total: int, enabled: bool | None, *, unit: str = "B", desc: str = ""):
    """A progress bar on standard error, shown on a terminal (or when asked): bytes read while checking,
    then rows merged."""
    import sys

    from tqdm import tqdm

    disable = not sys.stderr.isatty() if enabled is None else not enabled
    return tqdm(total=total, unit=unit, unit_scale=True, disable=disable, file=sys.stderr, desc=desc or _("导入"))


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
    workers: int | None = None,
) -> ImportResult:
    """Validate the whole file, then merge it into the local store; see the module docstring. ``workers``:
    how many parts a CSV file is checked in on SQLite (default: one per core, for files of 32 MB or more)."""
    started = time.perf_counter()
    path = Path(path)
    source = (source or "").strip()
    if not source or len(source) > 50:
        raise ImportRefused("invalid_source", _("请用 --source 指明名单来源（不超过 50 个字符）。"), "source")
    fixed_category = None
    if category:
        fixed_category = CATEGORY_WORDS.get(category.strip())
        if fixed_category is None:
            raise ImportRefused(
                "invalid_category",
                _("类别应为：%(values)s。") % {"values": join_list(STORE_CATEGORIES)},
                "category",
            )
    if workers is not None and workers < 1:
        raise ImportRefused("invalid_workers", _("并行进程数应为正整数。"), "workers")
    if batch_size < 1 or merge_batch_size < 1:
        raise ImportRefused("invalid_batch_size", _("每批行数应为正整数。"), "batch_size")
    if max_errors < 0:
        raise ImportRefused("invalid_max_errors", _("列出的错误数不能为负数。"), "max_errors")
    if not path.is_file():
        raise ImportRefused("file_not_found", _("找不到文件：%(path)s") % {"path": path}, "file")

    reader = Source(path)
    result = ImportResult()
    try:
        rows = reader.rows()
        layout = _layout(rows, path, fixed_category, max_errors=max_errors, batch_size=batch_size)
        return _import(
            result,
            reader,
            rows,
            layout,
            source=source,
            actor_label=actor_label,
            merge_batch_size=merge_batch_size,
            progress=progress,
            workers=workers,
            started=started,
        )
    except UnicodeDecodeError as exc:
        raise ImportRefused("not_utf8", _("CSV 文件应为 UTF-8 编码。"), "file") from exc
    except csv.Error as exc:
        raise ImportRefused("malformed_csv", _("CSV 格式错误：%(e)s") % {"e": exc}, "file") from exc
    except DatabaseError as exc:
        raise _database_failed(exc, result) from exc
    finally:
        reader.close()


def _layout(rows, path: Path, fixed_category: str | None, *, max_errors: int, batch_size: int) -> Layout:
    try:
        header = next(rows)
    except StopIteration as exc:
        raise ImportRefused("empty_file", _("文件是空的。"), "file") from exc
    positions, labels = header_map(list(header))
    if fixed_category is None and "category" not in positions:
        raise ImportRefused("category_required", _("文件没有“类别”列时，请用 --category 指明类别。"), "category")
    return Layout(
        path=path,
        positions=positions,
        labels=labels,
        width=max(positions.values()) + 1,
        fixed_category=fixed_category,
        max_errors=max_errors,
        batch_size=batch_size,
    )


def _database_failed(exc: DatabaseError, result: ImportResult):
    """The database failed (a full disk, a lost connection): say so plainly, with what it means for the store;
    the traceback goes to the log."""
    logger.exception("credit import: the database failed")
    while isinstance(exc.__context__, DatabaseError):  # a clean-up that failed after it: name the first failure
        exc = exc.__context__
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    if result.import_id is None:
        return ImportRefused(
            "database_error", _("数据库出错（%(reason)s），详见系统日志。") % {"reason": reason}, "file"
        )
    return ImportInterrupted(
        "merge_interrupted",
        _(
            "合并中断：数据库出错（%(reason)s），详见系统日志。导入批次 #%(id)s 未完成，已合并的部分保留；"
            "排除故障后重新运行同一导入即可补全（按记录编号更新，不会重复）。"
        )
        % {"reason": reason, "id": result.import_id},
        "file",
    )


def _import(result, reader, rows, layout, *, source, actor_label, merge_batch_size, progress, workers, started):
    ranges, processes = _part_ranges(reader, workers)
    with (
        closing(_progress(0 if reader.excel else reader.size, progress)) as bar,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="credit-import-sm3") as digests,
        connection.cursor() as cursor,
        staging.import_pragmas(cursor),
        tempfile.TemporaryDirectory(prefix="xinyipi-import-") as directory,
    ):
        attached = 0
        try:
            staged = None
            if ranges:
                reader.close()
                staged = _stage_in_parts(
                    cursor, layout, ranges, processes, Path(directory), digests, bar, merge_batch_size
                )
                if staged is not None:
                    attached = result.processes = processes
                else:  # the parts did not split the file where records end: read it in one stream
                    with closing(Source(layout.path)) as again:
                        rows = again.rows()
                        next(rows)
                        staged = _stage_in_one(cursor, again, rows, layout, digests, bar, merge_batch_size)
            if staged is None:
                staged = _stage_in_one(cursor, reader, rows, layout, digests, bar, merge_batch_size)
            merge_into, tally, digest = staged
            result.rows, result.errors, result.error_count = tally.rows, tally.errors, tally.error_count
            result.stage_seconds = time.perf_counter() - started
            if not result.ok:
                return result
            if result.rows == 0:
                raise ImportRefused("no_rows", _("文件中没有数据行。"), "file")
            with closing(_progress(result.rows, progress, unit=_("行"), desc=_("合并"))) as merged:
                _merge(
                    cursor,
                    result,
                    merge_into=partial(merge_into, on_merged=merged.update),
                    source=source,
                    category=layout.fixed_category or "",
                    path=layout.path,
                    digest=digest,
                    actor_label=actor_label,
                )
        finally:
            staging.stage_drop(cursor)
            for number in range(attached):
                cursor.execute(f"DETACH DATABASE {_stage_alias(number)}")
    result.seconds = time.perf_counter() - started
    return result


def _stage_in_one(cursor, reader, rows, layout: Layout, digests, bar, merge_batch_size: int):
    """The file read in one stream and staged into a temporary table of this connection, merged in batches
    of row numbers."""
    digest = digests.submit(file_sm3, layout.path)
    staging.stage_create(cursor)
    tally = validate_rows(
        rows,
        row_checker(layout.positions, layout.width, layout.fixed_category, set()),
        positions=layout.positions,
        width=layout.width,
        labels=layout.labels,
        first_row=2,
        excel=reader.excel,
        max_errors=layout.max_errors,
        write=lambda batch: staging.stage_write(cursor, batch),
        batch_size=layout.batch_size,
        after_batch=lambda: bar.update(reader.position - bar.n),
    )
    if not tally.error_count:
        staging.stage_ready(cursor)
    bar.update((bar.total or 0) - bar.n)
    step = max(layout.batch_size, merge_batch_size)
    return partial(staging.merge_ranges, stage=staging.STAGE_TABLE, last_row=tally.last_row, step=step), tally, digest


def _stage_in_parts(cursor, layout: Layout, ranges, processes: int, directory: Path, digests, bar, merge_batch_size):
    """The file checked in parts side by side, each process staging into its own file, attached here for the
    merge, which takes the rows by buckets of record ids; ``None`` if the parts turn out not to split the
    file where records end."""
    layout.splits = record_id_splits(layout.path, layout.positions["record_id"], merge_batch_size)
    checks = PartChecks(layout, ranges, directory, processes)
    checks.start()
    if not checks.collect(on_progress=lambda done: bar.update(done - bar.n)):
        return None
    # The digest is taken while the merge runs, on the core the merge leaves idle (the parts kept both busy).
    digest = digests.submit(file_sm3, layout.path)
    tally = checks.tally()
    for number, stage_path in enumerate(checks.files):
        cursor.execute(f"ATTACH DATABASE %s AS {_stage_alias(number)}", [str(stage_path)])
    bar.update((bar.total or 0) - bar.n)
    return partial(staging.merge_buckets, buckets=checks.buckets(_stage_alias)), tally, digest


def _stage_alias(number: int) -> str:
    return f"credit_stage_{number}"


def _part_ranges(reader: Source, workers: int | None) -> tuple[list[tuple[int, int]], int]:
    """The parts to check a file in and how many processes check them, or ``([], 1)`` to read it in one
    stream. Parts need a CSV file, SQLite (the merge attaches the processes' files, which SQLite refuses
    inside a transaction) and processes that can be forked."""
    if reader.excel or connection.vendor != "sqlite" or connection.in_atomic_block or not fork_available():
        return [], 1
    if workers is None:
        if reader.size < PARTS_MIN_BYTES:
            return [], 1
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    processes = min(workers, PROCESSES_MAX)
    if processes < 2:
        return [], 1
    ranges = csv_parts(reader.path, processes * PARTS_PER_PROCESS)
    if len(ranges) < 2:
        return [], 1
    return ranges, min(processes, len(ranges))


def _merge(cursor, result: ImportResult, *, merge_into, source, category, path, digest, actor_label):
    """Upsert the staged rows into the store (``merge_into``). The import's record comes first (the rows
    refer to it, and until it is ``done`` it shows a merge under way); the file's digest, computed beside the
    merge, last."""
    merge_started = time.perf_counter()
    now = clock.now()
    with transaction.atomic():
        record = CreditImport.objects.create(
            source=source,
            category=category,
            file_name=path.name[:300],
            rows=result.rows,
            started_at=now,
            actor_label=actor_label,
        )
    result.import_id = record.pk
    params = [source, record.pk, connection.ops.adapt_datetimefield_value(now)]
    merge_into(cursor, params=params)
    record.file_sm3 = digest.result()
    with transaction.atomic():
        finished = clock.now()
        CreditImport.objects.filter(pk=record.pk).update(
            status=CreditImport.Status.DONE, finished_at=finished, file_sm3=record.file_sm3
        )
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
