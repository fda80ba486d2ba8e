"""The public check of a licence (DESIGN.md §6.1): valid, revoked, expired; an unknown and a forged identifier
get the same 404; a person's ID number never appears, their name only masked."""

import datetime as dt

import pytest

from xinyipi.applications.services import application_verify
from xinyipi.applications.tests.factories import licence_case
from xinyipi.core import clock
from xinyipi.licences.identifiers import ALPHABET, identifier_compose
from xinyipi.licences.models import Licence

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(clerk, licence_matter, enterprise):
    return Licence.objects.get(application=licence_case(clerk, licence_matter, enterprise))


def _api(api, identifier):
    return api.get(f"/api/v1/licences/{identifier}")


def test_valid_licence_checks_out(api, client, licence, enterprise, licence_matter):
    response = _api(api, licence.identifier)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "valid" and body["identifier"] == licence.identifier
    assert (body["holder"], body["matter"]) == (enterprise.name, licence_matter.name)
    assert body["issued_on"] == clock.today().isoformat() and "valid_until" not in body

    page = client.get(f"/licences/{licence.identifier}/")
    assert page.status_code == 200
    assert 'data-status="valid"' in page.content.decode() and enterprise.name in page.content.decode()


def test_r7_revoked_licence_reads_revoked_at_once(api, client, reviewer, licence):
    application_verify(actor=reviewer, application=licence.application, outcome="breached", evidence="承诺不实")
    assert _api(api, licence.identifier).json()["status"] == "revoked"
    assert 'data-status="revoked"' in client.get(f"/licences/{licence.identifier}/").content.decode()


def test_licence_past_its_last_day_reads_expired_in_beijing_time(api, licence):
    licence.valid_until = clock.today()
    licence.save(update_fields=["valid_until"])
    assert _api(api, licence.identifier).json()["status"] == "valid"  # the last day itself is valid
    # 16:00 UTC on the last day is already the next day in Beijing.
    last_day = clock.today()
    with clock.acting_at(dt.datetime(last_day.year, last_day.month, last_day.day, 16, 0, tzinfo=dt.UTC)):
        body = _api(api, licence.identifier).json()
    assert body["status"] == "expired" and body["valid_until"] == last_day.isoformat()


def test_unknown_and_forged_identifiers_get_the_same_404(api, client, licence):
    unknown = str(
        identifier_compose(type_code=licence.type_code, issuer_code=licence.issuer_code, serial="X20260099999X")
    )
    forged = licence.identifier[:-1] + next(c for c in ALPHABET if c != licence.identifier[-1])
    answers = [_api(api, identifier) for identifier in (unknown, forged, "not-a-licence")]
    assert [r.status_code for r in answers] == [404, 404, 404]
    assert len({r.content for r in answers}) == 1
    assert answers[0].json()["code"] == "licence_not_found"
    pages = [client.get(f"/licences/{identifier}/") for identifier in (unknown, forged)]
    assert [p.status_code for p in pages] == [404, 404]
    assert 'data-status="unknown"' in pages[0].content.decode()


def test_a_person_holder_is_masked_and_their_id_number_never_shown(api, client, clerk, licence_matter, person):
    licence = Licence.objects.get(application=licence_case(clerk, licence_matter, person))
    body = _api(api, licence.identifier).json()
    assert body["holder"] == "赵*试"
    page = client.get(f"/licences/{licence.identifier}/").content.decode()
    for shown in (str(body), page):
        assert person.code_plain() not in shown and person.code_display not in shown and "赵测试" not in shown


def test_the_bureau_reads_licences_in_the_admin_and_cannot_change_them(client, superuser, licence):
    client.force_login(superuser)
    listing = client.get("/admin/licences/licence/", {"q": licence.identifier})
    assert listing.status_code == 200 and licence.identifier in listing.content.decode()
    assert client.get("/admin/licences/licence/add/").status_code == 403
    assert client.post(f"/admin/licences/licence/{licence.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Licence.objects.filter(pk=licence.pk).exists()
