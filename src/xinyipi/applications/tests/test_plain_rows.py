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
