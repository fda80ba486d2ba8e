"""A licence is issued in the approval's own transaction (R5: on the spot; instant approval; a reviewer's
approval) and revoked in the revocation's (R7)."""

import datetime as dt
from unittest import mock

import pytest

from xinyipi.applications.models import Application
from xinyipi.applications.services import (
    application_decide,
    application_file,
    application_supplement,
    application_verify,
)
from xinyipi.applications.tests.factories import licence_case
from xinyipi.audit.models import AuditEntry
from xinyipi.core import clock
from xinyipi.licences.identifiers import identifier_parse
from xinyipi.licences.models import Licence
from xinyipi.licences.services import valid_until_for

pytestmark = pytest.mark.django_db


def test_r5_licence_commitment_issues_a_licence_on_the_spot(clerk, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)

    licence = Licence.objects.get(application=application)
    parsed = identifier_parse(licence.identifier)
    assert parsed is not None and str(parsed) == licence.identifier
    assert parsed.issuer_code == licence_matter.department.code
    assert parsed.type_code == licence_matter.licence_type and parsed.version == "001"
    assert (licence.holder, licence.matter, licence.issuer) == (enterprise, licence_matter, licence_matter.department)
    assert licence.issued_on == clock.today() and licence.valid_until is None  # no term set: 长期有效
    filing = AuditEntry.objects.get(action="applications.application.file", object_id=str(application.pk))
    assert filing.after["licence"] == licence.identifier


def test_validity_years_set_the_last_valid_day(clerk, licence_matter, enterprise):
    licence_matter.licence_validity_years = 5
    licence_matter.save(update_fields=["licence_validity_years"])
    licence = Licence.objects.get(application=licence_case(clerk, licence_matter, enterprise))
    assert licence.valid_until == valid_until_for(licence.issued_on, 5)
    assert valid_until_for(dt.date(2026, 12, 4), 5) == dt.date(2031, 12, 3)
    assert valid_until_for(dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 27)


def test_r10_instant_approval_of_a_marked_matter_issues_a_licence(clerk, instant_matter, enterprise):
    instant_matter.issues_e_cert = True
    instant_matter.licence_type_code = f"{instant_matter.department.code}007"
    instant_matter.save(update_fields=["issues_e_cert", "licence_type_code"])
    application = application_file(
        actor=clerk, matter=instant_matter, subject=enterprise, mode="instant", materials=["A1"], channel="window"
    )
    assert application.status == "approved"
    assert Licence.objects.get(application=application).type_code == f"{instant_matter.department.code}007"


def test_a_matter_that_issues_no_licence_gets_none(clerk, instant_matter, enterprise):
    application = application_file(
        actor=clerk, matter=instant_matter, subject=enterprise, mode="instant", materials=["A1"], channel="window"
    )
    assert application.status == "approved" and not Licence.objects.filter(application=application).exists()


def test_reviewer_approval_issues_the_licence_with_its_audit_entry(clerk, reviewer, standard_matter, enterprise):
    standard_matter.issues_e_cert = True
    standard_matter.save(update_fields=["issues_e_cert"])
    application = application_file(
        actor=clerk,
        matter=standard_matter,
        subject=enterprise,
        mode="standard",
        materials=["A1", "A2"],
        channel="window",
    )
    assert not Licence.objects.filter(application=application).exists()  # under review: nothing yet
    application_decide(actor=reviewer, application=application, outcome="approve", reason="")
    licence = Licence.objects.get(application=application)
    entry = AuditEntry.objects.get(action="licences.licence.issue", object_id=str(licence.pk))
    assert entry.after["identifier"] == licence.identifier


def test_r6_last_supplement_of_a_tolerance_case_issues_the_licence(clerk, tolerance_matter, enterprise):
    tolerance_matter.issues_e_cert = True
    tolerance_matter.save(update_fields=["issues_e_cert"])
    application = application_file(
        actor=clerk,
        matter=tolerance_matter,
        subject=enterprise,
        mode="tolerance",
        materials=["A1", "B3"],
        supplement_pledge={"accepted": True},
        channel="window",
    )
    assert not Licence.objects.filter(application=application).exists()
    application_supplement(actor=clerk, application=application, materials=["B1", "B2"])
    application.refresh_from_db()
    assert application.status == "approved"
    assert Licence.objects.filter(application=application, revoked_at__isnull=True).exists()


def test_serials_of_one_type_and_issuer_are_distinct(clerk, licence_matter, make_enterprise):
    identifiers = {
        Licence.objects.get(application=licence_case(clerk, licence_matter, make_enterprise())).identifier
        for _ in range(3)
    }
    serials = sorted(identifier_parse(i).serial[1:-1] for i in identifiers)
    year = clock.today().year
    assert serials == [f"{year}000001", f"{year}000002", f"{year}000003"]


def test_a_failed_approval_leaves_no_licence(clerk, licence_matter, enterprise):
    with (
        mock.patch("xinyipi.applications.services.approval.record_append", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        licence_case(clerk, licence_matter, enterprise)
    assert not Application.objects.filter(subject=enterprise).exists()
    assert not Licence.objects.exists()


def test_r7_breached_verification_revokes_the_licence_at_once(clerk, reviewer, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)
    application_verify(actor=reviewer, application=application, outcome="breached", evidence="经营场所面积仅 8 平方米")

    licence = Licence.objects.get(application=application)
    assert licence.revoked_at is not None and licence.status_on(clock.today()) == "revoked"
    assert licence.revoked_reason == "经营场所面积仅 8 平方米"
    assert AuditEntry.objects.filter(action="licences.licence.revoke", object_id=str(licence.pk)).exists()


def test_r7_revocation_after_a_failed_rectification_revokes_the_licence(clerk, reviewer, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)
    application_verify(actor=reviewer, application=application, outcome="nonconforming", evidence="消防通道堵塞")
    assert Licence.objects.get(application=application).revoked_at is None  # rectifying: still valid
    application.refresh_from_db()
    application_verify(actor=reviewer, application=application, outcome="nonconforming", evidence="仍未整改")
    assert Licence.objects.get(application=application).revoked_at is not None


def test_fulfilled_verification_keeps_the_licence_valid(clerk, reviewer, licence_matter, enterprise):
    application = licence_case(clerk, licence_matter, enterprise)
    application_verify(actor=reviewer, application=application, outcome="fulfilled", evidence="现场核查属实")
    assert Licence.objects.get(application=application).status_on(clock.today()) == "valid"


def test_api_approval_answers_with_the_licence(api_as, clerk, licence_matter, enterprise):
    response = api_as(clerk).post(
        "/api/v1/applications",
        {
            "matter_code": licence_matter.code,
            "subject_code": enterprise.code_display,
            "mode": "commitment",
            "materials": ["A1"],
            "commitment": {"certificates": ["C1"], "accepted": True},
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    licence = Licence.objects.get(application_id=body["id"])
    assert body["licence"] == {"identifier": licence.identifier, "url": f"/licences/{licence.identifier}/"}
    detail = api_as(clerk).get(f"/api/v1/applications/{body['id']}").json()
    assert detail["licence"] == body["licence"]


def test_api_answer_without_a_licence_says_null(api_as, clerk, instant_matter, enterprise):
    response = api_as(clerk).post(
        "/api/v1/applications",
        {
            "matter_code": instant_matter.code,
            "subject_code": enterprise.code_display,
            "mode": "instant",
            "materials": ["A1"],
        },
    )
    assert response.status_code == 201 and response.json()["licence"] is None


def test_api_case_list_reads_the_licences_of_a_page_at_once(api_as, clerk, licence_matter, make_enterprise):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(clerk)

    def listed() -> tuple[int, list]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/applications", {"matter_code": licence_matter.code})
        assert response.status_code == 200
        return len(captured), [item["licence"]["identifier"] for item in response.json()["items"]]

    licence_case(clerk, licence_matter, make_enterprise())
    listed()  # the first request of the process also fills its copy of the token user's permissions
    few, _ = listed()
    for _ in range(3):
        licence_case(clerk, licence_matter, make_enterprise())
    many, identifiers = listed()
    assert many == few and len(identifiers) == 4
    assert set(identifiers) == set(Licence.objects.values_list("identifier", flat=True))
