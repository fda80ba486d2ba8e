"""Catalog test data. ``matter_data``/``material_data`` give plain dicts for the services and the API;
the factories write rows directly (for other apps' tests) and always produce a matter the guard accepts."""

import itertools

import factory

from xinyipi.accounts.tests.factories import DepartmentFactory
from xinyipi.catalog.models import Material, Matter
from xinyipi.core import clock

_seq = itertools.count(1)


def matter_data(department, **overrides) -> dict:
    n = next(_seq)
    catalog_code = f"{n:06d}000000"
    data = {
        "code": f"{department.code}4{catalog_code}",
        "catalog_code": catalog_code,
        "name": f"测试事项{n}",
        "department": department,
        "legal_basis": "《中华人民共和国行政许可法》第十二条",
        "statutory_days": 20,
        "promised_days": 10,
    }
    data.update(overrides)
    return data


def material_data(code: str, **overrides) -> dict:
    data = {"code": code, "name": f"材料{code}", "essential": True}
    data.update(overrides)
    return data


class MatterFactory(factory.django.DjangoModelFactory):
    """A plain matter under standard handling (no commitment, no tolerance)."""

    class Meta:
        model = Matter

    department = factory.SubFactory(DepartmentFactory)
    catalog_code = factory.Sequence(lambda n: f"{n:06d}100000")
    code = factory.LazyAttribute(lambda o: f"{o.department.code}4{o.catalog_code}")
    name = factory.Sequence(lambda n: f"测试事项F{n}")
    legal_basis = "《中华人民共和国行政许可法》第十二条"
    statutory_days = 20
    promised_days = 10
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyFunction(clock.now)

    class Params:
        certificate_commitment = factory.Trait(commitment_kind=Matter.CommitmentKind.CERTIFICATE)
        licence_commitment = factory.Trait(commitment_kind=Matter.CommitmentKind.LICENCE)
        with_tolerance = factory.Trait(tolerance=True, supplement_days=5)
        instant_approval = factory.Trait(instant=True, promised_days=0, project_type=Matter.ProjectType.IMMEDIATE)


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    matter = factory.SubFactory(MatterFactory)
    code = factory.Sequence(lambda n: f"M{n:03d}")
    name = factory.Sequence(lambda n: f"申请材料{n}")
    order = factory.Sequence(lambda n: n)
    essential = True

    class Params:
        auxiliary_tolerable = factory.Trait(essential=False, tolerable=True)
        replaceable_certificate = factory.Trait(certificate=True, replaceable=True)
