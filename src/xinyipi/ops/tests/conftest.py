"""The case-workflow fixtures (matters, subjects, local credit sources only) serve these tests too."""

from xinyipi.applications.tests.conftest import (  # noqa: F401
    _local_sources_only,
    enterprise,
    make_enterprise,
    person,
    standard_matter,
)
