"""Reads of the case workflow: access to one case, the staff list and the queues (keyset pages, no COUNT,
a fixed number of queries per page) with their capped counts, the applicant links, and letter previews."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from xinyipi.accounts.access import (
    acts_for_anyone,
    applications_for_actor,
    applications_in_staff_scope,
    department_scope,
    require_perm,
    sees_all_departments,
    sees_every_case,
)
from xinyipi.accounts.models import Department
from xinyipi.applications import letters
from xinyipi.applications.models import (
    REVIEW_QUEUE,
    VERIFICATION_QUEUE,
    WINDOW_QUEUE,
    Application,
    ApplicationMaterial,
    LetterKind,
    Mode,
    Status,
    SubjectAgent,
    Transition,
)
from xinyipi.applications.policy import workflow_policy_on
from xinyipi.catalog.models import Material, Matter
from xinyipi.core import clock
from xinyipi.core.caches import CATALOG, GenerationCache
from xinyipi.core.errors import DomainError, NotFound, NotPermitted
from xinyipi.core.paging import bad_cursor, cursor_decode, cursor_encode, cursor_id, page_limit
from xinyipi.core.text import in_default_language
from xinyipi.workdays.calendar import add_working_days

VIEW = "applications.view_application"


# ---------------------------------------------------------------------------------------------------
# Applicants (user ↔ subject)


def subject_agent_link(*, user, subject) -> SubjectAgent | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return SubjectAgent.objects.acting(user).filter(subject=subject).first()


# ---------------------------------------------------------------------------------------------------
# One case


_FILING_MATTERS = GenerationCache(CATALOG)


def _matter_with_parts(code: str) -> Matter | None:
    return (
        Matter.objects.select_related("department")
        .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("order", "id")))
        .filter(code=code)
        .first()
    )


def matter_for_filing(code: str) -> Matter:
    """The matter a case is filed for, with its department and materials (404 ``matter_not_found``).

    Kept per process until the catalog changes (``core.caches``): filing only reads it, so the copy is shared."""
    code = (code or "").strip()
    matter = _FILING_MATTERS.get(code, lambda: _matter_with_parts(code))
    if matter is None:
        raise NotFound("matter_not_found", _("未找到该事项。"), "matter_code")
    return matter


def matters_for_filing() -> list[Matter]:
    """Matters in use, for the window's matter picker (code and name only)."""
    return list(
        Matter.objects.filter(status=Matter.Status.IN_USE).order_by("name").only("code", "name", "department_id")
    )


def _with_parts(queryset: QuerySet) -> QuerySet:
    """A page's cases with their matter, subject, department and materials, each read by primary key after
    the page: the page's own query stays on one table, so the planner reads it from the index that gives its
    order (joined, SQLite may start from the small department table and sort every case of it)."""
    return queryset.prefetch_related(
        "matter",
        "subject",
        "department",
        "licence",  # the answer's ``licence`` (a case without one is cached as such: no query per case)
        Prefetch("materials", queryset=ApplicationMaterial.objects.order_by("id")),
    )


def _for_table(queryset: QuerySet) -> QuerySet:
    """A page's cases with what its table shows (``pages.case_rows``): matter and subject."""
    return queryset.prefetch_related("matter", "subject")


def _staff_scope(actor, queryset: QuerySet) -> QuerySet:
    return applications_in_staff_scope(actor, queryset)


def application_history(*, application: Application) -> list[Transition]:
    """The case's moves, oldest first."""
    return list(Transition.objects.filter(application=application).order_by("id"))


def application_missing_codes(application: Application) -> list[str]:
    """Codes of the materials the case still misses (uses prefetched ``materials`` when present)."""
    return [m.code for m in application.materials.all() if m.state == ApplicationMaterial.State.MISSING]


# ---------------------------------------------------------------------------------------------------
# Lists and queues


@dataclass(frozen=True)
class Page:
    items: list[Application]
    next: str | None  # pass back as ``cursor`` for the next page; None on the last page


def application_page(
    *,
    actor,
    status: str | None = None,
    mode: str | None = None,
    matter_code: str | None = None,
    subject=None,
    green_channel: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
    table: bool = False,
    applicant_only: bool = False,
) -> Page:
    """Cases newest first, keyset-paginated on id. Staff with ``view_application`` see their scope (all
    departments, or reviewers their own); an applicant sees the cases of the subjects it acts for
    (``accounts.access.applications_for_actor``); an account that is neither is refused (403).
    ``applicant_only``: only the cases of the subjects the actor acts for, whatever its role (the portal).
    ``table``: only what a case table shows is read with them (pages), else every part (the API)."""
    rows = applications_for_actor(actor, applicant_only=applicant_only)
    if (applicant_only or not actor.has_perm(VIEW)) and not acts_for_anyone(actor):
        raise NotPermitted()
    if status:
        if status not in Status.values:
            raise DomainError("invalid_status", _("状态不正确。"), "status")
        rows = rows.filter(status=status)
    if mode:
        if mode not in Mode.values:
            raise DomainError("invalid_mode", _("办理模式不正确。"), "mode")
        rows = rows.filter(mode=mode)
    if matter_code:
        rows = rows.filter(matter__code=matter_code.strip())
    if subject is not None:
        rows = rows.filter(subject=subject)
    if green_channel is not None:
        rows = rows.filter(green_channel=green_channel)
    if cursor:
        (last,) = cursor_decode(cursor, 1)
        rows = rows.filter(id__lt=cursor_id(last))
    limit = page_limit(limit)
    items = list((_for_table if table else _with_parts)(rows.order_by("-id"))[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return Page(items=items, next=cursor_encode(items[-1].pk) if more and items else None)


def _in_states(queryset: QuerySet, states: tuple[str, ...]) -> QuerySet:
    """``status IN (…)`` written into the SQL rather than bound: SQLite uses a partial index only when the query
    repeats the index's condition literally. ``states`` are the code's own constants (models), never input."""
    if not set(states) <= set(Status.values):
        raise ValueError(f"unknown states {states!r}")
    literal = ", ".join(f"'{state}'" for state in states)
    table = Application._meta.db_table
    return queryset.filter(RawSQL(f'"{table}"."status" IN ({literal})', [], output_field=BooleanField()))


# The queues' partial indexes (models.py). Each holds its queue's cases in queue order.
WINDOW_INDEX = "application_window_queue_idx"  # (green channel, deadline, id): every department
REVIEW_INDEX = "application_review_queue_idx"  # (department, green channel, deadline, id)
VERIFICATION_INDEX = "application_verify_queue_idx"  # (department, verification date, id)


def _indexed(ids: QuerySet, index: str) -> tuple[str, list]:
    """The SQL of ``ids`` (a one-table ``values_list``) naming ``index`` for SQLite (``INDEXED BY``; SQLite refuses a
    query the index cannot answer rather than ignore it).

    Left to itself, SQLite plans ``status IN (…)`` through one of the indexes that begin with the status and
    reads — for a page, sorts — every waiting case: half a second at a million open cases, with or without
    ``ANALYZE``, where the queue's index answers in milliseconds. PostgreSQL's planner chooses from its
    statistics, so only SQLite is told."""
    sql, params = ids.query.sql_with_params()
    table = f'FROM "{Application._meta.db_table}"'
    if sql.count(table) != 1 or " JOIN " in sql:
        raise ValueError(f"a queue is read from one table: {sql}")
    return sql.replace(table, f'{table} INDEXED BY "{index}"'), list(params)


def _keys_through(rows: QuerySet, fields: list[str], *, index: str | None, limit: int) -> list[tuple]:
    """``fields`` of the first ``limit`` of ``rows``, in their order, read through ``index`` (None: where no
    index holds the rows in that order)."""
    if limit <= 0 or rows.query.is_empty():
        return []
    keys = rows.values_list(*fields)[:limit]
    if index is None or connection.vendor != "sqlite":
        return list(keys)
    with connection.cursor() as cursor:
        cursor.execute(*_indexed(keys, index))
        return cursor.fetchall()


def _ids_through(rows: QuerySet, *, index: str | None, limit: int) -> list[int]:
    return [key[0] for key in _keys_through(rows, ["id"], index=index, limit=limit)]


def _ids_across_departments(
    rows: QuerySet, order: tuple[str, ...], limit: int, *, index: str, departments: list[int]
) -> list[int]:
    """The ids of the first ``limit`` of ``rows`` in ``order``, for staff who see every department, through an
    ``index`` that begins with the department: the first ``limit`` of each department, one seek each, merged
    here — rather than a sort of every waiting case of the city. ``order``'s fields sort ascending, but for
    booleans, which may sort descending."""
    fields = [name.lstrip("-") for name in order]
    keys = []
    for department in departments:
        keys += _keys_through(rows.filter(department_id=department).order_by(*order), fields, index=index, limit=limit)

    def key(values: tuple) -> tuple:
        return tuple(not value if name.startswith("-") else value for name, value in zip(order, values, strict=True))

    return [values[fields.index("id")] for values in sorted(keys, key=key)[:limit]]


def _count_through(rows: QuerySet, *, index: str | None, limit: int) -> int:
    """How many of ``rows`` there are, up to ``limit``, read through ``index`` (counted in the database)."""
    if limit <= 0 or rows.query.is_empty():
        return 0
    ids = rows.order_by().values_list("id", flat=True)[:limit]
    if index is None or connection.vendor != "sqlite":
        return ids.count()
    sql, params = _indexed(ids, index)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS capped", params)
        return cursor.fetchone()[0]


def _in_index_order(
    rows: QuerySet, order: tuple[str, ...], limit: int, *, index: str, departments: list[int] | None = None
) -> list[Application]:
    """The first ``limit`` cases of a queue in queue order, from the queue's own index (``_ids_through``);
    with ``departments``, the index begins with the department and the actor sees them all
    (``_ids_across_departments``)."""
    ordered = rows.order_by(*order)
    if departments is not None:
        ids = _ids_across_departments(ordered, order, limit, index=index, departments=departments)
    elif connection.vendor != "sqlite":
        return list(_for_table(ordered)[:limit])
    else:
        ids = _ids_through(ordered, index=index, limit=limit)
    found = {
        application.pk: application for application in _for_table(Application.objects.filter(pk__in=ids).order_by())
    }
    return [found[pk] for pk in ids]


def _after(field: str, day: dt.date, last_id: int) -> Q:
    """Keyset: rows after ``(day, last_id)`` in ``(field, id)`` order, written as a range the index seeks to
    (``field >= day``) narrowed by the rest, rather than as an OR the database would scan through."""
    return Q(**{f"{field}__gte": day}) & (Q(**{f"{field}__gt": day}) | Q(id__gt=last_id))


def _green(value: bool) -> Q:
    """``green_channel IN (…)``, not ``= …``: Django writes a boolean test as the bare column (``NOT green_channel``),
    which SQLite cannot seek in an index."""
    return Q(green_channel__in=[value])


def _queue(rows: QuerySet, cursor: str | None, limit: int, *, index: str, departments: list[int] | None = None) -> Page:
    """R10: green channel first, then the current deadline, then filing order; keyset on those three.

    A page is read in stretches, each a seek into the queue's index: after a green-channel case, the rest of
    the green channel, then the other cases from their start; after another case, the rest of those."""
    stretches = [rows]
    if cursor:
        green, due, last = cursor_decode(cursor, 3)
        if green not in ("0", "1"):
            raise bad_cursor()
        try:
            later = _after("due_date", dt.date.fromisoformat(due), cursor_id(last))
        except ValueError as exc:
            raise bad_cursor() from exc
        if green == "1":
            stretches = [rows.filter(_green(True) & later), rows.filter(_green(False))]
        else:
            stretches = [rows.filter(_green(False) & later)]
    limit = page_limit(limit)
    items: list[Application] = []
    for stretch in stretches:
        items += _in_index_order(
            stretch, ("-green_channel", "due_date", "id"), limit + 1 - len(items), index=index, departments=departments
        )
        if len(items) > limit:
            break
    more = len(items) > limit
    items = items[:limit]
    if not (more and items):
        return Page(items=items, next=None)
    tail = items[-1]
    return Page(items=items, next=cursor_encode("1" if tail.green_channel else "0", tail.due_date.isoformat(), tail.pk))


def application_queue_window(*, actor, cursor: str | None = None, limit: int = 50) -> Page:
    """The window clerks' queue: tolerance cases waiting for materials (all departments; the comprehensive
    window receives them), green channel first (R10), then by the supplement or grace deadline."""
    require_perm(actor, "applications.supplement_application")
    rows = _staff_scope(actor, _in_states(Application.objects.all(), WINDOW_QUEUE))
    return _queue(rows, cursor, limit, index=WINDOW_INDEX)


def _review_rows(actor) -> QuerySet:
    """The review queue's cases ``actor`` sees (``REVIEW_INDEX`` holds them in queue order)."""
    return department_scope(actor, _in_states(Application.objects.all(), REVIEW_QUEUE))


def _verification_rows(actor) -> QuerySet:
    """Commitment cases with a verification scheduled that ``actor`` sees (``VERIFICATION_INDEX``)."""
    rows = _in_states(
        Application.objects.filter(mode=Mode.COMMITMENT, verification_due__isnull=False), VERIFICATION_QUEUE
    )
    return department_scope(actor, rows)


def _every_department(actor) -> list[int] | None:
    """Every department's id for staff who see them all, whose queues are read department by department
    from indexes that begin with the department; None for the others."""
    if not sees_all_departments(actor):
        return None
    return list(Department.objects.order_by("id").values_list("id", flat=True))


def application_queue_review(*, actor, cursor: str | None = None, limit: int = 50) -> Page:
    """A reviewer's queue: the department's cases awaiting its decision (under review, or tolerance cases
    reviewed while they wait), green channel first (R10), then by deadline. Own department only."""
    require_perm(actor, "applications.decide_application")
    return _queue(_review_rows(actor), cursor, limit, index=REVIEW_INDEX, departments=_every_department(actor))


def application_queue_verification(*, actor, cursor: str | None = None, limit: int = 50) -> Page:
    """Commitment cases of the reviewer's department with a verification scheduled, by due date
    (verification is supervision, not a service to the applicant: no green-channel priority here)."""
    require_perm(actor, "applications.verify_application")
    rows = _verification_rows(actor)
    if cursor:
        due, last = cursor_decode(cursor, 2)
        try:
            due_day, last_id = dt.date.fromisoformat(due), cursor_id(last)
        except ValueError as exc:
            raise bad_cursor() from exc
        rows = rows.filter(_after("verification_due", due_day, last_id))
    limit = page_limit(limit)
    items = _in_index_order(
        rows, ("verification_due", "id"), limit + 1, index=VERIFICATION_INDEX, departments=_every_department(actor)
    )
    more = len(items) > limit
    items = items[:limit]
    tail = items[-1] if items else None
    return Page(items=items, next=cursor_encode(tail.verification_due.isoformat(), tail.pk) if more and tail else None)


# Counts on the console's home stop here ("999+"): a count never reads more than this many index entries.
COUNT_CAP = 1000


def _capped(rows: QuerySet, *, index: str | None) -> int:
    return _count_through(rows, index=index, limit=COUNT_CAP)


def _capped_overdue(
    rows: QuerySet, *, field: str, before: dt.date, index: str | None, by_green: bool, departments: list[int] | None
) -> int:
    """How many of ``rows`` are past ``field``, counted in stretches the index holds in deadline order: one per
    green-channel value (the queue indexes begin with it), and one per department of ``departments`` (where
    the index begins with the department and the actor sees every department). Capped at ``COUNT_CAP``."""
    parts = [rows.filter(**{f"{field}__lt": before})]
    if departments is not None:
        parts = [part.filter(department_id=department) for department in departments for part in parts]
    if by_green:
        parts = [part.filter(_green(value)) for value in (True, False) for part in parts]
    total = 0
    for part in parts:
        total += _count_through(part, index=index, limit=COUNT_CAP - total)
    return total


def _queue_count(key: str, label: str, rows: QuerySet, index: str, *, field: str, by_green: bool, departments) -> dict:
    """One queue's count and overdue count through its ``index``. With ``departments`` (staff seeing every
    department, an index beginning with the department) the count takes any status index, which finds the
    first thousand at once, and the overdue cases are counted per department."""
    return {
        "key": key,
        "label": label,
        "url_name": f"applications:queue_{key}",
        "count": _capped(rows, index=None if departments else index),
        "overdue": _capped_overdue(
            rows, field=field, before=clock.today(), index=index, by_green=by_green, departments=departments
        ),
    }


def application_queue_counts(*, actor) -> list[dict]:
    """The sizes of the queues ``actor`` works on, and how many in each are overdue (each capped at
    ``COUNT_CAP``), for the console's home; each read through its queue's index."""
    departments = _every_department(actor)
    counts = []
    if actor.has_perm("applications.supplement_application"):
        rows, index = _in_states(Application.objects.all(), WINDOW_QUEUE), WINDOW_INDEX
        if not sees_every_case(actor):
            # The department's share, through the review queue's index (its states include the window's).
            rows, index = department_scope(actor, _in_states(rows, REVIEW_QUEUE)), REVIEW_INDEX
        counts.append(
            _queue_count("window", _("待补正办件"), rows, index, field="due_date", by_green=True, departments=None)
        )
    # The department queues: (key, label, cases, index, deadline field, green channel first).
    queues = []
    if actor.has_perm("applications.decide_application"):
        queues.append(("review", _("待审核办件"), _review_rows(actor), REVIEW_INDEX, "due_date", True))
    if actor.has_perm("applications.verify_application"):
        queues.append(
            ("verification", _("待核查承诺"), _verification_rows(actor), VERIFICATION_INDEX, "verification_due", False)
        )
    for key, label, rows, index, field, by_green in queues:
        counts.append(_queue_count(key, label, rows, index, field=field, by_green=by_green, departments=departments))
    return counts


# ---------------------------------------------------------------------------------------------------
# Letters: previews before acceptance, and proof afterwards


@in_default_language
def commitment_letter_preview(
    *, matter: Matter, subject, certificates: list[Material], agent_name: str = "", agent_authorisation: str = ""
) -> str:
    """The commitment letter the applicant is asked to accept, as it will be frozen (the case number and
    the time of signing are filled in when the case is filed)."""
    template = letters.letter_template_current(LetterKind.COMMITMENT_LETTER, matter)
    return letters.render_body(
        template.body,
        {
            "case": {"number": _("（受理时生成）"), "channel_label": ""},
            "matter": letters.matter_context(matter),
            "subject": letters.subject_context(subject),
            "certificates": [letters.certificate_context(m, matter) for m in certificates],
            "verification": letters.verification_context(matter),
            "listing": letters.listing_context(clock.today()),
            "signer": letters.signer_context(
                subject=subject, agent_name=agent_name, agent_authorisation=agent_authorisation
            ),
        },
    )


@in_default_language
def supplement_pledge_preview(
    *, matter: Matter, subject, missing: list[Material], agent_name: str = "", agent_authorisation: str = ""
) -> str:
    """The supplement pledge the applicant is asked to accept, with the deadline it would have if filed today."""
    today = clock.today()
    due = add_working_days(today, matter.supplement_days)
    template = letters.letter_template_current(LetterKind.SUPPLEMENT_PLEDGE, matter)
    return letters.render_body(
        template.body,
        {
            "case": {"number": _("（受理时生成）"), "channel_label": ""},
            "matter": letters.matter_context(matter),
            "subject": letters.subject_context(subject),
            "missing": [letters.missing_context(m) for m in missing],
            "deadline": {"date": letters.date_label(due.date), "provisional": due.provisional},
            "grace_days": workflow_policy_on(today).grace_days,
            "listing": letters.listing_context(today),
            "signer": letters.signer_context(
                subject=subject, agent_name=agent_name, agent_authorisation=agent_authorisation
            ),
        },
    )


def letter_verify(letter) -> bool:
    """Whether a frozen letter, pledge or document still matches the SM3 hash taken when it was frozen."""
    return letter.text_intact()


def application_open_for(*, subject, matter) -> Application | None:
    """The subject's newest case of ``matter`` still being handled (a second filing of the same matter is
    warned of, and never approved instantly while this one is open). One indexed query: (subject, matter, -id).

    Every filing asks, and almost every one finds none: the statement is written out (the ORM would spend
    several times the query building it), the case's fields read only when there is one."""
    from xinyipi.applications.workflow import OPEN_STATUSES

    statuses = sorted(OPEN_STATUSES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Application._meta.db_table} WHERE subject_id = %s AND matter_id = %s "
            f"AND status IN ({', '.join(['%s'] * len(statuses))}) ORDER BY id DESC LIMIT 1",
            [subject.pk, matter.pk, *statuses],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Application.objects.only("id", "number", "status", "created_at").get(pk=row[0])
