"""The case fixtures of the workflow tests, for the licences a case's approval issues."""

from xinyipi.applications.tests.conftest import (  # noqa: F401
    _local_sources_only,
    enterprise,
    instant_matter,
    licence_matter,
    make_enterprise,
    person,
    standard_matter,
    tolerance_matter,
)
