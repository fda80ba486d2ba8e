"""The 好差评 tests use the case-workflow fixtures (matters, subjects, applicants, API clients)."""

from xinyipi.applications.tests.conftest import (  # noqa: F401 - fixtures, found by name
    _local_sources_only,
    api_as,
    applicant_for,
    enterprise,
    make_enterprise,
    other_reviewer,
    person,
    standard_matter,
    tolerance_matter,
)
