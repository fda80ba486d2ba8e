"""Uploaded files (case materials, authorisations, objections, repair proofs, verification evidence): checked
by size and by content (not by name), then kept in the storage named by ``XINYIPI_UPLOAD_STORAGE`` under their
SM3 hash (no applicant data in file names; the same file twice is stored once)."""

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils.translation import gettext as _

from xinyipi.core.crypto import sm3_hex
from xinyipi.core.errors import DomainError
from xinyipi.core.text import join_list


def upload_storage():
    """The storage of uploaded files (``XINYIPI_UPLOAD_STORAGE``); a callable, so that tests may swap it."""
    return storages[settings.APPLICATIONS["UPLOAD_STORAGE"]]


TYPE_LABELS = {"pdf": "PDF", "png": "PNG", "jpg": "JPEG", "ofd": "OFD"}


def _sniff(content: bytes) -> str | None:
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"PK\x03\x04"):
        # OFD (GB/T 33190) is a ZIP package whose root holds OFD.xml; any other ZIP is not a document.
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as package:
                if "OFD.xml" in package.namelist():
                    return "ofd"
        except zipfile.BadZipFile:
            return None
    return None


@dataclass(frozen=True)
class CheckedFile:
    code: str
    name: str
    content: bytes
    type: str
    sm3: str

    @property
    def size(self) -> int:
        return len(self.content)


def upload_check(code: str, upload) -> CheckedFile:
    """Read and check one upload for material ``code``; a refused file changes nothing."""
    field = f"files.{code}"
    limit = settings.APPLICATIONS["UPLOAD_MAX_BYTES"]
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_large(field, limit)
    content = upload.read()
    if len(content) > limit:
        raise _too_large(field, limit)
    if not content:
        raise DomainError("file_empty", _("上传的文件是空文件。"), field)
    kind = _sniff(content)
    allowed = settings.APPLICATIONS["UPLOAD_TYPES"]
    if kind is None or kind not in allowed:
        raise DomainError(
            "file_type_refused",
            _("文件类型不被接受，只接受：%(types)s。") % {"types": join_list(TYPE_LABELS.get(t, t) for t in allowed)},
            field,
        )
    name = (getattr(upload, "name", "") or f"{code}.{kind}").rsplit("/", 1)[-1][-200:]
    return CheckedFile(code=code, name=name, content=content, type=kind, sm3=sm3_hex(content))


def _too_large(field: str, limit: int) -> DomainError:
    return DomainError(
        "file_too_large",
        _("文件不能超过 %(mb)s MB。") % {"mb": f"{limit / (1024 * 1024):g}"},
        field,
        max_bytes=limit,
    )


def upload_store(checked: CheckedFile) -> str:
    """Keep the file (once per content) and return its storage name."""
    storage = storages[settings.APPLICATIONS["UPLOAD_STORAGE"]]
    name = f"applications/{checked.sm3[:2]}/{checked.sm3}.{checked.type}"
    if not storage.exists(name):
        name = storage.save(name, ContentFile(checked.content))
    return name
