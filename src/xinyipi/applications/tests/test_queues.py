"""R10: queues serve the green channel first, then by deadline; reviewers see only their department; pages
are keyset pages with a fixed number of queries (no COUNT, no N+1)."""

import datetime as dt
import functools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinyipi.accounts import roles
from xinyipi.applications.models import Application
from xinyipi.applications.selectors import (
    application_page,
    application_queue_counts,
    application_queue_review,
    application_queue_verification,
    application_queue_window,
)
from xinyipi.applications.services import application_file
from xinyipi.catalog.tests.factories import MaterialFactory, MatterFactory
from xinyipi.core import clock
from xinyipi.core.errors import NotPermitted

pytestmark = pytest.mark.django_db


def file(clerk, matter, subject, mode="standard", **kwargs):
    materials = kwargs.pop("materials", [m.code for m in matter.materials.all()])
    return application_file(
        actor=clerk, matter=matter, subject=subject, mode=mode, materials=materials, channel="window", **kwargs
    )


def walk(call, limit):
    """Every item of every page of a keyset-paginated selector, page by page."""
    seen, cursor = [], None
    while True:
        page = call(cursor=cursor, limit=limit)
        seen += page.items
        if page.next is None:
            return seen
        cursor = page.next


@pytest.fixture
def cases(clerk, standard_matter, make_enterprise, make_ordinary):
    """Six cases under review: green-channel ones (good credit) and others (ordinary), due on various days."""
    made = []
    for index in range(6):
        subject = make_enterprise()
        if index % 2:
            make_ordinary(subject)
        application = file(clerk, standard_matter, subject)
        due = dt.date(2030, 1, 10) - dt.timedelta(days=index)
        Application.objects.filter(pk=application.pk).update(due_date=due, decision_due=due)
        made.append(Application.objects.get(pk=application.pk))
    return made


def expected_order(items):
    return sorted(items, key=lambda a: (not a.green_channel, a.due_date, a.pk))


def by_verification_due(items):
    return sorted(items, key=lambda a: (a.verification_due, a.pk))


def test_r10_review_queue_green_channel_first_then_by_deadline(reviewer, cases):
    queue = application_queue_review(actor=reviewer).items
    assert [a.pk for a in queue] == [a.pk for a in expected_order(cases)]
    assert [a.green_channel for a in queue] == [True, True, True, False, False, False]


def test_r10_review_queue_pages_cover_everything_once(reviewer, cases):
    walked = walk(lambda **kw: application_queue_review(actor=reviewer, **kw), limit=2)
    assert [a.pk for a in walked] == [a.pk for a in expected_order(cases)]


def test_r10_window_queue_green_channel_first(clerk, tolerance_matter, make_enterprise):
    good = make_enterprise()
    cases = [
        file(clerk, tolerance_matter, good, "tolerance", materials=["A1", "B3"], supplement_pledge={"accepted": True})
        for _ in range(3)
    ]
    # A case whose green channel was withdrawn (R9) waits behind them, even with the earliest deadline.
    other = file(
        clerk, tolerance_matter, good, "tolerance", materials=["A1", "B3"], supplement_pledge={"accepted": True}
    )
    Application.objects.filter(pk=other.pk).update(green_channel=False, due_date=dt.date(2000, 1, 1))
    queue = walk(lambda **kw: application_queue_window(actor=clerk, **kw), limit=1)
    assert [a.pk for a in queue] == [c.pk for c in cases] + [other.pk]


def test_r10_reviewers_see_only_their_department(reviewer, other_reviewer, cases):
    assert len(application_queue_review(actor=reviewer).items) == 6
    assert application_queue_review(actor=other_reviewer).items == []
    assert application_page(actor=other_reviewer).items == []


def test_queues_are_for_their_roles(reviewer, clerk, cases):
    with pytest.raises(NotPermitted):
        application_queue_review(actor=clerk)
    with pytest.raises(NotPermitted):
        application_queue_window(actor=reviewer)


def test_verification_queue_by_due_date(clerk, reviewer, department, make_enterprise):
    matter = MatterFactory(department=department, licence_commitment=True)
    MaterialFactory(matter=matter, code="A1")
    made = []
    for days in (30, 10, 20):
        matter.verification_days = days
        matter.save(update_fields=["verification_days"])
        made.append(
            file(clerk, matter, make_enterprise(), "commitment", commitment={"certificates": [], "accepted": True})
        )
    queue = application_queue_verification(actor=reviewer).items
    assert [a.pk for a in queue] == [made[1].pk, made[2].pk, made[0].pk]


@pytest.mark.parametrize("size", [3, 12])
def test_pages_take_a_fixed_number_of_queries(reviewer, clerk, standard_matter, make_enterprise, size):
    """The page's rows from one table (no join: the planner then reads them in index order), then each part
    by primary key; the number of queries does not grow with the page."""
    for _ in range(size):
        file(clerk, standard_matter, make_enterprise())
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # fresh permission cache
    table = Application._meta.db_table
    for selector, parts in (
        (application_queue_review, ("matter", "subject")),
        (functools.partial(application_page, table=True), ("matter", "subject")),
        (application_page, ("matter", "subject", "department", "materials")),
    ):
        selector(actor=reviewer, limit=50)  # warm the permission cache
        with CaptureQueriesContext(connection) as queries:
            page = selector(actor=reviewer, limit=50)
            for application in page.items:
                _ = (application.matter.name, application.subject.name)
                if "materials" in parts:
                    _ = (application.department.code, [m.state for m in application.materials.all()])
        assert len(page.items) == size
        sql = [q["sql"].upper() for q in queries.captured_queries]
        # The rows (on SQLite a queue reads its ids from its index first), each part, at most one permission look-up.
        assert len(sql) <= 2 + len(parts) + 1, sql
        assert not any("COUNT(" in q for q in sql)
        rows = [q for q in sql if f'FROM "{table.upper()}"' in q]
        assert 1 <= len(rows) <= 2 and not any(" JOIN " in q for q in rows), rows


def test_staff_without_department_see_nothing_in_review(make_user, cases):
    lonely = make_user(roles.REVIEWER, None)
    assert application_queue_review(actor=lonely).items == []


def test_queue_states_match_the_workflow():
    from xinyipi.applications.models import REVIEW_QUEUE, VERIFICATION_QUEUE, WINDOW_QUEUE
    from xinyipi.applications.workflow import REVIEW_STATUSES, VERIFIABLE_STATUSES, WINDOW_STATUSES

    assert set(REVIEW_QUEUE) == REVIEW_STATUSES
    assert set(WINDOW_QUEUE) == WINDOW_STATUSES
    assert set(VERIFICATION_QUEUE) == VERIFIABLE_STATUSES


@pytest.fixture
def crowd(clerk, tolerance_matter, make_enterprise):
    """600 cases of one department in every queue state, green or not, some past their deadlines, and SQLite
    given sampled statistics (which mislead its choice among the indexes that begin with the status)."""
    first = file(
        clerk,
        tolerance_matter,
        make_enterprise(),
        "tolerance",
        materials=["A1", "B3"],
        supplement_pledge={"accepted": True},
    )
    states = ["awaiting_supplement", "under_review", "approved", "reminded", "verifying"]
    today = clock.today()
    Application.objects.bulk_create(
        [
            Application(
                **{f.attname: getattr(first, f.attname) for f in Application._meta.concrete_fields if not f.primary_key}
                | {
                    "number": f"{first.number}-{n}",
                    "status": states[n % len(states)],
                    "mode": "commitment" if n % 2 else "tolerance",
                    "green_channel": n % 3 == 0,
                    "due_date": today + dt.timedelta(days=n % 17 - 4),
                    "verification_due": today + dt.timedelta(days=n % 11 - 3),
                }
            )
            for n in range(600)
        ]
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit = 100")
            cursor.execute("ANALYZE")
    return Application.objects.all()


def _plans(queries) -> list[str]:
    """For each captured query that names an index, SQLite's plan: its step on the cases table, and whether
    anything is sorted (``TEMP B-TREE``); a count's subquery runs as a co-routine around the same step."""
    plans = []
    with connection.cursor() as cursor:
        for sql in [q["sql"] for q in queries.captured_queries if "INDEXED BY" in q["sql"]]:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            steps = [row[-1] for row in cursor.fetchall()]
            (step,) = [s for s in steps if " applications_application " in f"{s} "]
            plans.append(step + (" / TEMP B-TREE" if any("TEMP B-TREE" in s for s in steps) else ""))
    return plans


def test_r10_queues_are_read_from_their_own_index_in_queue_order(clerk, reviewer, crowd):
    """Each queue page comes from its partial index, already in queue order (no sort of every waiting case),
    whatever statistics the planner has: on SQLite the query names the index; elsewhere the order is checked."""
    for selector, actor, index in (
        (application_queue_window, clerk, "application_window_queue_idx"),
        (application_queue_review, reviewer, "application_review_queue_idx"),
        (application_queue_verification, reviewer, "application_verify_queue_idx"),
    ):
        with CaptureQueriesContext(connection) as queries:
            page = selector(actor=actor, limit=20)
        assert len(page.items) == 20
        if selector is application_queue_verification:
            assert page.items == sorted(page.items, key=lambda a: (a.verification_due, a.pk))
        else:
            assert page.items == expected_order(page.items)
        if connection.vendor == "sqlite":
            (plan,) = _plans(queries)
            assert index in plan and "TEMP B-TREE" not in plan, plan
        # The next page starts where this one ended: a seek into the index, not a walk past the first page.
        with CaptureQueriesContext(connection) as queries:
            following = selector(actor=actor, limit=20, cursor=page.next)
        assert following.items and not {a.pk for a in following.items} & {a.pk for a in page.items}
        if connection.vendor == "sqlite":
            (plan,) = _plans(queries)
            assert plan.startswith("SEARCH") and "ANY(" not in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("who", ["clerk", "reviewer", "superuser"])
def test_r10_console_counts_each_queue_and_its_overdue_cases_through_its_index(who, request, crowd):
    actor = request.getfixturevalue(who)
    today = clock.today()
    with CaptureQueriesContext(connection) as queries:
        counts = {c["key"]: (c["count"], c["overdue"]) for c in application_queue_counts(actor=actor)}
    window = crowd.filter(status__in=["awaiting_supplement", "reminded"])
    review = crowd.filter(status__in=["under_review", "awaiting_supplement", "reminded"])
    verification = crowd.filter(status__in=["approved", "verifying"], mode="commitment", verification_due__isnull=False)
    expected = {
        "clerk": {"window": window},
        "reviewer": {"review": review, "verification": verification},
        "superuser": {"window": window, "review": review, "verification": verification},
    }[who]
    assert set(counts) == set(expected)
    for key, rows in expected.items():
        field = "verification_due" if key == "verification" else "due_date"
        overdue = rows.filter(**{f"{field}__lt": today}).count()
        assert 0 < overdue < rows.count()
        assert counts[key] == (rows.count(), overdue), key
    if connection.vendor == "sqlite":
        plans = _plans(queries)
        assert plans and not any("TEMP B-TREE" in plan for plan in plans), plans
        assert all(plan.startswith("SEARCH") or plan.startswith("SCAN") for plan in plans)
        overdue_plans = [plan for plan in plans if re.search(r"due(_date)?<", plan)]
        # Seeks to the overdue stretch of each green-channel value (and department), never a skip or a scan.
        assert overdue_plans and all(plan.startswith("SEARCH") and "ANY(" not in plan for plan in overdue_plans)


def test_r10_staff_seeing_every_department_get_one_queue_merged_from_each_departments_index(superuser, crowd):
    """Whoever sees every department (the superuser) gets one queue across them, in queue order, page after
    page; each department's stretch is a seek into the queue's index (which begins with the department), so
    nothing sorts every waiting case of the city."""
    from xinyipi.accounts.tests.factories import DepartmentFactory

    for department in DepartmentFactory.create_batch(2):
        Application.objects.bulk_create(
            [
                Application(
                    **{f.attname: getattr(case, f.attname) for f in Application._meta.concrete_fields}
                    | {"id": None, "number": f"{case.number}-d{department.pk}", "department_id": department.pk}
                )
                for case in crowd.order_by("id")[:: department.pk % 3 + 2]
            ]
        )
    review = Application.objects.filter(status__in=["under_review", "awaiting_supplement", "reminded"])
    verification = Application.objects.filter(
        status__in=["approved", "verifying"], mode="commitment", verification_due__isnull=False
    )
    assert review.values("department").distinct().count() == 3

    for selector, rows, order, index in (
        (application_queue_review, review, expected_order, "application_review_queue_idx"),
        (application_queue_verification, verification, by_verification_due, "application_verify_queue_idx"),
    ):
        with CaptureQueriesContext(connection) as queries:
            pages = walk(functools.partial(selector, actor=superuser), limit=40)
        assert [a.pk for a in pages] == [a.pk for a in order(rows)]
        if connection.vendor == "sqlite":
            plans = _plans(queries)
            assert plans and all(index in plan and "TEMP B-TREE" not in plan for plan in plans), plans
