"""Staging a checked list, and merging it into the local credit store.

The staged rows of a file read in one stream go to a temporary table of this database connection, merged
by ranges of row numbers; those of a file read in parts go to one SQLite file per checking process
(``parts``), in tables by buckets of record ids, attached for the merge and merged a bucket at a time.
Either way each transaction is a plain ``INSERT … SELECT … ON CONFLICT`` run by the database without
Python in the loop.
"""

from contextlib import contextmanager

from django.db import connection, transaction

from xinyipi.credit.models import CreditRecord

STAGE_COLUMNS = (
    "row_no", "code_hash", "code_key", "subject_name", "category", "record_id", "document_number", "authority",
    "decided_on", "publicity_until", "ends_on", "status", "severity", "grade", "summary",
)  # fmt: skip
STAGE_TABLE = "credit_import_stage"
SQLITE_IMPORT_CACHE_KIB = 256 * 1024
MERGED = STAGE_COLUMNS[1:]


def stage_table_sql(name: str, *, vendor: str, temporary: bool = False) -> str:
    """The staging table. On SQLite the row number is the rowid, so that a merge batch is a range seek, not
    a scan of the whole staging table; on PostgreSQL a BRIN index does the same once the rows are in."""
    types = {"row_no": "integer primary key" if vendor == "sqlite" else "integer", "code_key": "bigint"}
    if vendor == "postgresql":
        # Typed columns: COPY parses the dates once, and the merge needs no casts.
        types.update(decided_on="date", publicity_until="date", ends_on="date")
    columns = ", ".join(f"{c} {types.get(c, 'text')}" for c in STAGE_COLUMNS)
    return f"CREATE {'TEMPORARY ' if temporary else ''}TABLE {name} ({columns})"


def stage_create(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
    cursor.execute(stage_table_sql(STAGE_TABLE, vendor=connection.vendor, temporary=True))


def stage_ready(cursor) -> None:
    """Once every row is staged: on PostgreSQL a BRIN index on the row number (the rows lie in its order, so
    the index is a few pages built in one pass) lets each merge batch read only its own blocks."""
    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE INDEX ON {STAGE_TABLE} USING brin (row_no)")
        cursor.execute(f"ANALYZE {STAGE_TABLE}")


def stage_drop(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")


def stage_write(cursor, rows: list[tuple]) -> None:
    """One batch into the staging table, in one transaction (else SQLite would commit row by row)."""
    if not rows:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
            with raw.copy(f"COPY {STAGE_TABLE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(STAGE_COLUMNS))
            cursor.executemany(f"INSERT INTO {STAGE_TABLE} VALUES ({placeholders})", rows)


def merge_sql(stage: str, *, ranged: bool = True) -> str:
    """The upsert of a stage's rows: those numbered in a range (``ranged``), or all of them. (SQLite needs a
    ``WHERE`` before ``ON CONFLICT`` to read it as an upsert, hence ``WHERE true``.)"""
    table = CreditRecord._meta.db_table
    selected = ", ".join(MERGED)
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*MERGED, "imported_id", "imported_at") if c != "record_id")
    where = "row_no > %s AND row_no <= %s" if ranged else "true"
    return (
        f"INSERT INTO {table} ({selected}, source, imported_id, imported_at) "
        f"SELECT {selected}, %s, %s, %s FROM {stage} WHERE {where} "
        f"ON CONFLICT (source, record_id) DO UPDATE SET {updates}"
    )


def merge_buckets(cursor, buckets: list[list[str]], *, params: list, on_merged=None) -> None:
    """Upsert staged rows bucket by bucket, one transaction per bucket. A bucket holds the rows whose record
    ids fall in one range (``parts``), so each transaction extends only its slice of the store's unique
    index instead of pages all over it."""
    for tables in buckets:
        with transaction.atomic():
            for table in tables:
                cursor.execute(merge_sql(table, ranged=False), params)
                _merged(cursor, on_merged)


def _merged(cursor, on_merged) -> None:
    """Tell ``on_merged`` (the progress bar) how many rows the last statement inserted or updated."""
    if on_merged is not None:
        on_merged(max(cursor.rowcount, 0))


def merge_ranges(cursor, stage: str, last_row: int, *, params: list, step: int, on_merged=None) -> None:
    """Upsert the staged rows numbered up to ``last_row``, ``step`` row numbers per transaction: the hall's
    own writes interleave with a long import instead of waiting behind one lock."""
    sql = merge_sql(stage)
    step = max(step, 1)
    for low in range(0, last_row + 1, step):
        with transaction.atomic():
            cursor.execute(sql, [*params, low, low + step])
            _merged(cursor, on_merged)


@contextmanager
def import_pragmas(cursor):
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
