"""Online filings need a file for each material brought, or the applicant's statement that the paper comes to
the window (``paper_at_window``); the window confirms receipt, which makes the material submitted."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xinyipi.applications.models import Application, ApplicationMaterial
from xinyipi.applications.services import application_decide, application_file, application_paper_receive
from xinyipi.applications.tests.factories import standard_case
from xinyipi.audit.models import AuditEntry
from xinyipi.core.errors import DomainError, NotPermitted

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PAPER = ApplicationMaterial.State.PAPER_AT_WINDOW


def states(application) -> dict[str, str]:
    return dict(ApplicationMaterial.objects.filter(application=application).values_list("code", "state"))


def file_online(applicant, matter, subject, **arguments) -> Application:
    return application_file(actor=applicant, matter=matter, subject=subject, channel="online", **arguments)


def test_online_filing_without_file_or_paper_statement_is_refused_naming_the_material(
    applicant_for, enterprise, standard_matter
):
    applicant = applicant_for(enterprise)
    upload = {"A1": SimpleUploadedFile("申请表.png", PNG)}
    with pytest.raises(DomainError) as caught:
        file_online(applicant, standard_matter, enterprise, mode="standard", materials=["A1", "A2"], files=upload)
    assert caught.value.code == "material_file_missing" and caught.value.field == "materials"
    assert caught.value.extra["missing"] == ["A2"] and "A2" in str(caught.value.message)
    assert not Application.objects.exists()


def test_paper_statement_files_the_material_as_paper_at_window(applicant_for, enterprise, standard_matter):
    applicant = applicant_for(enterprise)
    application = file_online(
        applicant,
        standard_matter,
        enterprise,
        mode="standard",
        materials=["A1"],
        paper=["A2"],
        files={"A1": SimpleUploadedFile("申请表.png", PNG)},
    )
    assert states(application) == {"A1": "provided", "A2": PAPER}


def test_materials_replaced_or_tolerated_need_neither_file_nor_paper(
    applicant_for, enterprise, certificate_matter, tolerance_matter
):
    applicant = applicant_for(enterprise)
    letter = file_online(
        applicant,
        certificate_matter,
        enterprise,
        mode="commitment",
        materials=[],
        paper=["A1", "C2"],
        commitment={"certificates": ["C1"], "accepted": True},
    )
    assert states(letter) == {"A1": PAPER, "C1": "replaced_by_commitment", "C2": PAPER}
    tolerated = file_online(
        applicant,
        tolerance_matter,
        enterprise,
        mode="tolerance",
        materials=["A1", "B3"],
        paper=["A1", "B3"],
        supplement_pledge={"accepted": True},
    )
    assert states(tolerated) == {"A1": PAPER, "B1": "missing", "B2": "missing", "B3": PAPER}


def test_the_window_files_paper_in_its_hands_without_a_statement(clerk, enterprise, standard_matter):
    assert set(states(standard_case(clerk, standard_matter, enterprise)).values()) == {"provided"}


def test_window_confirms_receipt_and_the_material_is_submitted(applicant_for, clerk, enterprise, standard_matter):
    application = file_online(
        applicant_for(enterprise), standard_matter, enterprise, mode="standard", materials=[], paper=["A1", "A2"]
    )
    application_paper_receive(actor=clerk, application=application, materials=["A1"])
    assert states(application) == {"A1": "provided", "A2": PAPER}
    entry = AuditEntry.objects.get(action="applications.material.paper_receive")
    assert entry.after["received"] == ["A1"] and entry.after["still_awaiting_paper"] == ["A2"]
    with pytest.raises(DomainError) as caught:
        application_paper_receive(actor=clerk, application=application, materials=["A1", "A2"])
    assert caught.value.code == "material_not_awaiting_paper" and caught.value.extra["codes"] == ["A1"]
    assert states(application)["A2"] == PAPER  # nothing changed by the refused request


def test_only_the_window_confirms_receipt(applicant_for, reviewer, enterprise, standard_matter):
    applicant = applicant_for(enterprise)
    application = file_online(applicant, standard_matter, enterprise, mode="standard", materials=[], paper=["A1", "A2"])
    with pytest.raises(NotPermitted):
        application_paper_receive(actor=applicant, application=application, materials=["A1"])
    with pytest.raises(NotPermitted):
        application_paper_receive(actor=reviewer, application=application, materials=["A1"])
    assert set(states(application).values()) == {PAPER}


def test_api_shows_paper_at_window_for_an_applicants_filing(api_as, applicant_for, clerk, enterprise, standard_matter):
    applicant = applicant_for(enterprise)
    body = {"matter_code": standard_matter.code, "subject_code": enterprise.code_display, "mode": "standard"}
    created = api_as(applicant).post("/api/v1/applications", {**body, "materials": ["A1", "A2"]})
    assert created.status_code == 201, created.json()
    assert {m["code"]: m["state"] for m in created.json()["materials"]} == {"A1": PAPER, "A2": PAPER}
    application = Application.objects.get(pk=created.json()["id"])
    application_paper_receive(actor=clerk, application=application, materials=["A1", "A2"])
    detail = api_as(applicant).get(f"/api/v1/applications/{application.pk}").json()
    assert {m["state"] for m in detail["materials"]} == {"provided"}


def test_case_page_offers_the_window_the_receipt_and_the_applicant_sees_the_state(
    client, applicant_for, clerk, enterprise, standard_matter
):
    applicant = applicant_for(enterprise)
    client.force_login(applicant)
    url = reverse("portal:apply", args=[standard_matter.code])
    refused = client.post(url, {"action": "file", "mode": "standard", "materials": ["A1", "A2"]})
    assert refused.status_code == 422 and "纸质材料到窗口提交" in refused.content.decode()
    response = client.post(url, {"action": "file", "mode": "standard", "materials": ["A1"], "paper": ["A2", "A1"]})
    assert response.status_code == 302
    application = Application.objects.get()
    assert 'data-testid="paper-at-window"' in client.get(response["Location"]).content.decode()

    client.force_login(clerk)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert 'data-testid="receive-paper-A2"' in page
    answer = client.post(reverse("applications:paper_receive", args=[application.pk]), {"materials": ["A2"]})
    assert answer.status_code == 302
    assert states(application) == {"A1": PAPER, "A2": "provided"}
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert 'data-testid="receive-paper-A2"' not in page and "窗口已收纸质材料" in page


def test_approval_waits_for_the_paper_a_refusal_does_not(applicant_for, clerk, reviewer, enterprise, standard_matter):
    application = file_online(
        applicant_for(enterprise), standard_matter, enterprise, mode="standard", materials=[], paper=["A1", "A2"]
    )
    application_paper_receive(actor=clerk, application=application, materials=["A1"])
    with pytest.raises(DomainError) as caught:
        application_decide(actor=reviewer, application=application, outcome="approve", reason="")
    assert caught.value.code == "paper_not_received" and caught.value.extra["codes"] == ["A2"]
    application.refresh_from_db()
    assert application.status == "under_review"  # nothing changed
    application_paper_receive(actor=clerk, application=application, materials=["A2"])
    application_decide(actor=reviewer, application=application, outcome="approve", reason="")
    application.refresh_from_db()
    assert application.status == "approved"


def test_refusal_does_not_wait_for_paper(applicant_for, reviewer, enterprise, standard_matter):
    application = file_online(
        applicant_for(enterprise), standard_matter, enterprise, mode="standard", materials=[], paper=["A1", "A2"]
    )
    application_decide(actor=reviewer, application=application, outcome="reject", reason="不符合法定条件。")
    application.refresh_from_db()
    assert application.status == "rejected"
