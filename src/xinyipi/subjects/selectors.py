"""Reads of the subject registry."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinyipi.accounts.access import require_perm
from xinyipi.core.crypto import blind_index
from xinyipi.core.errors import NotFound
from xinyipi.subjects.models import Subject
from xinyipi.subjects.validators import normalise

MAX_PAGE = 200


@dataclass(frozen=True)
class SubjectPage:
    items: list[Subject]
    next_before: int | None  # pass as ``before_id`` for the next page; None on the last page


def subject_key(raw_code: str) -> str:
    """The blind index of a code as typed (normalised, not validated): the lookup key of both kinds."""
    return blind_index(normalise(raw_code))


def _not_found() -> NotFound:
    return NotFound("subject_not_found", _("未找到该主体。"), "code")


def subject_by_code(raw_code: str) -> Subject:
    subject = Subject.objects.filter(code_hash=subject_key(raw_code)).first()
    if subject is None:
        raise _not_found()
    return subject


def subject_by_id(*, actor, subject_id: int) -> Subject:
    """A registered subject for staff who read the registry (``accounts.access``)."""
    from xinyipi.accounts.access import access_subject_by_id

    return access_subject_by_id(actor, subject_id)


def subject_list(*, actor, query: str = "", before_id: int | None = None, limit: int = 50) -> SubjectPage:
    """Newest first, keyset-paginated on id (no COUNT). ``query`` matches names (contains) or a whole code.

    Codes are matched only whole, through the blind index: a person is found by the full ID number and
    never by a fragment of it.
    """
    require_perm(actor, "subjects.view_subject")
    limit = max(1, min(limit, MAX_PAGE))
    rows = Subject.objects.order_by("-id")
    query = (query or "").strip()
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(code_hash=subject_key(query)))
    if before_id is not None:
        rows = rows.filter(id__lt=before_id)
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return SubjectPage(items=page, next_before=page[-1].id if more else None)


def subject_code_taken(normalised_code: str) -> bool:
    return Subject.objects.filter(code_hash=blind_index(normalised_code)).exists()
