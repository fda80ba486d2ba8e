"""The portal's applicant pages use the case-workflow fixtures (matters of every kind, subjects, applicants)."""

from xinyipi.applications.tests.conftest import (  # noqa: F401 - fixtures, found by name
    _local_sources_only,
    applicant_for,
    enterprise,
    licence_matter,
    make_enterprise,
    person,
    standard_matter,
    tolerance_matter,
)
