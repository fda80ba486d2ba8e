"""The OpenAPI document describes what the API really answers: one schema per name, the right one."""

from collections import defaultdict

import pydantic
import pytest

from xinyipi.api.v1 import api as ninja_api


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_schema_name_is_used_by_two_classes():
    """The document keys schemas by name; two classes of one name leave only one of them (silently)."""
    ninja_api.get_openapi_schema(path_prefix="/api/v1")  # every router imported, every schema built
    owners = defaultdict(set)
    for cls in _subclasses(pydantic.BaseModel):
        if cls.__module__.startswith("xinyipi."):
            owners[cls.model_config.get("title") or cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: sorted(where) for name, where in owners.items() if len(where) > 1} == {}


def _items_schema(document, schema_name, field):
    reference = document["components"]["schemas"][schema_name]["properties"][field]["items"]["$ref"]
    return document["components"]["schemas"][reference.rsplit("/", 1)[-1]]


@pytest.mark.parametrize(
    ("schema_name", "expected"),
    [
        ("MatterOut", {"code", "name", "essential", "certificate", "replaceable", "tolerable"}),
        ("ApplicationOut", {"code", "name", "state", "licence"}),
    ],
)
def test_matter_and_application_materials_each_have_their_own_schema(schema_name, expected):
    document = ninja_api.get_openapi_schema(path_prefix="/api/v1")
    assert set(_items_schema(document, schema_name, "materials")["properties"]) == expected
