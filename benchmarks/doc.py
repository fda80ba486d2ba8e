"""Each benchmark keeps its own section of docs/performance.md, between its begin and end markers."""

from pathlib import Path

PATH = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
EMPTY = "# Performance\n\nFigures measured by `benchmarks/`.\n"


def section_write(begin: str, end: str, lines: list[str]) -> None:
    """Put ``lines`` between ``begin`` and ``end`` (markers included), replacing what stood there, or append."""
    text = PATH.read_text(encoding="utf-8") if PATH.exists() else EMPTY
    body = "\n".join([begin, *lines, end])
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + body + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    PATH.write_text(text, encoding="utf-8")
