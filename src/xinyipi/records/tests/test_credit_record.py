"""R8: a subject's credit record — every event with a stable id, newest first in keyset pages, described in
Chinese and English — read by staff who serve applicants and by the applicant for its own subjects only, and
every reading written to the audit trail."""

import pytest

from xinyipi.applications.services import application_verify
from xinyipi.applications.tests.factories import licence_case
from xinyipi.audit.models import AuditEntry
from xinyipi.records.models import CreditRecordEvent

pytestmark = pytest.mark.django_db


def url(subject) -> str:
    return f"/api/v1/subjects/{subject.code_display}/credit-record"


@pytest.fixture
def breached(clerk, reviewer, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)
    application_verify(actor=reviewer, application=application, outcome="breached", evidence="承诺不实")
    return application


def test_r8_record_lists_every_event_newest_first_with_stable_ids(api_as, clerk, enterprise, breached):
    body = api_as(clerk).get(url(enterprise)).json()
    recorded = list(CreditRecordEvent.objects.filter(subject=enterprise).order_by("-id").values_list("id", "type"))
    assert [(e["id"], e["type"]) for e in body["events"]] == recorded
    assert {"credit_check", "commitment_letter", "decision", "commitment_breached", "revocation"} <= {
        t for _, t in recorded
    }
    assert body["subject_code"] == enterprise.code_display and body["level"] in {"good", "dishonest"}
    breach = next(e for e in body["events"] if e["type"] == "commitment_breached")
    assert breach["case_number"] == breached.number and breach["at"].endswith("+08:00")
    assert "不实" in breach["description"]["zh"] and breached.number in breach["description"]["en"]
    assert breach["description"]["en"].isascii()
    again = api_as(clerk).get(url(enterprise)).json()
    assert [e["id"] for e in again["events"]] == [e["id"] for e in body["events"]]


def test_r8_record_pages_continue_where_the_last_ended(api_as, clerk, enterprise, breached):
    client = api_as(clerk)
    seen, cursor = [], None
    while True:
        body = client.get(url(enterprise), {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [e["id"] for e in body["events"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == list(
        CreditRecordEvent.objects.filter(subject=enterprise).order_by("-id").values_list("id", flat=True)
    )
    bad = client.get(url(enterprise), {"cursor": "²"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_cursor"


def test_r8_every_reading_of_a_record_is_audited(api_as, clerk, enterprise, breached):
    before = AuditEntry.objects.filter(action="records.credit_record.view").count()
    api_as(clerk).get(url(enterprise))
    entry = AuditEntry.objects.filter(action="records.credit_record.view").latest("id")
    assert AuditEntry.objects.filter(action="records.credit_record.view").count() == before + 1
    assert (
        entry.object_id == str(enterprise.pk) and entry.after == {"via": "api"} and entry.actor_label == clerk.username
    )


def test_r8_applicant_reads_its_own_subjects_record_only(api, api_as, applicant_for, enterprise, make_enterprise):
    own = api_as(applicant_for(enterprise)).get(url(enterprise))
    assert own.status_code == 200
    other = make_enterprise()
    stranger = api_as(applicant_for(enterprise)).get(url(other))
    assert stranger.status_code == 404 and stranger.json()["code"] == "subject_not_found"
    assert api.get(url(enterprise)).status_code == 401
    assert not AuditEntry.objects.filter(action="records.credit_record.view", object_id=str(other.pk)).exists()


def test_r8_staff_without_the_record_read_nothing(api_as, auditor, enterprise):
    assert api_as(auditor).get(url(enterprise)).status_code == 404


def test_r8_console_subject_page_shows_the_timeline(client, clerk, enterprise, breached):
    client.force_login(clerk)
    page = client.get(f"/console/subjects/{enterprise.pk}/").content.decode()
    assert 'data-testid="credit-record"' in page and "承诺失信" in page
    assert AuditEntry.objects.filter(action="records.credit_record.view", after={"via": "subject_page"}).exists()


def test_r8_portal_shows_the_applicants_own_record(client, applicant_for, enterprise, breached):
    client.force_login(applicant_for(enterprise))
    page = client.get("/my/record/").content.decode()
    assert 'data-testid="my-record"' in page and breached.number in page and "撤销许可" in page
