"""Property-based calls to every operation of the served OpenAPI document (schemathesis), as two roles.

Whatever a client sends — valid or not (schemathesis generates both) — the API answers with a status the
document lists, in the documented content type and shape, and never a 500. Every generated request is
sent twice, as a window clerk and as a bureau administrator, to the in-process WSGI application (no
server, no network), against a database holding a department, matters with materials, a subject and a
case; about half of the generated ids and codes are replaced by those of the real rows, so the answers
are not only 404s. Generation is derandomized, so CI is repeatable; raise ``MAX_EXAMPLES`` or drop
``derandomize`` locally to explore further.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from xinyipi.wsgi import application

MAX_EXAMPLES = 25

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def _connection_kept_across_requests():
    """As Django's test client does: a request's end must not close the connection holding the test's
    transaction (the application runs in this thread, inside that transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(_connection_kept_across_requests, db, settings, department, clerk, bureau_admin):
    """The rows the generated requests can hit, and a bearer header for each role."""
    from xinyipi.applications.tests.factories import standard_case
    from xinyipi.catalog.tests.factories import MaterialFactory, MatterFactory
    from xinyipi.core.testing import ApiClient, uscc_for
    from xinyipi.credit.sources.http import http_state_reset
    from xinyipi.subjects.services import subject_register

    settings.CREDIT_SOURCES = {name: {"url": ""} for name in settings.CREDIT_SOURCES}
    http_state_reset()
    matter = MatterFactory(department=department)
    for code in ("A1", "A2"):
        MaterialFactory(matter=matter, code=code)
    MatterFactory(department=department, with_tolerance=True)
    subject_code = uscc_for("91150783", "MA0A00001")
    subject = subject_register(actor=None, kind="enterprise", code=subject_code, name="扎兰屯市契约测试有限公司")
    case = standard_case(clerk, matter, subject)
    yield {
        "headers": [ApiClient(user).headers["HTTP_AUTHORIZATION"] for user in (clerk, bureau_admin)],
        "ids": {"application_id": case.pk, "check_id": case.credit_check_id},
        "codes": {"/api/v1/matters/": matter.code, "/api/v1/subjects/": subject_code},
    }
    http_state_reset()


def _aim_at_real_rows(case, world) -> None:
    """Replace about half of the generated path ids and codes (deterministically) by those of real rows."""
    parameters = case.path_parameters or {}
    for name, value in list(parameters.items()):
        if name in world["ids"] and isinstance(value, int) and value % 2 == 0:
            parameters[name] = world["ids"][name]
        elif name == "code" and isinstance(value, str) and len(value) % 2 == 0:
            for prefix, code in world["codes"].items():
                if case.path.startswith(prefix):
                    parameters[name] = code


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
)
def test_every_operation_keeps_its_contract_for_a_clerk_and_an_administrator(case, world):
    _aim_at_real_rows(case, world)
    for bearer in world["headers"]:
        case.call_and_validate(headers={"Authorization": bearer}, checks=CHECKS)
