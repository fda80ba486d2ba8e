"""The case-workflow fixtures (matters of every kind, subjects), shared with the statistics tests."""

from xinyipi.applications.tests.conftest import (  # noqa: F401
    _local_sources_only,
    enterprise,
    licence_matter,
    make_dishonest,
    make_enterprise,
    make_ordinary,
    standard_matter,
    tolerance_matter,
)
