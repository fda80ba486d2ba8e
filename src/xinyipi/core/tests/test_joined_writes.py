"""Writes nothing reads back, held and sent with a later statement on PostgreSQL (``core.rows.writes_joined``):
the same rows as when each is written where it is made, in fewer round trips, and none when the block fails."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from xinyipi.audit.models import AuditEntry
from xinyipi.audit.selectors import audit_chain_check
from xinyipi.audit.services import audit_records
from xinyipi.core.rows import writes_joined
from xinyipi.records.models import CreditRecordEvent, RecordShare
from xinyipi.records.services import record_append
from xinyipi.subjects.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="joins writes on PostgreSQL only")


def _events(subject) -> list[CreditRecordEvent]:
    return list(CreditRecordEvent.objects.filter(subject=subject).order_by("id"))


def _append(subject, summary: str, joined) -> None:
    record_append(subject=subject, type="credit_check", summary=summary, payload={"n": summary}, joined=joined)


@pytest.mark.django_db(transaction=True)
def test_writes_joined_asks_for_the_transaction_of_the_writes():
    with pytest.raises(RuntimeError, match="inside the transaction"), writes_joined():
        pass


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own way")
def test_on_sqlite_nothing_is_held_and_each_write_runs_where_it_is_made():
    subject = SubjectFactory()
    with transaction.atomic(), writes_joined() as joined:
        assert joined is None
        _append(subject, "一", joined)
        assert [e.summary for e in _events(subject)] == ["一"]


@postgresql_only
def test_r8_a_held_event_is_written_with_the_audit_entries_in_one_statement():
    subject = SubjectFactory()
    with transaction.atomic(), writes_joined() as joined:
        _append(subject, "一", joined)
        assert _events(subject) == []  # held: not yet sent
        with CaptureQueriesContext(connection) as captured:
            entry = {"actor": None, "action": "test.joined", "object_type": "t", "object_id": "1"}
            audit_records([entry], carrying=joined)
        assert joined.parts == []
    writes = [q["sql"] for q in captured if "INSERT" in q["sql"]]
    assert len(writes) == 1
    assert all(table in writes[0] for table in ("records_creditrecordevent", "records_recordshare", "audit_auditentry"))
    [event] = _events(subject)
    assert (event.summary, event.payload) == ("一", {"n": "一"})
    # The event has its sharing row, as when written alone (R8: shared once, none lost).
    assert list(RecordShare.objects.filter(event__subject=subject).values_list("event_id", flat=True)) == [event.pk]
    assert AuditEntry.objects.filter(action="test.joined").count() == 1
    assert audit_chain_check().broken is None


@postgresql_only
def test_r8_writes_no_statement_took_are_sent_as_one_when_the_block_ends():
    subject = SubjectFactory()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured, writes_joined() as joined:
            _append(subject, "一", joined)
            assert captured.captured_queries == []
        assert len(captured.captured_queries) == 1
    assert [e.summary for e in _events(subject)] == ["一"]
    assert RecordShare.objects.filter(event__subject=subject).count() == 1


@postgresql_only
def test_r8_events_keep_the_order_they_were_made_in():
    # A subject's credit record reads its events in the order of their keys; PostgreSQL runs the parts of one
    # statement in no set order, so a second event sends the first before it is held.
    subject = SubjectFactory()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured, writes_joined() as joined:
            for summary in ("一", "二", "三"):
                _append(subject, summary, joined)
        assert len(captured.captured_queries) == 3
    assert [e.summary for e in _events(subject)] == ["一", "二", "三"]


@postgresql_only
def test_r8_held_writes_are_dropped_with_a_block_that_fails():
    subject = SubjectFactory()
    with pytest.raises(ValueError), transaction.atomic(), writes_joined() as joined:
        _append(subject, "一", joined)
        raise ValueError("the change is refused")
    assert _events(subject) == []
    assert not RecordShare.objects.filter(event__subject=subject).exists()


@postgresql_only
def test_a_carrying_statement_that_opens_with_with_keeps_its_own_parts():
    with transaction.atomic(), writes_joined() as joined:
        joined.add(("INSERT INTO core_cachegeneration (name, value) VALUES (%s, %s) RETURNING name", ["joined", 7]))
        sql, params = joined.carried_by("WITH own AS (SELECT %s AS n) SELECT n FROM own", [3])
        assert sql.startswith("WITH joined0 AS (INSERT INTO core_cachegeneration")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert cursor.fetchone() == (3,)
            cursor.execute("SELECT value FROM core_cachegeneration WHERE name = %s", ["joined"])
            assert cursor.fetchone() == (7,)


@postgresql_only
def test_r13_two_moves_of_the_same_day_held_together_both_count(department):
    # One statement may not change a row twice (PostgreSQL would keep one change): a second move's upserts
    # send the first's before they are held, and the day's row counts both.
    from xinyipi.catalog.tests.factories import MatterFactory
    from xinyipi.stats.models import DayFigures
    from xinyipi.stats.rollup import CaseFacts, rollup_move

    matter = MatterFactory(department=department)
    day = dt.date(2026, 12, 7)
    facts = CaseFacts(day=day, department_id=department.pk, matter_id=matter.pk, mode="instant",
                      credit_level="good", status="approved", decided_on=day, decision_due=day)  # fmt: skip
    with transaction.atomic(), writes_joined() as joined:
        rollup_move(None, facts, joined=joined)
        rollup_move(None, facts, joined=joined)
    row = DayFigures.objects.get(day=day, matter=matter)
    assert (row.applications, row.approved) == (2, 2)
