"""Two ratings of the same case and event at once: exactly one is kept, the other is ``rating_exists``."""

import pytest

from xinyipi.applications.tests.factories import standard_case
from xinyipi.applications.tests.test_concurrency import run_together
from xinyipi.core.errors import InvalidTransition
from xinyipi.ratings.models import Rating
from xinyipi.ratings.services import rating_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_ratings_of_one_event_at_once_keep_one(clerk, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    results = run_together(
        *[(lambda s=s: rating_record(actor=clerk, application=application, score=s, source="window")) for s in (1, 5)]
    )
    assert sorted(type(r).__name__ for r in results) == sorted([InvalidTransition.__name__, Rating.__name__])
    assert [r.code for r in results if isinstance(r, InvalidTransition)] == ["rating_exists"]
    assert Rating.objects.count() == 1
