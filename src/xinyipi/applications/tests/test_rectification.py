"""Rectification before revocation (R7, 国发〔2021〕7号 "责令限期整改"): a verification that finds the licence
conditions not (yet) met, with nothing false, orders rectification by a date in working days; a re-check
verifies or revokes; the date passing revokes in the sweep; none of it lists the subject."""

import datetime as dt

import pytest

from xinyipi.applications import letters
from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.applications.models import Application, Verification
from xinyipi.applications.policy import workflow_policy_on
from xinyipi.applications.services import application_verify
from xinyipi.applications.tests.factories import licence_case
from xinyipi.core import clock
from xinyipi.core.errors import InvalidTransition
from xinyipi.credit.services import credit_check_run
from xinyipi.notifications.models import Notification
from xinyipi.records.models import CreditRecordEvent
from xinyipi.supervision.models import BlacklistEntry
from xinyipi.workdays.calendar import add_working_days

pytestmark = pytest.mark.django_db


def refresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def types(subject) -> list[str]:
    return list(CreditRecordEvent.objects.filter(subject=subject).order_by("id").values_list("type", flat=True))


def after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=clock.BEIJING)


@pytest.fixture
def rectifying(clerk, reviewer, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)
    application_verify(
        actor=reviewer, application=application, outcome="nonconforming", evidence="消毒间尚未设置，面积符合"
    )
    return refresh(application)


def test_r7_nonconforming_orders_rectification_by_a_date_in_working_days(rectifying, enterprise):
    days = workflow_policy_on(clock.today()).rectification_days
    assert days == 20
    assert rectifying.status == "rectifying"
    assert rectifying.rectification_due == add_working_days(clock.today(), days).date
    assert rectifying.due_date == rectifying.rectification_due
    order = rectifying.documents.get(kind="rectification_order")
    assert "消毒间尚未设置" in order.text and letters.date_label(rectifying.rectification_due) in order.text
    assert "行政复议" in order.text and "撤销" in order.text
    assert types(enterprise)[-1] == "rectification_ordered"
    assert Verification.objects.get(application=rectifying).outcome == "nonconforming"
    assert Notification.objects.filter(subject=enterprise, dedupe_key__contains="rectification").exists()
    assert not BlacklistEntry.objects.exists()
    # Nothing false was found: the subject keeps its credit.
    assert credit_check_run(actor=None, subject=enterprise, purpose="window_enquiry").level == "good"


def test_r7_recheck_fulfilled_after_rectification_verifies(rectifying, reviewer, enterprise):
    application_verify(actor=reviewer, application=rectifying, outcome="fulfilled", evidence="复查：消毒间已设置")
    application = refresh(rectifying)
    assert application.status == "verified"
    assert [t.to_status for t in application.transitions.order_by("id")][-3:] == ["verifying", "rectifying", "verified"]
    assert types(enterprise)[-1] == "commitment_fulfilled"
    assert not BlacklistEntry.objects.exists()


def test_r7_nonconforming_again_revokes_without_listing(rectifying, reviewer, enterprise):
    application_verify(actor=reviewer, application=rectifying, outcome="nonconforming", evidence="复查：仍未设置")
    application = refresh(rectifying)
    assert application.status == "revoked"
    decision = application.documents.get(kind="revocation_decision")
    assert "仍不符合许可条件" in decision.text and "不列入黑名单" in decision.text
    assert "行政复议" in decision.text and "六个月" in decision.text
    assert types(enterprise)[-1] == "revocation"
    assert not BlacklistEntry.objects.exists()
    assert credit_check_run(actor=None, subject=enterprise, purpose="window_enquiry").level == "good"


def test_r7_breach_found_at_the_recheck_revokes_and_proposes_a_listing(rectifying, reviewer, enterprise):
    application_verify(actor=reviewer, application=rectifying, outcome="breached", evidence="复查发现承诺的场所系伪造")
    assert refresh(rectifying).status == "revoked"
    assert BlacklistEntry.objects.get(subject=enterprise).reason == "commitment_breached"


def test_r7_rectification_period_ending_revokes_in_the_sweep_once(rectifying, enterprise):
    due = rectifying.rectification_due
    assert (
        deadlines_sweep(now=dt.datetime.combine(due, dt.time(23, 59), tzinfo=clock.BEIJING)).rectification_lapsed == []
    )
    report = deadlines_sweep(now=after(due))
    assert report.rectification_lapsed == [rectifying.number]
    application = refresh(rectifying)
    assert application.status == "revoked"
    assert "整改期限" in application.documents.get(kind="revocation_decision").text
    assert not BlacklistEntry.objects.exists()
    assert deadlines_sweep(now=after(due)).rectification_lapsed == []  # idempotent
    assert types(enterprise).count("revocation") == 1


def test_r7_no_verification_after_revocation(rectifying, reviewer):
    application_verify(actor=reviewer, application=rectifying, outcome="nonconforming", evidence="仍未整改")
    with pytest.raises(InvalidTransition):
        application_verify(actor=reviewer, application=refresh(rectifying), outcome="fulfilled", evidence="再查")


def test_r7_rectifying_case_is_not_flagged_as_an_overdue_verification(rectifying):
    report = deadlines_sweep(now=after(rectifying.verification_due))
    assert rectifying.number not in report.verification_flagged


def test_r7_api_records_nonconforming_and_answers_the_rectification_due(
    api_as, clerk, reviewer, licence_matter, enterprise
):
    application = licence_case(clerk, licence_matter, enterprise)
    client = api_as(reviewer)
    response = client.post(
        f"/api/v1/applications/{application.pk}/verification", {"outcome": "nonconforming", "evidence": "尚未整改"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["status"] == "rectifying"
        and body["rectification_due"] == refresh(application).rectification_due.isoformat()
    )
    again = client.post(
        f"/api/v1/applications/{application.pk}/verification", {"outcome": "fulfilled", "evidence": "已整改"}
    )
    assert again.status_code == 200 and again.json()["status"] == "verified"
    refused = client.post(f"/api/v1/applications/{application.pk}/verification", {"outcome": "maybe", "evidence": "x"})
    assert refused.status_code == 422 and refused.json()["field"] == "outcome"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_r7_verification_evidence_files_are_kept_under_their_sm3(clerk, reviewer, licence_matter, enterprise):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xinyipi.applications.models import VerificationFile
    from xinyipi.core.crypto import sm3_hex

    application = licence_case(clerk, licence_matter, enterprise)
    photo = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
    application_verify(
        actor=reviewer, application=application, outcome="nonconforming", evidence="消毒间未设置", files=[photo]
    )
    kept = VerificationFile.objects.get(application=application)
    assert (kept.file_name, kept.file_sm3, kept.outcome) == ("现场照片.png", sm3_hex(PNG), "nonconforming")
    assert kept.file.read() == PNG
    event = CreditRecordEvent.objects.filter(subject=enterprise, type="rectification_ordered").get()
    assert event.payload["evidence_files"] == [{"name": "现场照片.png", "sm3": sm3_hex(PNG)}]


def test_r7_a_refused_evidence_file_changes_nothing(clerk, reviewer, licence_matter, enterprise):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xinyipi.applications.models import VerificationFile
    from xinyipi.core.errors import DomainError

    application = licence_case(clerk, licence_matter, enterprise)
    script = SimpleUploadedFile("a.png", b"#!/bin/sh\necho", content_type="image/png")
    with pytest.raises(DomainError) as refused:
        application_verify(actor=reviewer, application=application, outcome="breached", evidence="不实", files=[script])
    assert refused.value.code == "file_type_refused"
    assert refresh(application).status == "approved"
    assert not VerificationFile.objects.exists() and not BlacklistEntry.objects.exists()


def test_r7_reviewer_uploads_evidence_on_the_case_page(client, clerk, reviewer, licence_matter, enterprise):
    from django.core.files.uploadedfile import SimpleUploadedFile

    application = licence_case(clerk, licence_matter, enterprise)
    client.force_login(reviewer)
    response = client.post(
        f"/console/cases/{application.pk}/verification/",
        {
            "outcome": "nonconforming",
            "evidence": "现场核查：消毒间未设置",
            "evidence_files": [SimpleUploadedFile("现场.pdf", b"%PDF-1.4 test", content_type="application/pdf")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert refresh(application).status == "rectifying"
    page = client.get(f"/console/cases/{application.pk}/").content.decode()
    assert "现场.pdf" in page and 'data-testid="verification-files"' in page and "整改期限" in page
