"""The staff console's case pages, role by role: the window's filing (R1, R4–R6), the queues (R10), the case
page with supplements, decisions (409 when another reviewer decided first) and verifications, printable
documents with their public verification page; bad input answered next to the field, nothing changed."""

import re

import pytest
from django.urls import reverse

from xinyipi.applications.models import Application, ApplicationMaterial, CaseDocument, Status
from xinyipi.applications.services import application_decide, application_file
from xinyipi.applications.signing import verification_token
from xinyipi.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def window_start(client, subject_code: str, matter_code: str):
    return client.post(reverse("applications:window"), {"query": subject_code, "matter": matter_code})


def file(actor, matter, subject, mode, materials, **kwargs):
    kwargs.setdefault("channel", "window")
    return application_file(actor=actor, matter=matter, subject=subject, mode=mode, materials=materials, **kwargs)


def page_of(response) -> str:
    return response.content.decode()


def field_errors(response, field: str) -> list[str]:
    return re.findall(rf'<p class="field-error" data-field="{re.escape(field)}">([^<]*)</p>', page_of(response))


# The window --------------------------------------------------------------------------------------------


def test_r1_window_runs_the_credit_check_then_offers_modes_with_reasons(client, clerk, enterprise, tolerance_matter):
    client.force_login(clerk)
    response = window_start(client, enterprise.code_display, tolerance_matter.code)
    assert response.status_code == 302
    page = page_of(client.get(response["Location"]))
    assert 'data-testid="credit-level">信用良好' in page
    assert 'data-entitlement="tolerance"' in page
    assert 'data-mode="tolerance" data-allowed="true"' in page
    # The matter has no commitment: the mode is shown refused, with the reason.
    assert 'data-mode="commitment" data-allowed="false"' in page
    assert "未实行告知承诺制" in page


def test_window_start_refuses_bad_input_next_to_the_field(client, clerk, tolerance_matter):
    client.force_login(clerk)
    response = window_start(client, "91150783MA0BAD0001", tolerance_matter.code)
    assert response.status_code == 422
    assert field_errors(response, "query")
    response = window_start(client, "", "NO-SUCH-MATTER")
    assert response.status_code == 422
    assert field_errors(response, "matter") or field_errors(response, "query")


def test_r6_window_tolerance_needs_the_pledge_accepted_then_a_supplement_completes(
    client, clerk, enterprise, tolerance_matter
):
    client.force_login(clerk)
    url = window_start(client, enterprise.code_display, tolerance_matter.code)["Location"]
    choice = {"action": "file", "mode": "tolerance", "materials": ["A1", "B2", "B3"]}

    refused = client.post(url, choice)
    assert refused.status_code == 422
    assert field_errors(refused, "accepted")
    assert "场所平面图" in page_of(refused)  # the pledge lists the missing material
    assert Application.objects.count() == 0

    response = client.post(url, {**choice, "accepted": "on"})
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == Status.AWAITING_SUPPLEMENT
    assert application.channel == "window" and application.filed_by == clerk
    detail = page_of(client.get(response["Location"]))
    assert 'data-testid="missing-materials"' in detail and "场所平面图" in detail
    assert 'data-document="supplement_pledge"' in detail and 'data-document="tolerance_notice"' in detail

    # The queue shows it; then the missing plan arrives with its file and the case is approved at once.
    queue = page_of(client.get(reverse("applications:queue_window")))
    assert application.number in queue
    done = client.post(
        reverse("applications:supplement", args=[application.pk]),
        {"materials": ["B1"], "file_0": _upload("plan.png")},
    )
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    row = ApplicationMaterial.objects.get(application=application, code="B1")
    assert row.state == ApplicationMaterial.State.SUPPLIED and row.file_type == "png"


def _upload(name, content=PNG):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_window_refuses_a_file_of_the_wrong_type_next_to_its_field(client, clerk, enterprise, standard_matter):
    client.force_login(clerk)
    url = window_start(client, enterprise.code_display, standard_matter.code)["Location"]
    response = client.post(
        url,
        {"action": "file", "mode": "standard", "materials": ["A1", "A2"], "file_0": _upload("a.exe", b"MZ\x90\x00")},
    )
    assert response.status_code == 422
    assert field_errors(response, "file_0")
    assert Application.objects.count() == 0


def test_window_essential_material_missing_is_refused_with_the_names(client, clerk, enterprise, tolerance_matter):
    client.force_login(clerk)
    url = window_start(client, enterprise.code_display, tolerance_matter.code)["Location"]
    response = client.post(url, {"action": "file", "mode": "tolerance", "materials": ["B3"], "accepted": "on"})
    assert response.status_code == 422
    assert any("申请书" in e for e in field_errors(response, "materials"))
    assert Application.objects.count() == 0


def test_r4_window_letter_preview_names_the_certificate(client, clerk, enterprise, certificate_matter):
    client.force_login(clerk)
    url = window_start(client, enterprise.code_display, certificate_matter.code)["Location"]
    preview_url = url + "preview/"
    response = client.post(preview_url, {"mode": "commitment", "materials": ["A1", "C2"], "certificates": ["C1"]})
    assert response.status_code == 200
    assert "<html" not in page_of(response)
    assert "无犯罪记录证明" in page_of(response) and 'name="accepted"' in page_of(response)
    filed = client.post(
        url,
        {"action": "file", "mode": "commitment", "materials": ["A1", "C2"], "certificates": ["C1"], "accepted": "on"},
    )
    assert filed.status_code == 302
    application = Application.objects.get()
    assert application.status == Status.UNDER_REVIEW
    assert application.commitment_letter.certificates == [{"code": "C1", "name": "无犯罪记录证明"}]


def test_r6_dishonest_subject_is_refused_tolerance_with_the_reason(
    client, clerk, enterprise, tolerance_matter, make_dishonest
):
    make_dishonest(enterprise)
    client.force_login(clerk)
    url = window_start(client, enterprise.code_display, tolerance_matter.code)["Location"]
    response = client.post(url, {"action": "file", "mode": "tolerance", "materials": ["A1", "B3"], "accepted": "on"})
    assert response.status_code == 422
    assert field_errors(response, "mode")
    assert Application.objects.count() == 0


# Roles --------------------------------------------------------------------------------------------------


def test_pages_refuse_the_wrong_role(client, reviewer, clerk, auditor, enterprise, standard_matter, applicant_for):
    application = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    client.force_login(reviewer)
    assert client.get(reverse("applications:window")).status_code == 403
    assert client.get(reverse("applications:queue_window")).status_code == 403
    client.force_login(clerk)
    assert client.get(reverse("applications:queue_review")).status_code == 403
    assert client.post(reverse("applications:decide", args=[application.pk]), {"outcome": "approve"}).status_code == 403
    client.force_login(auditor)
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 403
    client.force_login(applicant_for(enterprise))
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 403
    assert client.get(reverse("applications:list")).status_code == 403


def test_r10_reviewer_sees_only_own_department(client, clerk, reviewer, other_reviewer, enterprise, standard_matter):
    application = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    client.force_login(other_reviewer)
    assert application.number not in page_of(client.get(reverse("applications:queue_review")))
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 404
    assert client.post(reverse("applications:decide", args=[application.pk]), {"outcome": "approve"}).status_code == 404
    client.force_login(reviewer)
    assert application.number in page_of(client.get(reverse("applications:queue_review")))


def test_r10_queue_puts_the_green_channel_first(
    client, clerk, reviewer, make_enterprise, standard_matter, make_ordinary
):
    ordinary = make_enterprise()
    make_ordinary(ordinary)
    first = file(clerk, standard_matter, ordinary, "standard", ["A1", "A2"])
    second = file(clerk, standard_matter, make_enterprise(), "standard", ["A1", "A2"])
    assert not first.green_channel and second.green_channel
    client.force_login(reviewer)
    page = page_of(client.get(reverse("applications:queue_review")))
    assert page.index(second.number) < page.index(first.number)


# Decisions ---------------------------------------------------------------------------------------------


def test_reviewer_approves_and_a_second_decision_is_a_clear_409(client, clerk, reviewer, enterprise, standard_matter):
    application = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    client.force_login(reviewer)
    page = page_of(client.get(reverse("applications:detail", args=[application.pk])))
    assert 'data-testid="decision-form"' in page
    response = client.post(reverse("applications:decide", args=[application.pk]), {"outcome": "approve"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.APPROVED

    # Another reviewer's page still showed the form; their decision arrives second.
    again = client.post(reverse("applications:decide", args=[application.pk]), {"outcome": "reject", "reason": "x"})
    assert again.status_code == 409
    assert 'data-testid="conflict"' in page_of(again) and "不能变更" in page_of(again)
    application.refresh_from_db()
    assert application.status == Status.APPROVED


def test_refusal_needs_a_reason_next_to_the_field(client, clerk, reviewer, enterprise, standard_matter):
    application = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    client.force_login(reviewer)
    response = client.post(reverse("applications:decide", args=[application.pk]), {"outcome": "reject", "reason": " "})
    assert response.status_code == 422
    assert field_errors(response, "reason")
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    response = client.post(reverse("applications:decide", args=[application.pk]), {"outcome": "maybe"})
    assert response.status_code == 422 and field_errors(response, "outcome")


def test_concurrent_decision_lost_shows_409(client, clerk, reviewer, make_user, enterprise, standard_matter):
    from xinyipi.accounts import roles

    application = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    colleague = make_user(roles.REVIEWER, reviewer.department)
    client.force_login(reviewer)
    client.get(reverse("applications:detail", args=[application.pk]))
    application_decide(actor=colleague, application=application, outcome="reject", reason="场所不符合条件")
    response = client.post(reverse("applications:decide", args=[application.pk]), {"outcome": "approve"})
    assert response.status_code == 409
    page = page_of(response)
    assert 'data-testid="conflict"' in page and "不予许可" in page


# Verification ------------------------------------------------------------------------------------------


def test_r5_verification_queue_and_breach_revokes(client, clerk, reviewer, enterprise, licence_matter):
    application = file(
        clerk, licence_matter, enterprise, "commitment", ["A1"], commitment={"certificates": ["C1"], "accepted": True}
    )
    assert application.status == Status.APPROVED and application.verification_due
    client.force_login(reviewer)
    queue = page_of(client.get(reverse("applications:queue_verification")))
    assert application.number in queue and application.verification_due.isoformat() in queue

    url = reverse("applications:verify", args=[application.pk])
    response = client.post(url, {"outcome": "breached", "evidence": ""})
    assert response.status_code == 422 and field_errors(response, "evidence")
    application.refresh_from_db()
    assert application.status == Status.APPROVED

    response = client.post(url, {"outcome": "breached", "evidence": "实地核查：经营场所面积仅 12 平方米"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.REVOKED
    assert CaseDocument.objects.filter(application=application, kind="revocation_decision").exists()

    # The printed approval decision now verifies as revoked.
    decision = CaseDocument.objects.get(application=application, kind="approval_decision")
    verify = page_of(client.get(reverse("portal:verify", args=[verification_token(decision)])))
    assert 'data-status="revoked"' in verify and decision.text_sm3 in verify
    assert enterprise.name not in verify


# Documents ---------------------------------------------------------------------------------------------


def test_documents_print_with_case_number_code_and_qr(client, clerk, enterprise, licence_matter, settings):
    settings.DOCUMENT_PDF_CHROMIUM = "/nonexistent/chromium"
    application = file(
        clerk, licence_matter, enterprise, "commitment", ["A1"], commitment={"certificates": ["C1"], "accepted": True}
    )
    client.force_login(clerk)
    detail = page_of(client.get(reverse("applications:detail", args=[application.pk])))
    assert "/pdf/" not in detail  # no Chromium: no PDF link, HTML still printable
    page = page_of(client.get(reverse("applications:document", args=[application.pk, "letter"])))
    assert application.number in page and licence_matter.code in page
    assert 'src="data:image/svg+xml' in page
    assert application.commitment_letter.text_sm3 in page
    token = verification_token(application.commitment_letter)
    assert f"/verify/{token}/" in page
    assert client.get(reverse("applications:document_pdf", args=[application.pk, "letter"])).status_code == 404
    assert client.get(reverse("applications:document", args=[application.pk, "d999999"])).status_code == 404

    public = client.get(reverse("portal:verify", args=[token]))
    assert public.status_code == 200 and 'data-status="valid"' in page_of(public)
    assert enterprise.name not in page_of(public)
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert client.get(reverse("portal:verify", args=[forged])).status_code == 404


def test_document_pdf_through_chromium(client, clerk, enterprise, instant_matter):
    from xinyipi.applications import printing

    if not printing.pdf_available():
        pytest.fail("Chromium is part of the test environment (make browser)")
    application = file(clerk, instant_matter, enterprise, "instant", ["A1"])
    document = CaseDocument.objects.get(application=application, kind="approval_decision")
    client.force_login(clerk)
    response = client.get(reverse("applications:document_pdf", args=[application.pk, f"d{document.pk}"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_altered_text_verifies_as_altered(client, clerk, enterprise, instant_matter):
    application = file(clerk, instant_matter, enterprise, "instant", ["A1"])
    document = CaseDocument.objects.get(application=application, kind="approval_decision")
    CaseDocument.objects.filter(pk=document.pk).update(text=document.text + "（篡改）")
    page = page_of(client.get(reverse("portal:verify", args=[verification_token(document)])))
    assert 'data-status="altered"' in page


# Withdrawal and home ----------------------------------------------------------------------------------


def test_clerk_records_a_withdrawal(client, clerk, enterprise, standard_matter):
    application = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    client.force_login(clerk)
    response = client.post(reverse("applications:withdraw", args=[application.pk]), {"reason": "申请人书面申请撤回"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert AuditEntry.objects.filter(action="applications.application.withdrawn").exists()
    again = client.post(reverse("applications:withdraw", args=[application.pk]), follow=True)
    assert "不能变更" in page_of(again)


def test_console_home_counts_the_queues(client, clerk, reviewer, enterprise, standard_matter, tolerance_matter):
    file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    file(clerk, tolerance_matter, enterprise, "tolerance", ["A1", "B3"], supplement_pledge={"accepted": True})
    client.force_login(reviewer)
    page = page_of(client.get("/console/"))
    assert re.search(r'data-count="review">\s*<span>待审核办件</span>\s*<strong class="count">2</strong>', page)
    client.force_login(clerk)
    page = page_of(client.get("/console/"))
    assert re.search(r'data-count="window">\s*<span>待补正办件</span>\s*<strong class="count">1</strong>', page)


def test_case_list_filters_and_rejects_a_bad_cursor(client, clerk, enterprise, standard_matter, instant_matter):
    a = file(clerk, standard_matter, enterprise, "standard", ["A1", "A2"])
    b = file(clerk, instant_matter, enterprise, "instant", ["A1"])
    client.force_login(clerk)
    page = page_of(client.get(reverse("applications:list"), {"mode": "instant"}))
    assert b.number in page and a.number not in page
    assert client.get(reverse("applications:list"), {"cursor": "!!"}).status_code == 400


def test_uploaded_material_downloads_for_staff_and_the_applicant_only(
    client, clerk, reviewer, other_reviewer, applicant_for, enterprise, make_enterprise, standard_matter
):
    user = applicant_for(enterprise)
    stranger = applicant_for(make_enterprise())
    application = file(
        clerk, standard_matter, enterprise, "standard", ["A1", "A2"], files={"A1": _upload("申请书.png")}
    )
    client.force_login(reviewer)
    detail = page_of(client.get(reverse("applications:detail", args=[application.pk])))
    url = reverse("applications:material_file", args=[application.pk, "A1"])
    assert url in detail
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PNG
    assert client.get(reverse("applications:material_file", args=[application.pk, "A2"])).status_code == 404
    client.force_login(other_reviewer)
    assert client.get(url).status_code == 404
    client.force_login(user)
    assert client.get(reverse("portal:my_case_material_file", args=[application.pk, "A1"])).status_code == 200
    client.force_login(stranger)
    assert client.get(reverse("portal:my_case_material_file", args=[application.pk, "A1"])).status_code == 404


def test_r1_incentive_card_at_the_window_counts_as_the_check(client, clerk, enterprise, tolerance_matter):
    import datetime as dt

    from xinyipi.core import clock
    from xinyipi.credit.services import incentive_card_save

    incentive_card_save(
        actor=None,
        number="NMJL2026009901",
        holder_code=enterprise.code_display,
        holder_name=enterprise.name,
        grade_year=2025,
        valid_from=clock.today() - dt.timedelta(days=30),
        valid_until=clock.today() + dt.timedelta(days=300),
    )
    client.force_login(clerk)
    response = window_start(client, "nmjl2026009901", tolerance_matter.code)
    assert response.status_code == 302
    page = page_of(client.get(response["Location"]))
    assert 'data-testid="credit-level">守信激励' in page and "视同完成信用核查" in page
    filed = client.post(
        response["Location"], {"action": "file", "mode": "tolerance", "materials": ["A1", "B2", "B3"], "accepted": "on"}
    )
    assert filed.status_code == 302
    application = Application.objects.get()
    assert application.credit_check.card_counted and application.credit_level == "exemplary"


def test_queue_page_queries_do_not_grow_with_the_cases(client, clerk, reviewer, make_enterprise, standard_matter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reviewer)
    file(clerk, standard_matter, make_enterprise(), "standard", ["A1", "A2"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("applications:queue_review")).status_code == 200
    for _ in range(5):
        file(clerk, standard_matter, make_enterprise(), "standard", ["A1", "A2"])
    with CaptureQueriesContext(connection) as many:
        page = page_of(client.get(reverse("applications:queue_review")))
    assert page.count("data-case=") == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_r4_a_changed_letter_must_be_accepted_again(client, clerk, enterprise, certificate_matter):
    client.force_login(clerk)
    url = window_start(client, enterprise.code_display, certificate_matter.code)["Location"]
    preview = page_of(client.post(url + "preview/", {"mode": "commitment", "certificates": ["C1"], "accepted": "on"}))
    assert 'name="accepted" value="on" id="id_accepted">' in preview  # shown unticked
