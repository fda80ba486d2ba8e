"""Plain INSERTs (``core/rows.py``), as a filing writes its case's history with them: what they write is what the
ORM would have written, keys in order."""

import pytest

from xinyipi.applications.models import Transition
from xinyipi.applications.tests.factories import standard_case
from xinyipi.core.rows import rows_insert

pytestmark = pytest.mark.django_db


def test_several_rows_in_one_statement_get_their_keys_in_order(clerk, standard_matter, enterprise):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    application = standard_case(clerk, standard_matter, enterprise)
    rows = [
        Transition(application=application, from_status="a", to_status=f"s{n}", at=application.created_at,
                   actor=clerk, actor_label="窗口", reason=f"第{n}步")
        for n in range(5)
    ]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        rows_insert(rows)
    assert len(queries.captured_queries) == 1
    assert all(row.pk is not None and not row._state.adding for row in rows)
    stored = {t.pk: (t.to_status, t.reason, t.actor_id, t.at) for t in Transition.objects.filter(from_status="a")}
    expected = [(f"s{n}", f"第{n}步", clerk.pk, application.created_at) for n in range(5)]
    assert [stored[row.pk] for row in rows] == expected


def test_no_rows_write_nothing():
    rows_insert([])
    assert not Transition.objects.exists()


def _orm_values(obj) -> list:
    from django.db import connection

    fields = [f for f in obj._meta.concrete_fields if not f.primary_key]
    return [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]


def _typed(values: list) -> list:
    """Each value with its type: on PostgreSQL an integer goes to the driver wrapped in its column's type, which
    compares equal to the plain integer; a JSON value wrapped for psycopg is compared by what it wraps."""
    return [(type(v), getattr(v, "obj", v)) for v in values]


def test_row_values_are_what_the_orm_would_send(clerk, licence_matter, enterprise):
    """Every row a filing writes, its values prepared as ``get_db_prep_save`` prepares them, type for type."""
    from django.db import connection

    from xinyipi.applications.models import ApplicationMaterial, CaseDocument
    from xinyipi.applications.tests.factories import licence_case
    from xinyipi.audit.models import AuditEntry
    from xinyipi.core.rows import row_values
    from xinyipi.records.models import CreditRecordEvent

    application = licence_case(clerk, licence_matter, enterprise)
    rows = [
        application,
        application.credit_check,
        *Transition.objects.filter(application=application),
        *ApplicationMaterial.objects.filter(application=application),
        *CaseDocument.objects.filter(application=application),
        *AuditEntry.objects.all(),
        *CreditRecordEvent.objects.all(),
    ]
    assert len({type(row) for row in rows}) == 7
    for row in rows:
        assert _typed(row_values(row, connection)) == _typed(_orm_values(row)), type(row).__name__


def test_row_values_of_another_type_are_prepared_by_the_field(clerk, standard_matter, enterprise):
    from django.db import connection

    from xinyipi.core import clock
    from xinyipi.core.rows import row_values

    application = standard_case(clerk, standard_matter, enterprise)
    row = Transition(application=application, from_status=5, to_status="x", at=clock.to_beijing(clock.now()),
                     actor_id=str(clerk.pk), actor_label="窗口", reason="")  # fmt: skip
    values = row_values(row, connection)
    assert _typed(values) == _typed(_orm_values(row))
    assert "5" in values  # the integer given for a text column is sent as text


def test_a_row_selected_by_hand_is_the_row_the_orm_reads(clerk, enterprise):
    """``row_select`` (the token's user, the subject): every field converted as the ORM converts it."""
    from xinyipi.accounts.models import User
    from xinyipi.core.rows import row_select
    from xinyipi.subjects.models import Subject

    for model, key in ((User, clerk.pk), (Subject, enterprise.pk)):
        fields = model._meta.concrete_fields
        by_hand = row_select(model, f"FROM {model._meta.db_table} t WHERE t.id = %s", [key], alias="t")
        by_orm = model.objects.get(pk=key)
        assert [getattr(by_hand, f.attname) for f in fields] == [getattr(by_orm, f.attname) for f in fields]
        assert [type(getattr(by_hand, f.attname)) for f in fields] == [type(getattr(by_orm, f.attname)) for f in fields]
        assert not by_hand._state.adding
        assert row_select(model, f"FROM {model._meta.db_table} WHERE id = %s", [-1]) is None
