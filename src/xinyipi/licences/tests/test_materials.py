"""免提交: a material that stands for a licence type counts as provided when the applicant holds that licence
valid in the system, and the case material cites it."""

import datetime as dt

import pytest

from xinyipi.applications.models import ApplicationMaterial
from xinyipi.applications.services import application_file, application_verify
from xinyipi.applications.tests.factories import licence_case
from xinyipi.catalog.models import Material, Matter
from xinyipi.core import clock
from xinyipi.core.errors import DomainError
from xinyipi.licences.models import Licence

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(clerk, licence_matter, enterprise):
    """The enterprise's licence of ``licence_matter``, and ``standard_matter``'s A2 standing for its type."""
    return Licence.objects.get(application=licence_case(clerk, licence_matter, enterprise))


@pytest.fixture
def linked_matter(standard_matter, held):
    Material.objects.filter(matter=standard_matter, code="A2").update(licence_type_code=held.type_code)
    return Matter.objects.select_related("department").prefetch_related("materials").get(pk=standard_matter.pk)


def _file(clerk, matter, subject, materials):
    return application_file(
        actor=clerk, matter=matter, subject=subject, mode="standard", materials=materials, channel="window"
    )


def test_a_held_licence_counts_as_the_material_and_is_cited(api_as, clerk, linked_matter, enterprise, held):
    application = _file(clerk, linked_matter, enterprise, ["A1"])
    row = ApplicationMaterial.objects.get(application=application, code="A2")
    assert (row.state, row.licence_identifier) == ("licence_held", held.identifier)
    body = api_as(clerk).get(f"/api/v1/applications/{application.pk}").json()
    assert {"code": "A2", "name": row.name, "state": "licence_held", "licence": held.identifier} in body["materials"]
    assert body["missing_materials"] == []


def test_brought_anyway_the_material_is_simply_provided(clerk, linked_matter, enterprise, held):
    application = _file(clerk, linked_matter, enterprise, ["A1", "A2"])
    row = ApplicationMaterial.objects.get(application=application, code="A2")
    assert (row.state, row.licence_identifier) == ("provided", "")


def test_another_holder_must_still_bring_it(clerk, linked_matter, make_enterprise, held):
    with pytest.raises(DomainError) as caught:
        _file(clerk, linked_matter, make_enterprise(), ["A1"])
    assert caught.value.code == "materials_missing" and caught.value.extra["missing"] == ["A2"]


def test_a_revoked_licence_no_longer_stands_in(clerk, reviewer, linked_matter, enterprise, held):
    application_verify(actor=reviewer, application=held.application, outcome="breached", evidence="承诺不实")
    with pytest.raises(DomainError) as caught:
        _file(clerk, linked_matter, enterprise, ["A1"])
    assert caught.value.code == "materials_missing"


def test_an_expired_licence_no_longer_stands_in(clerk, linked_matter, enterprise, held):
    Licence.objects.filter(pk=held.pk).update(valid_until=clock.today() - dt.timedelta(days=1))
    with pytest.raises(DomainError) as caught:
        _file(clerk, linked_matter, enterprise, ["A1"])
    assert caught.value.code == "materials_missing"
