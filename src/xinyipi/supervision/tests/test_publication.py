"""R12: the city list is published to the public, with personal data masked."""

import datetime as dt

import pytest

from xinyipi.core import clock
from xinyipi.supervision.models import BlacklistEntry
from xinyipi.supervision.selectors import mask_person_name
from xinyipi.supervision.services import blacklist_entry_list, blacklist_propose

pytestmark = pytest.mark.django_db


def _listed(subject):
    entry = blacklist_propose(subject=subject, reason="pledge_breached", case=None, evidence="", actor=None)
    effective = dt.datetime.combine(entry.objection_due + dt.timedelta(days=1), dt.time(9), tzinfo=clock.BEIJING)
    with clock.acting_at(effective):
        return blacklist_entry_list(entry_id=entry.pk)


def test_r12_blacklist_is_published_with_the_persons_name_and_number_masked(client, enterprise, person):
    _listed(enterprise)
    _listed(person)
    page = client.get("/blacklist/").content.decode()
    assert enterprise.name in page
    assert enterprise.code_display in page
    assert person.name not in page
    assert mask_person_name(person.name) in page
    assert person.code_plain() not in page
    assert person.code_display in page  # the masked form only
    assert "扎兰屯市政务服务信用监管黑名单" in page


def test_r12_only_entries_in_effect_are_published(client, enterprise, make_enterprise):
    proposed = make_enterprise()
    blacklist_propose(subject=proposed, reason="pledge_breached", case=None, evidence="", actor=None)
    withdrawn = make_enterprise()
    entry = blacklist_propose(subject=withdrawn, reason="pledge_breached", case=None, evidence="", actor=None)
    BlacklistEntry.objects.filter(pk=entry.pk).update(status=BlacklistEntry.Status.WITHDRAWN)
    _listed(enterprise)
    page = client.get("/blacklist/").content.decode()
    assert enterprise.name in page
    assert proposed.name not in page
    assert withdrawn.name not in page


def test_r12_a_listing_whose_publicity_ended_is_not_published_even_before_the_sweep(client, enterprise):
    entry = _listed(enterprise)
    last_day = dt.datetime.combine(entry.publicity_until, dt.time(23, 59), tzinfo=clock.BEIJING)
    with clock.acting_at(last_day):
        assert enterprise.name in client.get("/blacklist/").content.decode()
    with clock.acting_at(last_day + dt.timedelta(minutes=2)):
        assert enterprise.name not in client.get("/blacklist/").content.decode()
    entry.refresh_from_db()
    assert entry.status == BlacklistEntry.Status.LISTED  # not yet expired by the sweep


def test_r12_people_are_found_by_full_number_only(client, person):
    _listed(person)
    assert mask_person_name(person.name) in client.get("/blacklist/", {"q": person.code_plain()}).content.decode()
    assert mask_person_name(person.name) not in client.get("/blacklist/", {"q": person.name}).content.decode()
    assert "目前没有公示中的名单" in client.get("/blacklist/", {"q": person.code_plain()[:10]}).content.decode()


@pytest.mark.parametrize(
    ("name", "masked"), [("王雅琴", "王*琴"), ("李明", "李*"), ("欧阳海燕", "欧**燕"), ("王", "*")]
)
def test_r12_person_names_are_masked(name, masked):
    assert mask_person_name(name) == masked


def test_r12_bad_cursor_falls_back_to_the_first_page(client, enterprise):
    _listed(enterprise)
    response = client.get("/blacklist/", {"cursor": "x"})
    assert response.status_code == 200
    assert enterprise.name in response.content.decode()


@pytest.mark.parametrize("cursor", ["²", "9" * 5000])
def test_r12_foreign_cursor_on_the_public_list_is_not_an_error_page(client, api_as, credit_officer, enterprise, cursor):
    _listed(enterprise)
    response = client.get("/blacklist/", {"cursor": cursor})
    assert response.status_code == 200 and enterprise.name in response.content.decode()
    refused = api_as(credit_officer).get("/api/v1/blacklist", {"cursor": cursor})
    assert refused.status_code == 422 and refused.json()["field"] == "cursor"
