"""Files a subject hands in with an objection or a repair request: PDF, JPEG or PNG, checked by content and
size like case materials (``core.uploads``) and stored once under their SM3 hash."""

from django.conf import settings
from django.utils.translation import gettext as _

from xinyipi.core.errors import DomainError
from xinyipi.core.uploads import CheckedFile, upload_check, upload_store

ACCEPTED_TYPES = ("pdf", "jpg", "png")
MAX_FILES = 10


def supporting_files_check(files) -> list[CheckedFile]:
    """Check every upload before anything is written; a refused file refuses the request."""
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise DomainError("too_many_files", _("最多上传 %(n)s 个文件。") % {"n": MAX_FILES}, "files")
    checked = []
    for index, upload in enumerate(files):
        item = upload_check(f"{index}", upload)
        if item.type not in ACCEPTED_TYPES or item.type not in settings.APPLICATIONS["UPLOAD_TYPES"]:
            raise DomainError("file_type_refused", _("文件类型不被接受，只接受：PDF、JPEG、PNG。"), f"files.{index}")
        checked.append(item)
    return checked


def supporting_files_store(model, checked: list[CheckedFile], **owner) -> list:
    """Rows of ``model`` (``ObjectionFile``/``CreditRepairFile``) for the checked files, stored."""
    return [
        model.objects.create(
            **owner,
            file=upload_store(item),
            file_name=item.name,
            file_size=item.size,
            file_sm3=item.sm3,
            file_type=item.type,
        )
        for item in checked
    ]
