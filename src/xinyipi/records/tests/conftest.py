"""Fixtures of the credit-record tests: the case-workflow fixtures (subjects, applicants, a licence matter)."""

from xinyipi.applications.tests.conftest import (  # noqa: F401
    _local_sources_only,
    applicant_for,
    enterprise,
    licence_matter,
    make_enterprise,
    standard_matter,
    tolerance_matter,
)
