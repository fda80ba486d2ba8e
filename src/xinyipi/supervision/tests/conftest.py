"""The case-workflow fixtures (matters, subjects, applicants) serve the city list's tests too."""

from xinyipi.applications.tests.conftest import (  # noqa: F401
    _local_sources_only,
    api_as,
    applicant_for,
    enterprise,
    licence_matter,
    make_dishonest,
    make_enterprise,
    person,
    tolerance_matter,
)
