"""Reading a credit list: the whole file in one stream (CSV or Excel), or a CSV file in parts read side by side."""

import csv
import hashlib
import io
import itertools
from pathlib import Path

from django.utils.translation import gettext as _

from xinyipi.credit.importing.rows import ImportRefused


class Source:
    """Rows of a CSV or Excel file, with ``size``/``position`` for the progress bar."""

    def __init__(self, path: Path):
        self.path = path
        self.suffix = path.suffix.lower()
        self.excel = self.suffix in {".xlsx", ".xlsm"}
        if self.suffix not in {".csv", ".txt", ".xlsx", ".xlsm"}:
            raise ImportRefused("unsupported_format", _("只能导入 CSV（UTF-8）或 Excel（.xlsx）文件。"), "file")
        self.size = path.stat().st_size
        self._raw = None
        self._text = None
        self._workbook = None

    def rows(self):
        """An iterator of rows (lists). CSV rows come straight from ``csv.reader``: no generator layer."""
        if self.excel:
            return self._excel_rows()
        return self._csv_rows()

    def _csv_rows(self):
        self._raw = RangeReader(self.path, 0, self.size)
        self._text = io.TextIOWrapper(io.BufferedReader(self._raw, 1 << 20), encoding="utf-8-sig", newline="")
        return csv.reader(self._text)

    def close(self) -> None:
        if self._text is not None:
            self._text.close()

    def _excel_rows(self):
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            self._workbook = load_workbook(self.path, read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError) as exc:
            raise ImportRefused("unreadable_excel", _("无法读取该 Excel 文件。"), "file") from exc
        try:
            yield from self._workbook.worksheets[0].iter_rows(values_only=True)
        finally:
            self._workbook.close()

    @property
    def position(self) -> int:
        return self._raw.position if self._raw is not None else 0


def file_sm3(path: Path) -> str:
    """The file's SM3 digest, kept with the import. Run in a thread beside the checking: hashlib lets go of
    the interpreter lock while it hashes a large block, so the digest costs the import no time."""
    digest = hashlib.new("sm3")
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


class RangeReader(io.RawIOBase):
    """The bytes ``[start, end)`` of a file; ``position`` counts those read, for the progress bar."""

    def __init__(self, path: Path, start: int, end: int):
        self.handle = path.open("rb")
        self.handle.seek(start)
        self.left = end - start
        self.position = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        data = self.handle.read(n)
        n = len(data)
        buffer[:n] = data
        self.left -= n
        self.position += n
        return n

    def close(self):
        self.handle.close()
        super().close()


def csv_parts(path: Path, count: int) -> list[tuple[int, int]]:
    """Byte ranges ``[start, end)`` that split a CSV file into about ``count`` equal parts, each starting
    where a record starts: after a line break that is not inside a quoted field. Usually that is read off
    the bytes just before each split (``_quote_free_parts``); a file with quotes there is counted from its
    start (``_quote_counted_parts``). A file whose quotes are not RFC 4180's can still mislead either; the
    part before each boundary confirms it (``PartLines``)."""
    size = path.stat().st_size
    bounds = _quote_free_parts(path, size, count)
    if bounds is None:
        bounds = _quote_counted_parts(path, size, count)
    bounds = [0, *bounds, size]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _quote_free_parts(path: Path, size: int, count: int) -> list[int] | None:
    """A field holds at most ``csv.field_size_limit()`` characters (4 bytes each at most in UTF-8): a line
    break with no quote character within that many bytes before it is not inside a quoted field, so the
    first line break after each split point is a record's end if no quote precedes it that closely.
    ``None`` if a quote is that close to some split point."""
    reach = 4 * csv.field_size_limit() + 1
    bounds: list[int] = []
    with path.open("rb") as handle:
        for k in range(1, count):
            last = bounds[-1] if bounds else 0
            target = max(size * k // count, last)
            start = max(target - reach, last)
            handle.seek(start)
            window = handle.read(target - start + reach)
            newline = window.find(b"\n", target - start)
            if newline < 0:
                break
            if b'"' in window[: newline + 1]:
                return None
            boundary = start + newline + 1
            if boundary >= size:
                break
            if not bounds or boundary > bounds[-1]:
                bounds.append(boundary)
    return bounds


def _quote_counted_parts(path: Path, size: int, count: int, *, chunk: int = 1 << 24) -> list[int]:
    """Split points after a line break preceded by an even number of quote characters, counted from the
    file's start (a quote in UTF-8 is always the byte 0x22)."""
    bounds: list[int] = []
    quotes = position = 0
    with path.open("rb") as handle:
        for k in range(1, count):
            target = size * k // count
            if target <= position:
                continue
            handle.seek(position)
            while position < target:
                data = handle.read(min(chunk, target - position))
                quotes += data.count(b'"')
                position += len(data)
            boundary = None
            while boundary is None:
                data = handle.read(chunk)
                if not data:
                    break
                start = 0
                while (newline := data.find(b"\n", start)) >= 0:
                    quotes += data.count(b'"', start, newline + 1)
                    start = newline + 1
                    if quotes % 2 == 0:
                        boundary = position + start
                        break
                if boundary is None:
                    quotes += data.count(b'"', start)
                    position += len(data)
            if boundary is None or boundary >= size:
                break
            bounds.append(boundary)
            position = boundary
    return bounds


def record_id_splits(path: Path, column: int, rows_per_bucket: int, *, samples: int = 4096) -> list[str]:
    """Record ids that cut the file's rows into buckets of about ``rows_per_bucket`` rows, estimated from
    lines read at evenly spaced places in the file (the size of a row and where its record id falls among
    the others'). An estimate: it decides only how the merge is grouped, never what is merged."""
    size = path.stat().st_size
    ids, lengths = [], []
    with path.open("rb") as handle:
        for k in range(1, samples + 1):
            handle.seek(size * k // (samples + 1))
            handle.readline()  # the rest of a line begun before this place
            line = handle.readline()
            if not line:
                continue
            lengths.append(len(line))
            values = next(csv.reader([line.decode("utf-8", errors="replace")]), [])
            if len(values) > column and values[column].strip():
                ids.append(values[column].strip())
    if not ids:
        return []
    buckets = round(size / (sum(lengths) / len(lengths)) / max(rows_per_bucket, 1))
    ids.sort()
    return sorted({ids[len(ids) * k // buckets] for k in range(1, buckets)}) if buckets > 1 else []


class PartLines:
    """The lines of one part of a CSV file, for ``csv.reader``. ``cut_record`` tells afterwards whether the
    part ended inside a record: the reader then asked for a line after the last one and, finding none, gave
    the unfinished record. A part that is not the file's last must end on a record's end, or the split was
    wrong and the parts cannot be trusted."""

    def __init__(self, text):
        self.text = text
        self.exhausted = False
        self.cut_record = False

    def lines(self):
        yield from self.text
        self.exhausted = True

    def records(self, reader):
        for values in reader:
            if self.exhausted:
                self.cut_record = True
            yield values
