"""Uploaded case materials: one file per material code, checked and stored by ``core.uploads``."""

from django.utils.translation import gettext as _

from xinyipi.core.errors import DomainError
from xinyipi.core.uploads import CheckedFile, upload_check, upload_store


def uploads_check(files: dict | None, allowed_codes: set[str]) -> dict[str, CheckedFile]:
    """Check every upload before anything is written; a file for a material not concerned is refused."""
    checked = {}
    for code, upload in (files or {}).items():
        if code not in allowed_codes:
            raise DomainError(
                "file_not_expected",
                _("材料 %(code)s 不在本次提交的材料之列，不能上传其文件。") % {"code": code},
                f"files.{code}",
            )
        checked[code] = upload_check(code, upload)
    return checked


def file_fields(checked: CheckedFile) -> dict:
    """The fields of an ``ApplicationMaterial`` row that describe a stored upload."""
    return {
        "file": upload_store(checked),
        "file_name": checked.name,
        "file_size": checked.size,
        "file_sm3": checked.sm3,
        "file_type": checked.type,
    }
