"""Reads of the city list."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from xinyipi.accounts.access import acts_for, blacklist_entries_for_actor, require_authenticated, require_perm
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, NotFound, NotPermitted
from xinyipi.core.paging import id_page
from xinyipi.supervision.models import BlacklistEntry, CreditRepair, Objection


def blacklist_due_listings(*, on: dt.date) -> list[int]:
    """Ids of proposals whose objection period ended before ``on`` (partial index on ``objection_due``), less
    those an undecided objection holds."""
    pending = Objection.objects.filter(entry=OuterRef("pk"), status=Objection.Status.PENDING)
    return list(
        BlacklistEntry.objects.filter(status=BlacklistEntry.Status.PROPOSED, objection_due__lt=on)
        .exclude(Exists(pending))
        .order_by("objection_due", "id")
        .values_list("id", flat=True)
    )


def blacklist_due_expiries(*, on: dt.date) -> list[int]:
    """Ids of listings whose publicity period ended before ``on`` (partial index on ``publicity_until``)."""
    return list(
        BlacklistEntry.objects.filter(status=BlacklistEntry.Status.LISTED, publicity_until__lt=on)
        .order_by("publicity_until", "id")
        .values_list("id", flat=True)
    )


@dataclass(frozen=True)
class BlacklistPage:
    items: list[BlacklistEntry]
    next: str | None


def blacklist_page(
    *,
    actor,
    subject=None,
    status: str = "",
    reason: str = "",
    department_id: int | None = None,
    objection_due_by: dt.date | None = None,
    pending_objection: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> BlacklistPage:
    """Entries newest first (keyset on id, no COUNT), for staff who may read the list; filtered by status,
    reason, the department of the causing case, objection periods ending by a day, a pending objection."""
    rows = (
        blacklist_entries_for_actor(actor)
        .select_related("subject", "case__department")
        .prefetch_related("objections__files")
    )
    if subject is not None:
        rows = rows.filter(subject=subject)
    if status:
        if status not in BlacklistEntry.Status.values:
            raise DomainError("invalid_status", _("状态不正确。"), "status")
        rows = rows.filter(status=status)
    if reason:
        if reason not in BlacklistEntry.Reason.values:
            raise DomainError("invalid_reason", _("列入事由不正确。"), "reason")
        rows = rows.filter(reason=reason)
    if department_id is not None:
        rows = rows.filter(case__department_id=department_id)
    if objection_due_by is not None:
        rows = rows.filter(status=BlacklistEntry.Status.PROPOSED, objection_due__lte=objection_due_by)
    if pending_objection:
        rows = rows.filter(Exists(Objection.objects.filter(entry=OuterRef("pk"), status=Objection.Status.PENDING)))
    page, following = id_page(rows, cursor=cursor, limit=limit)
    return BlacklistPage(items=page, next=following)


def subject_is_listed(*, subject) -> bool:
    return BlacklistEntry.objects.filter(subject=subject, status=BlacklistEntry.Status.LISTED).exists()


@dataclass(frozen=True)
class PublicListing:
    """One entry as the public sees it (R12): a person's name masked, an ID number never shown whole."""

    id: int
    subject_name: str
    subject_code: str
    is_person: bool
    reason: str
    listed_on: dt.date
    publicity_until: dt.date | None


def mask_person_name(name: str) -> str:
    """王雅琴 → 王*琴, 李明 → 李*: enough to tell entries apart, not enough to expose a person."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def blacklist_public_page(*, query: str = "", cursor: str | None = None, limit: int = 50) -> BlacklistPage:
    """Entries in effect, newest first, for the public publication page (no permission needed). A listing
    whose publicity period has ended is not shown, even before the daily sweep has expired it."""
    from django.db.models import Q

    from xinyipi.subjects.selectors import subject_key

    in_publicity = Q(publicity_until__isnull=True) | Q(publicity_until__gte=clock.today())
    rows = BlacklistEntry.objects.filter(in_publicity, status=BlacklistEntry.Status.LISTED).select_related("subject")
    query = query.strip()[:100]
    if query:
        # Enterprises by name; anyone by the exact code (persons are never searchable by name).
        rows = rows.filter(
            Q(subject__kind="enterprise", subject__name__icontains=query) | Q(subject__code_hash=subject_key(query))
        )
    page, following = id_page(rows, cursor=cursor, limit=limit)
    items = [
        PublicListing(
            id=entry.pk,
            subject_name=mask_person_name(entry.subject.name) if entry.subject.is_person else entry.subject.name,
            subject_code=entry.subject.code_display,
            is_person=entry.subject.is_person,
            reason=entry.get_reason_display(),
            listed_on=clock.to_beijing(entry.listed_at).date() if entry.listed_at else None,
            publicity_until=entry.publicity_until,
        )
        for entry in page
    ]
    return BlacklistPage(items=items, next=following)


# ---------------------------------------------------------------------------------------------------
# Who reaches an entry or a repair request

VIEW = "supervision.view_blacklistentry"
PROPOSE = "supervision.add_blacklistentry"
OBJECTION_RECORD = "supervision.add_objection"
OBJECTION_DECIDE = "supervision.change_objection"
REPAIR_VIEW = "supervision.view_creditrepair"
REPAIR_RECORD = "supervision.add_creditrepair"
REPAIR_DECIDE = "supervision.change_creditrepair"


def _not_found_entry() -> NotFound:
    return NotFound("blacklist_entry_not_found", _("未找到该黑名单条目。"))


def speaks_for(actor, subject_id: int, *, window_perm: str) -> bool | None:
    """How ``actor`` may speak for a subject: ``True`` staff recording it at the window (``window_perm``),
    ``False`` an account with a verified link to the subject (R9a), ``None`` neither."""
    if actor.has_perm(window_perm):
        return True
    if acts_for(actor, subject_id):
        return False
    return None


def entry_for_subject_side(*, actor, entry_id: int, applicant_only: bool = False) -> tuple[BlacklistEntry, bool]:
    """The entry and whether it is reached at the window, for one who speaks for its subject. Staff who read
    the list but never speak for a subject are refused (403); to anyone else it does not exist (a subject's
    code is public, its entries are not). ``applicant_only``: only through a verified link (the portal)."""
    require_authenticated(actor)
    entry = BlacklistEntry.objects.select_related("subject").filter(pk=entry_id).first()
    if entry is None:
        raise _not_found_entry()
    if applicant_only:
        if not acts_for(actor, entry.subject_id):
            raise _not_found_entry()
        return entry, False
    at_window = speaks_for(actor, entry.subject_id, window_perm=OBJECTION_RECORD)
    if at_window is None:
        if actor.has_perm(VIEW):
            raise NotPermitted()
        raise _not_found_entry()
    return entry, at_window


def entry_by_id(*, actor, entry_id: int, perm: str = VIEW) -> BlacklistEntry:
    """One entry for staff holding ``perm`` (the city list is kept for the whole city, not per department)."""
    require_perm(actor, perm)
    entry = BlacklistEntry.objects.select_related("subject", "case").filter(pk=entry_id).first()
    if entry is None:
        raise _not_found_entry()
    return entry


def repair_by_id(*, actor, repair_id: int, perm: str = REPAIR_VIEW) -> CreditRepair:
    require_perm(actor, perm)
    repair = CreditRepair.objects.select_related("subject", "entry").filter(pk=repair_id).first()
    if repair is None:
        raise NotFound("credit_repair_not_found", _("未找到该信用修复申请。"))
    return repair


def objection_current(*, entry: BlacklistEntry) -> Objection | None:
    """The entry's latest objection (the pending one when there is one: at most one is)."""
    return Objection.objects.filter(entry=entry).prefetch_related("files").order_by("-id").first()


def entries_of_subjects(*, subject_ids) -> list[BlacklistEntry]:
    """Every entry of these subjects, newest first, each with its latest objection and repair requests —
    for the applicant's "我的信用" page (a handful of rows per subject)."""
    entries = list(
        BlacklistEntry.objects.filter(subject_id__in=list(subject_ids))
        .select_related("subject")
        .prefetch_related("objections", "repairs")
        .order_by("-id")[:100]
    )
    for entry in entries:
        objections = sorted(entry.objections.all(), key=lambda o: -o.pk)
        entry.objection = objections[0] if objections else None
        repairs = sorted(entry.repairs.all(), key=lambda r: -r.pk)
        entry.repair = repairs[0] if repairs else None
    return entries


def repair_queue(*, actor, status: str = "requested", cursor: str | None = None, limit: int = 50) -> BlacklistPage:
    """Repair requests by due date, earliest first (keyset on due date and id, no COUNT)."""
    import datetime as dt

    from django.db.models import Q

    from xinyipi.core.paging import bad_cursor, cursor_decode, cursor_encode, cursor_id, page_limit

    require_perm(actor, REPAIR_VIEW)
    rows = CreditRepair.objects.select_related("subject", "entry")
    if status:
        if status not in CreditRepair.Status.values:
            raise DomainError("invalid_status", _("状态不正确。"), "status")
        rows = rows.filter(status=status)
    if cursor:
        due_text, id_text = cursor_decode(cursor, 2)
        try:
            due = dt.date.fromisoformat(due_text)
        except ValueError as exc:
            raise bad_cursor() from exc
        last_id = cursor_id(id_text)
        rows = rows.filter(Q(due__gt=due) | Q(due=due, id__gt=last_id))
    limit = page_limit(limit)
    items = list(rows.order_by("due", "id")[: limit + 1])
    following = None
    if len(items) > limit:
        items = items[:limit]
        following = cursor_encode(items[-1].due.isoformat(), items[-1].pk)
    return BlacklistPage(items=items, next=following)


def entry_history(entry: BlacklistEntry) -> list:
    """The audit trail of the entry, its objections and its repair requests, oldest first."""
    from django.db.models import Q

    from xinyipi.audit.models import AuditEntry

    objections = [str(pk) for pk in entry.objections.values_list("pk", flat=True)]
    repairs = [str(pk) for pk in entry.repairs.values_list("pk", flat=True)]
    wanted = Q(object_type="supervision.blacklistentry", object_id=str(entry.pk))
    wanted |= Q(object_type="supervision.objection", object_id__in=objections)
    wanted |= Q(object_type="supervision.creditrepair", object_id__in=repairs)
    return list(AuditEntry.objects.filter(wanted).order_by("seq"))
