"""Several people (or sweeps) at once, on real connections: exactly one wins, nothing is doubled, every
filing gets its own number. Run on SQLite (the default) and on PostgreSQL (``DATABASE_URL=postgres://…``)."""

import threading

import pytest
from django.db import connection

from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.applications.models import Application, Transition
from xinyipi.applications.services import application_decide, application_supplement
from xinyipi.applications.tests.factories import standard_case, tolerance_case
from xinyipi.applications.tests.test_deadlines import after
from xinyipi.core.errors import InvalidTransition
from xinyipi.notifications.models import Notification
from xinyipi.records.models import CreditRecordEvent
from xinyipi.supervision.models import BlacklistEntry

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls):
    """Run each call in its own thread with its own connection, released together; returns results/errors."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_reviewers_deciding_one_case_exactly_one_wins(
    clerk, reviewer, make_user, department, standard_matter, enterprise
):
    from xinyipi.accounts import roles

    second = make_user(roles.REVIEWER, department)
    application = standard_case(clerk, standard_matter, enterprise)
    # Both read the case before either decides (as two open browser pages would).
    copies = [Application.objects.get(pk=application.pk) for _ in range(2)]
    results = run_together(
        lambda: application_decide(actor=reviewer, application=copies[0], outcome="approve", reason="材料齐全"),
        lambda: application_decide(actor=second, application=copies[1], outcome="reject", reason="条件不符"),
    )
    winners = [r for r in results if isinstance(r, Application)]
    losers = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(winners) == 1 and len(losers) == 1, results
    final = Application.objects.get(pk=application.pk)
    assert final.status == winners[0].status
    assert Transition.objects.filter(application=application, from_status="under_review").count() == 1
    assert CreditRecordEvent.objects.filter(subject=enterprise, type="decision").count() == 1
    assert Notification.objects.filter(subject=enterprise, kind="decision").count() == 1


def test_twenty_concurrent_filings_get_twenty_distinct_numbers(clerk, standard_matter, make_enterprise):
    subjects = [make_enterprise() for _ in range(20)]
    results = run_together(*[(lambda s=s: standard_case(clerk, standard_matter, s)) for s in subjects])
    errors = [r for r in results if not isinstance(r, Application)]
    assert errors == []
    numbers = {r.number for r in results}
    assert len(numbers) == 20 == Application.objects.count()
    assert sorted(int(n[-4:]) for n in numbers) == list(range(1, 21))


def test_two_supplements_at_once_bring_the_last_material_and_approve_once(
    clerk, applicant_for, tolerance_matter, enterprise
):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    applicant = applicant_for(enterprise)
    copies = [Application.objects.get(pk=application.pk) for _ in range(2)]
    results = run_together(
        lambda: application_supplement(actor=clerk, application=copies[0], materials=["B1"]),
        lambda: application_supplement(actor=applicant, application=copies[1], materials=["B2"]),
    )
    assert all(isinstance(r, Application) for r in results), results
    assert Application.objects.get(pk=application.pk).status == "approved"
    assert CreditRecordEvent.objects.filter(subject=enterprise, type="pledge_fulfilled").count() == 1


def test_two_sweeps_at_once_double_nothing(clerk, tolerance_matter, make_enterprise):
    cases = [tolerance_case(clerk, tolerance_matter, make_enterprise()) for _ in range(4)]
    reminded_at = after(cases[0].supplement_due)
    reports = run_together(lambda: deadlines_sweep(now=reminded_at), lambda: deadlines_sweep(now=reminded_at))
    assert sorted(n for r in reports for n in r.reminded) == sorted(c.number for c in cases)
    assert CreditRecordEvent.objects.filter(type="reminder_sent").count() == 4
    assert Notification.objects.filter(kind="reminder", channel="sms").count() == 4
    assert Transition.objects.filter(to_status="reminded").count() == 4

    terminated_at = after(Application.objects.get(pk=cases[0].pk).grace_due)
    reports = run_together(lambda: deadlines_sweep(now=terminated_at), lambda: deadlines_sweep(now=terminated_at))
    assert sum(len(r.terminated) for r in reports) == 4
    assert BlacklistEntry.objects.count() == 4
    assert CreditRecordEvent.objects.filter(type="pledge_breached").count() == 4
