"""Approvals at the same instant, on real connections: each licence gets its own serial. Run on SQLite (the
default) and on PostgreSQL (``DATABASE_URL=postgres://…``)."""

import pytest

from xinyipi.applications.tests.factories import licence_case
from xinyipi.applications.tests.test_concurrency import run_together
from xinyipi.licences.identifiers import identifier_parse
from xinyipi.licences.models import Licence

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_approvals_get_distinct_serials(clerk, licence_matter, make_enterprise):
    subjects = [make_enterprise() for _ in range(4)]
    results = run_together(*[lambda s=s: licence_case(clerk, licence_matter, s) for s in subjects])
    assert all(getattr(r, "status", None) == "approved" for r in results), results
    serials = sorted(identifier_parse(i).serial[1:-1] for i in Licence.objects.values_list("identifier", flat=True))
    assert len(serials) == 4 and len(set(serials)) == 4
    assert [int(s[4:]) for s in serials] == [1, 2, 3, 4]  # one sequence, no number given twice
