"""The demo data shows every level, is idempotent, and agrees with the registry server's fixtures."""

import pytest

from xinyipi.core.errors import DomainError
from xinyipi.credit.demo import DEMO_SUBJECTS, load_demo_credit
from xinyipi.credit.models import CreditRecord, IncentiveCard
from xinyipi.credit.registry.server import registry_in_thread
from xinyipi.credit.services import credit_check_run
from xinyipi.credit.tests.conftest import configure
from xinyipi.subjects.models import Subject
from xinyipi.subjects.selectors import subject_by_code

pytestmark = pytest.mark.django_db


def level_of(code, card=None):
    check = credit_check_run(subject=subject_by_code(code), purpose="window_enquiry", actor=None, incentive_card=card)
    return check.level, sorted(check.entitlements), check.complete


def test_demo_is_idempotent():
    first = load_demo_credit()
    counts = (Subject.objects.count(), CreditRecord.objects.count(), IncentiveCard.objects.count())
    second = load_demo_credit()
    assert (Subject.objects.count(), CreditRecord.objects.count(), IncentiveCard.objects.count()) == counts
    assert first["subjects"] == second["subjects"]
    assert {s["code"] for s in first["subjects"]} == {code for _kind, code, _name, _note in DEMO_SUBJECTS}


def test_demo_shows_every_level_with_local_sources_only():
    load_demo_credit()
    assert level_of("91150783MA7XYP0015", card="NMJL2026000101")[0] == "exemplary"
    assert level_of("91150783MA7XYP0028")[0] == "good"
    assert level_of("91150783MA7XYP003B")[:2] == ("ordinary", ["commitment"])
    assert level_of("91150783MA7XYP004E")[:2] == ("dishonest", [])
    assert level_of("91150783MA7XYP005H")[:2] == ("ordinary", [])
    assert level_of("91150783MA7XYP0103")[0] == "ordinary"
    for code, card, reason in [
        ("91150783MA7XYP006L", "NMJL2026000106", "card_revoked"),
        ("91150783MA7XYP007P", "NMJL2025000107", "card_expired"),
        ("91150783MA7XYP0028", "NMJL2026000101", "card_holder_mismatch"),
    ]:
        with pytest.raises(DomainError) as caught:
            level_of(code, card)
        assert caught.value.code == reason


def test_demo_with_the_registry_server_adds_the_national_records(settings):
    load_demo_credit()
    with registry_in_thread() as server:  # the shipped fixtures, as make demo serves them
        configure(settings, server.base_url)
        assert level_of("91150783MA7XYP008T") == ("dishonest", [], True)
        assert level_of("91150783MA7XYP009X") == ("ordinary", ["commitment"], True)
        assert level_of("150783197908230011")[0] == "dishonest"
        assert level_of("91150783MA7XYP0015", card="NMJL2026000101")[0] == "exemplary"
        # The listing both the store and the national system report is one finding, not two.
        check = credit_check_run(subject=subject_by_code("91150783MA7XYP003B"), purpose="window_enquiry", actor=None)
        assert [f["category"] for f in check.findings] == ["abnormal_operations"]
