"""The catalog's licence fields: a type code the identifier could not carry is refused, naming the field."""

import pytest

from xinyipi.catalog.models import Matter
from xinyipi.catalog.services import matter_create
from xinyipi.catalog.tests.factories import material_data, matter_data
from xinyipi.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["11150783MB1520118R01", "11150783MB1520118R0a1", "11150783MB1520118RABC"])
def test_malformed_licence_type_codes_are_refused(department, bureau_admin, code):
    with pytest.raises(ValidationFailed) as caught:
        matter_create(
            actor=bureau_admin,
            data=matter_data(department, licence_type_code=code),
            materials=[material_data("001", licence_type_code=code)],
        )
    found = {e.field: e.code for e in caught.value.errors}
    assert found == {
        "licence_type_code": "invalid_licence_type_code",
        "materials.0.licence_type_code": "invalid_licence_type_code",
    }
    assert not Matter.objects.exists()


def test_a_well_formed_type_code_and_validity_are_kept(department, bureau_admin):
    matter = matter_create(
        actor=bureau_admin,
        data=matter_data(
            department, issues_e_cert=True, licence_type_code=f"{department.code}002", licence_validity_years=5
        ),
        materials=[material_data("001", licence_type_code=f"{department.code}001")],
    )
    assert (matter.licence_type, matter.licence_validity_years, matter.issues_licence) == (
        f"{department.code}002",
        5,
        True,
    )
