"""Printed documents: the QR code that points at a document's public verification page, and PDF through
Debian's Chromium printing the same HTML the browser prints (fonts-noto-cjk gives it the CJK glyphs).

Without Chromium the PDF links are hidden and the HTML page (printable from any browser) still works.
"""

import logging
import os
import subprocess
import tempfile
from pathlib import Path

import segno
from django.conf import settings
from django.contrib.staticfiles import finders

logger = logging.getLogger(__name__)

DEFAULT_CHROMIUM = "/usr/bin/chromium"
PDF_TIMEOUT_SECONDS = 60
_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
]


class PdfUnavailable(Exception):
    """Chromium is missing, failed or took too long; the caller offers the HTML page instead."""


def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG ``data:`` URI (the CSP allows ``img-src data:``)."""
    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)


def chromium_path() -> str:
    return getattr(settings, "DOCUMENT_PDF_CHROMIUM", DEFAULT_CHROMIUM)


def pdf_available() -> bool:
    path = chromium_path()
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def document_css() -> str:
    """The print stylesheet's text, inlined into the HTML Chromium prints from a file."""
    path = finders.find("css/document.css")
    return Path(path).read_text(encoding="utf-8") if path else ""


def pdf_from_html(html: str) -> bytes:
    """Print ``html`` (a whole page with its CSS inlined) to PDF with headless Chromium."""
    if not pdf_available():
        raise PdfUnavailable("chromium not installed")
    with tempfile.TemporaryDirectory(prefix="xinyipi-pdf-") as tmp:
        source = Path(tmp) / "document.html"
        target = Path(tmp) / "document.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            chromium_path(),
            *_FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(
                command,
                check=True,
                capture_output=True,
                timeout=PDF_TIMEOUT_SECONDS,
                env={"HOME": tmp, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            )
        except subprocess.TimeoutExpired as exc:
            logger.warning("PDF printing timed out after %s s", PDF_TIMEOUT_SECONDS)
            raise PdfUnavailable("timeout") from exc
        except (OSError, subprocess.CalledProcessError) as exc:
            logger.warning("PDF printing failed: %s", exc)
            raise PdfUnavailable(str(exc)) from exc
        if not target.exists() or target.stat().st_size == 0:
            raise PdfUnavailable("no output")
        return target.read_bytes()
