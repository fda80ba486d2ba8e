"""JSON log lines: one per request and per domain event; never an ID number or a password."""

import json
import logging

import pytest

from xinyipi.accounts import roles
from xinyipi.applications.tests.factories import standard_case
from xinyipi.core.testing import ApiClient
from xinyipi.ops.logs import JsonFormatter, RedactIdNumbers, TaskLinesAtDebug

pytestmark = pytest.mark.django_db
PASSWORD = "Gh7#pass-word-zlt"


def _lines(caplog, logger: str) -> list[dict]:
    formatter, redact = JsonFormatter(), RedactIdNumbers()
    lines = []
    for record in caplog.records:
        if record.name == logger:
            redact.filter(record)
            lines.append(formatter.format(record))
    return [json.loads(line) for line in lines]


def _all_text(caplog) -> str:
    formatter, redact = JsonFormatter(), RedactIdNumbers()
    out = []
    for record in caplog.records:
        redact.filter(record)
        out.append(formatter.format(record))
    return "\n".join(out)


def test_one_request_line_with_request_id_user_route_status_and_duration(caplog, clerk, client):
    user = clerk
    api = ApiClient(user, client=client)
    with caplog.at_level(logging.INFO, logger="xinyipi.request"):
        response = api.get("/api/v1/auth/me")
    [line] = _lines(caplog, "xinyipi.request")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == user.pk
    assert line["route"] == "api/v1/auth/me"
    assert line["status"] == 200 and line["method"] == "GET"
    assert isinstance(line["duration_ms"], float)


def test_a_proxys_request_id_is_kept(caplog, client):
    with caplog.at_level(logging.INFO, logger="xinyipi.request"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-7f3a9c2e11")
    assert response["X-Request-ID"] == "nginx-7f3a9c2e11"
    assert _lines(caplog, "xinyipi.request")[0]["request_id"] == "nginx-7f3a9c2e11"


def test_logs_never_carry_an_id_number(caplog, clerk, client, person):
    """The subject's code is in the path; the line carries the route pattern, and any ID number that another
    logger writes (Django's own "Not Found: /path") is masked."""
    api = ApiClient(clerk, client=client)
    code = person.code_plain()
    with caplog.at_level(logging.DEBUG):
        assert api.get(f"/api/v1/subjects/{code}").status_code == 200
        api.get(f"/api/v1/subjects/{code[:-1]}0")
        logging.getLogger("xinyipi.test").warning("lookup of %s", code)
    text = _all_text(caplog)
    assert "api/v1/subjects/<code>" in text or "api/v1/subjects/<str:code>" in text
    assert code not in text
    assert code[:-1] not in text
    assert code[:6] + "********" + code[-4:] in text


def test_logs_never_carry_a_password(caplog, make_user, department, client):
    make_user(roles.WINDOW_CLERK, department, username="logs_login", password=PASSWORD)
    with caplog.at_level(logging.DEBUG):
        client.post(
            "/api/v1/auth/token",
            json.dumps({"username": "logs_login", "password": PASSWORD}),
            content_type="application/json",
        )
        client.post("/accounts/login/", {"username": "logs_login", "password": PASSWORD + "x"})
    text = _all_text(caplog)
    assert "xinyipi.request" in text
    assert PASSWORD not in text


def test_one_event_line_per_domain_event_with_the_case_id(
    caplog, clerk, standard_matter, enterprise, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.INFO, logger="xinyipi.event"), django_capture_on_commit_callbacks(execute=True):
        case = standard_case(clerk, standard_matter, enterprise)
    events = _lines(caplog, "xinyipi.event")
    filed = [e for e in events if e.get("case_id") == str(case.pk)]
    assert filed, events
    assert all(e["user_id"] == clerk.pk for e in filed)
    assert enterprise.code_plain() not in json.dumps(events, ensure_ascii=False)


def test_an_event_rolled_back_is_not_logged(caplog, clerk, standard_matter, enterprise):
    with caplog.at_level(logging.INFO, logger="xinyipi.event"):
        standard_case(clerk, standard_matter, enterprise)  # the test's transaction is never committed
    assert _lines(caplog, "xinyipi.event") == []


def test_the_task_queues_per_task_lines_are_debug():
    logger = logging.getLogger("django_tasks")
    demote = TaskLinesAtDebug()
    started = logger.makeRecord(
        "django_tasks", logging.INFO, __file__, 1, "Task id=%s path=%s state=%s", ("1", "p", "RUNNING"), None
    )
    failed = logger.makeRecord(
        "django_tasks", logging.ERROR, __file__, 1, "Task id=%s path=%s state=%s", ("1", "p", "FAILED"), None
    )
    previous = logger.level
    logger.setLevel(logging.INFO)
    try:
        assert demote.filter(started) is False
        assert started.levelname == "DEBUG"
        assert demote.filter(failed) is True and failed.levelname == "ERROR"
        logger.setLevel(logging.DEBUG)
        again = logger.makeRecord("django_tasks", logging.INFO, __file__, 1, "Task id=2", (), None)
        assert demote.filter(again) is True and again.levelno == logging.DEBUG
    finally:
        logger.setLevel(previous)
