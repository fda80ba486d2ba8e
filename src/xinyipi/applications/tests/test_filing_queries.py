"""Instant approval is the hall's hot path (DESIGN.md §7: ≥ 250 cases/s): the statements it runs are counted here,
so that a change that adds a query to it is seen. Everything the rules require is still written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinyipi.applications.models import Application, CaseDocument, Transition
from xinyipi.audit.models import AuditEntry
from xinyipi.credit.models import CreditCheck
from xinyipi.notifications.models import Notification
from xinyipi.records.models import CreditRecordEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications"
# Statements of one instant approval through the API with a new credit check, the savepoints that stand for
# BEGIN/COMMIT in a test included.
# 35: the decision document takes its 文号 from the department's yearly counter, and a second instant approval
# of the same matter while the subject has a case of it open is refused (one indexed read each).
# 37: each of its two credit-record events brings its sharing row (R8, one INSERT each).
# 33: the matter with its materials, the letter template and the token user's permissions are kept per process
# (core.caches), checked against their generations in one statement per request.
# 31: the outbox row no longer takes a savepoint (INSERT … ON CONFLICT DO NOTHING). On PostgreSQL 27: each
# record event comes with its sharing row, and each audit entry moves the chain head, in one statement.
# 33: the statistics (R13) are kept in the filing's transaction: the day's figures and the histogram of days to
# decision, one upsert each (PostgreSQL 29).
# 31: a new credit check is stored in the filing's own transaction (stored alone when the filing is refused, R8):
# one BEGIN and COMMIT fewer (PostgreSQL 27).
# 28: the check's audit entry and the filing's are appended together: one read and one move of the chain head,
# one INSERT (PostgreSQL 25).
# PostgreSQL 24: the statistics' two upserts go as one statement (a data-modifying WITH).
# 27 (PostgreSQL 23): the per-process copies' generations are read with the token's user, in its statement.
# PostgreSQL 19: the check's record event and the history go out with the materials' statement, the decision's
# record event and the statistics with the audit entries' (core.rows.writes_joined).
# 26 (PostgreSQL 18): the credit sources' probes (city list, manual entries) run in one statement.
INSTANT_APPROVAL_STATEMENTS = {"sqlite": 26, "postgresql": 18}[connection.vendor]
# An instant matter that issues an electronic licence adds 2: its serial (one counter upsert) and its row; the
# filing's own audit entry names the licence, so it brings no audit entry of its own.
LICENCE_STATEMENTS = 2


def _post(client, matter, subject):
    return client.post(
        URL, {"matter_code": matter.code, "subject_code": subject.code_display, "mode": "instant", "materials": ["A1"]}
    )


def _statements(captured) -> list[str]:
    return [q["sql"] for q in captured]


def test_r10_instant_approval_runs_a_counted_number_of_statements(api_as, clerk, instant_matter, make_enterprise):
    client = api_as(clerk)
    assert _post(client, instant_matter, make_enterprise("预热企业")).status_code == 201  # templates, caches
    subject = make_enterprise("计数企业")
    audit_before, events_before = AuditEntry.objects.count(), CreditRecordEvent.objects.count()

    with CaptureQueriesContext(connection) as captured:
        response = _post(client, instant_matter, subject)

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "approved"
    sql = _statements(captured)
    assert len(sql) <= INSTANT_APPROVAL_STATEMENTS, "\n".join(s[:120] for s in sql)
    # Everything the rules require is there: the check and the case, each with its audit entry (R8, §7),
    # their record events, the history, the decision document and the notice.
    application = Application.objects.get(pk=response.json()["id"])
    assert CreditCheck.objects.filter(subject=subject).count() == 1
    assert AuditEntry.objects.count() == audit_before + 2
    assert CreditRecordEvent.objects.count() == events_before + 2
    assert Transition.objects.filter(application=application).count() == 3
    assert CaseDocument.objects.filter(application=application).count() == 1
    assert Notification.objects.filter(subject=subject, channel="sms").count() == 1


def test_r10_instant_approval_with_a_licence_adds_only_its_two_statements(
    api_as, clerk, instant_matter, make_enterprise
):
    instant_matter.issues_e_cert = True
    instant_matter.save(update_fields=["issues_e_cert"])
    client = api_as(clerk)
    assert _post(client, instant_matter, make_enterprise("预热企业")).status_code == 201
    subject = make_enterprise("计数企业")
    audit_before = AuditEntry.objects.count()

    with CaptureQueriesContext(connection) as captured:
        response = _post(client, instant_matter, subject)

    assert response.status_code == 201, response.json()
    assert response.json()["licence"]["identifier"]
    sql = _statements(captured)
    assert len(sql) <= INSTANT_APPROVAL_STATEMENTS + LICENCE_STATEMENTS, "\n".join(s[:120] for s in sql)
    assert len([s for s in sql if "licences_licence" in s]) == 1  # the insert; the answer reads nothing back
    assert AuditEntry.objects.count() == audit_before + 2


def test_r10_instant_approval_reads_no_row_twice(api_as, clerk, instant_matter, make_enterprise):
    client = api_as(clerk)
    assert _post(client, instant_matter, make_enterprise("预热企业")).status_code == 201
    subject = make_enterprise("计数企业")
    with CaptureQueriesContext(connection) as captured:
        response = _post(client, instant_matter, subject)
    assert response.status_code == 201
    sql = _statements(captured)
    # The answer's materials are the rows just written: not read back.
    assert not [s for s in sql if s.startswith("SELECT") and "applications_applicationmaterial" in s]
    # The chain head is read once (locked to commit), and the check's and the filing's entries are one INSERT
    # (on PostgreSQL in a WITH that also moves the head).
    head_reads = [s for s in sql if s.startswith("SELECT") and "audit_audithead" in s]
    assert len(head_reads) == len([s for s in sql if "INSERT INTO audit_auditentry" in s]) == 1
    selects = [s for s in sql if s.startswith("SELECT") and s not in head_reads]
    assert len(selects) == len(set(selects)), "a statement ran twice with the same parameters"
