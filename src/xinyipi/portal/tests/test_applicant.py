"""The applicant's side of the portal: registration (person or enterprise agent), signing in, applying online
with the own credit result (R1) and the letter accepted (R4/R5), following and supplementing the own cases,
withdrawing, messages, and never another subject's case."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from xinyipi.applications.models import Application, Status, SubjectAgent
from xinyipi.applications.tests.factories import standard_case, tolerance_case
from xinyipi.audit.models import AuditEntry
from xinyipi.core.testing import ric_for, uscc_for
from xinyipi.notifications.services import notify
from xinyipi.subjects.models import Subject
from xinyipi.subjects.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Zhalantun-2026-pass"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def page_of(response) -> str:
    return response.content.decode()


def field_errors(response, field: str) -> list[str]:
    return re.findall(rf'<p class="field-error" data-field="{re.escape(field)}">([^<]*)</p>', page_of(response))


def person_form(**overrides) -> dict:
    data = {
        "kind": "person",
        "username": "zhao.min",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "name": "赵敏",
        "mobile": "138 0013 8000",
        "id_number": ric_for("15078319900101123"),
    }
    data.update(overrides)
    return data


# Registration ------------------------------------------------------------------------------------------


def test_person_registers_with_own_id_number_and_lands_on_my_cases(client):
    response = client.post(reverse("portal:register"), person_form())
    assert response.status_code == 302 and response["Location"] == reverse("portal:my_cases")
    link = SubjectAgent.objects.select_related("user", "subject").get()
    assert link.user.username == "zhao.min" and link.user.phone == "13800138000"
    assert link.subject.kind == "person" and link.subject.name == "赵敏"
    assert link.relation == SubjectAgent.Relation.LEGAL_REPRESENTATIVE
    assert link.user.groups.filter(name="applicant").exists()
    assert link.status == SubjectAgent.Status.PENDING  # R9a: nothing until verified
    assert {"portal.applicant.register", "applications.subject_agent.request", "subjects.subject.register"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )
    page = page_of(client.get(reverse("portal:my_cases")))
    assert "赵敏" in page and "1990" not in page  # the ID number is masked


def test_enterprise_agent_needs_the_authorisation_and_nothing_is_written_without_it(client):
    data = {
        "kind": "enterprise",
        "username": "agent.li",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "name": "李经办",
        "mobile": "13900139000",
        "uscc": uscc_for("91150783", "MA0P00001"),
        "enterprise_name": "扎兰屯市雅鲁河餐饮有限公司",
        "authorisation": "",
    }
    response = client.post(reverse("portal:register"), data)
    assert response.status_code == 422
    assert field_errors(response, "authorisation")
    assert not Subject.objects.exists() and not SubjectAgent.objects.exists()

    response = client.post(
        reverse("portal:register"), {**data, "authorisation": "授权委托书 2026-07 号，办理许可，至 2027 年"}
    )
    assert response.status_code == 302
    link = SubjectAgent.objects.get()
    assert link.relation == SubjectAgent.Relation.AGENT and link.subject.name == "扎兰屯市雅鲁河餐饮有限公司"


def test_registration_reports_every_bad_field_at_once(client):
    response = client.post(
        reverse("portal:register"),
        person_form(username="x", mobile="123", id_number="150783199001011230", password="123", password_again="123"),
    )
    assert response.status_code == 422
    for field in ("username", "mobile", "id_number"):
        assert field_errors(response, field), field
    assert not Subject.objects.exists()


def test_registration_links_an_existing_subject_only_by_its_name(client):
    existing = SubjectFactory(code=uscc_for("91150783", "MA0P00002"), name="扎兰屯市松林木业有限公司")
    data = {
        "kind": "enterprise",
        "username": "agent.wang",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "name": "王经办",
        "mobile": "13700137000",
        "uscc": existing.code_display,
        "enterprise_name": "别的名称",
        "authorisation": "授权委托书",
    }
    response = client.post(reverse("portal:register"), data)
    assert response.status_code == 422 and field_errors(response, "enterprise_name")
    response = client.post(reverse("portal:register"), {**data, "enterprise_name": existing.name})
    assert response.status_code == 302
    assert SubjectAgent.objects.get().subject == existing


def test_password_mismatch_and_taken_username_show_in_one_round(client, make_user):
    make_user(username="taken")
    response = client.post(reverse("portal:register"), person_form(username="taken", password_again="other"))
    assert response.status_code == 422
    assert field_errors(response, "password_again") and field_errors(response, "username") == ["该用户名已被使用。"]


def test_registration_shows_form_and_service_faults_together(client):
    """An empty mobile (the form's fault), a bad ID number, a weak password and a too-long name (the
    service's) all show after one submission."""
    response = client.post(
        reverse("portal:register"),
        person_form(mobile="", id_number="150783199001011230", password="123", password_again="123", name="赵" * 101),
    )
    assert response.status_code == 422
    assert field_errors(response, "mobile") == ["请填写手机号码。"]
    assert field_errors(response, "name") == ["姓名不能超过 100 个字（现有 101 个）。"]
    assert field_errors(response, "id_number") and "密码太短，至少需要 8 个字符。" in field_errors(response, "password")
    assert not Subject.objects.exists()


def test_registration_messages_name_their_field(client):
    response = client.post(
        reverse("portal:register"),
        {**person_form(kind="enterprise"), "uscc": "9" * 31, "enterprise_name": "企" * 201, "authorisation": "委托"},
    )
    page = page_of(response)
    assert field_errors(response, "enterprise_name") == ["企业名称不能超过 200 个字（现有 201 个）。"]
    assert field_errors(response, "uscc") == ["统一社会信用代码不能超过 30 个字（现有 31 个）。"]
    assert "确保该值" not in page and "确保该变量" not in page


def test_applicants_sign_in_on_a_page_titled_for_them(client):
    page = page_of(client.get(reverse("portal:login")))
    assert "<title>申请人登录" in page and "工作人员登录" not in page.split("</h1>")[0]
    assert reverse("accounts:login") in page and reverse("portal:register") in page
    staff = page_of(client.get(reverse("accounts:login")))
    assert "<h1>工作人员登录</h1>" in staff and reverse("portal:login") in staff
    home = page_of(client.get(reverse("portal:home")))
    assert f'href="{reverse("portal:login")}"' in home and f'href="{reverse("accounts:login")}"' not in home
    for page in ("portal:my_cases", "bookings:my_bookings", "supervision:my_credit"):
        assert client.get(reverse(page))["Location"].startswith(reverse("portal:login") + "?next="), page


def test_applicant_login_goes_to_my_cases_and_staff_to_the_console(client, applicant_for, enterprise, clerk):
    user = applicant_for(enterprise)
    response = client.post(reverse("portal:login"), {"username": user.username, "password": "pass-xinyipi-2026"})
    assert response["Location"] == "/console/"
    assert client.get("/console/")["Location"] == reverse("portal:my_cases")
    client.force_login(clerk)
    assert client.get("/console/").status_code == 200


# Applying online ---------------------------------------------------------------------------------------


def test_guide_links_to_apply_and_apply_needs_login(client, licence_matter):
    guide = page_of(client.get(reverse("portal:guide", args=[licence_matter.code])))
    apply_url = reverse("portal:apply", args=[licence_matter.code])
    assert apply_url in guide and "在线申请" in guide
    response = client.get(apply_url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal:login") + "?next=")


def test_r5_applicant_licence_commitment_approved_at_once(client, applicant_for, enterprise, licence_matter):
    user = applicant_for(enterprise)
    client.force_login(user)
    url = reverse("portal:apply", args=[licence_matter.code])
    page = page_of(client.get(url))
    assert 'data-testid="credit-level">信用良好' in page
    assert 'data-entitlement="commitment"' in page
    assert 'data-mode="instant" data-allowed="false"' in page and "未实行信用+秒批" in page

    choice = {"action": "file", "mode": "commitment", "materials": ["A1"], "paper": ["A1"], "certificates": ["C1"]}
    refused = client.post(url, choice)
    assert refused.status_code == 422 and field_errors(refused, "accepted")
    assert "经营场所使用证明" in page_of(refused)  # the letter shown names the replaced certificate
    assert not Application.objects.exists()

    response = client.post(url, {**choice, "accepted": "on"})
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == Status.APPROVED and application.channel == "online"
    assert response["Location"] == reverse("portal:my_case", args=[application.pk])
    detail = page_of(client.get(response["Location"]))
    assert 'data-testid="status">准予许可' in detail
    assert 'data-document="commitment_letter"' in detail and 'data-document="approval_decision"' in detail
    letter = page_of(client.get(reverse("portal:my_case_document", args=[application.pk, "letter"])))
    assert application.number in letter and licence_matter.code in letter and "data:image/svg+xml" in letter


def test_apply_preview_is_a_partial_with_the_letter(client, applicant_for, enterprise, licence_matter):
    client.force_login(applicant_for(enterprise))
    url = reverse("portal:apply_preview", args=[licence_matter.code]) + f"?subject={enterprise.pk}"
    response = client.post(url, {"mode": "commitment", "certificates": ["C1"]})
    assert response.status_code == 200
    assert "<html" not in page_of(response) and "告知承诺书" in page_of(response)
    assert 'name="accepted"' in page_of(response)


def test_letter_preview_keeps_the_form_and_is_offered_only_with_a_letter(
    client, applicant_for, enterprise, licence_matter, standard_matter
):
    """The preview is fetched into the page (htmx), so chosen files stay; 一般办理 has no letter to preview."""
    client.force_login(applicant_for(enterprise))
    page = page_of(client.get(reverse("portal:apply", args=[licence_matter.code])))
    button = re.search(r'<button[^>]*data-testid="preview-letter"[^>]*>', page).group(0)
    assert f'hx-post="{reverse("portal:apply_preview", args=[licence_matter.code])}' in button
    assert 'hx-target="#letter-preview"' in button and "file_" not in button
    standard = page_of(client.get(reverse("portal:apply", args=[standard_matter.code])))
    assert 'data-testid="preview-letter"' not in standard and "生成承诺书预览" not in standard


def test_case_page_does_not_call_a_material_coming_on_paper_submitted(
    client, applicant_for, enterprise, standard_matter
):
    """Online, a material coming on paper is 纸质材料窗口提交 until the window has it; an uploaded one is 已提交."""
    client.force_login(applicant_for(enterprise))
    url = reverse("portal:apply", args=[standard_matter.code])
    data = {
        "action": "file",
        "mode": "standard",
        "materials": ["A1", "A2"],
        "paper": ["A2"],
        "file_0": SimpleUploadedFile("申请书.png", PNG),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    detail = page_of(client.get(response["Location"]))
    uploaded = re.search(r'<tr data-material="A1".*?</tr>', detail, re.S).group(0)
    on_paper = re.search(r'<tr data-material="A2".*?</tr>', detail, re.S).group(0)
    assert "已提交" in uploaded and "申请书.png" in uploaded
    assert "纸质材料窗口提交" in on_paper and "已提交" not in on_paper


def test_apply_without_a_linked_subject_explains(client, make_user, licence_matter):
    client.force_login(make_user("applicant"))
    page = page_of(client.get(reverse("portal:apply", args=[licence_matter.code])))
    assert "尚未关联已核验的申请主体" in page and "filing-form" not in page


def test_apply_for_a_subject_one_does_not_act_for_is_404(
    client, applicant_for, enterprise, make_enterprise, licence_matter
):
    other = make_enterprise()
    client.force_login(applicant_for(enterprise))
    response = client.get(reverse("portal:apply", args=[licence_matter.code]), {"subject": other.pk})
    assert response.status_code == 404


# Following the own cases -------------------------------------------------------------------------------


def test_r6_applicant_supplements_online_and_the_case_completes(
    client, clerk, applicant_for, enterprise, tolerance_matter
):
    user = applicant_for(enterprise)
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    client.force_login(user)
    listing = page_of(client.get(reverse("portal:my_cases")))
    assert application.number in listing
    detail = page_of(client.get(reverse("portal:my_case", args=[application.pk])))
    assert 'data-testid="supplement-due"' in detail and application.supplement_due.isoformat() in detail
    url = reverse("portal:my_case_supplement", args=[application.pk])

    too_big = client.post(url, {"materials": ["B1"], "file_0": SimpleUploadedFile("x.pdf", b"plain text")})
    assert too_big.status_code == 422 and field_errors(too_big, "file_0")
    assert client.post(url, {}).status_code == 422

    assert client.post(url, {"materials": ["B1"], "file_0": SimpleUploadedFile("plan.png", PNG)}).status_code == 302
    application.refresh_from_db()
    assert application.status == Status.AWAITING_SUPPLEMENT
    assert client.post(url, {"materials": ["B2"]}).status_code == 302
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    messages = page_of(client.get(reverse("portal:my_messages")))
    assert "容缺受理通知" in messages and "审批决定" in messages


def test_applicant_withdraws_own_open_case(client, clerk, applicant_for, enterprise, standard_matter):
    application = standard_case(clerk, standard_matter, enterprise)
    client.force_login(applicant_for(enterprise))
    assert client.post(reverse("portal:my_case_withdraw", args=[application.pk])).status_code == 302
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


def test_applicant_never_sees_another_subjects_case(
    client, clerk, applicant_for, enterprise, make_enterprise, standard_matter
):
    other = make_enterprise()
    application = standard_case(clerk, standard_matter, other)
    client.force_login(applicant_for(enterprise))
    assert application.number not in page_of(client.get(reverse("portal:my_cases")))
    for name in ("portal:my_case",):
        assert client.get(reverse(name, args=[application.pk])).status_code in (403, 404)
    assert client.get(reverse("portal:my_case_document", args=[application.pk, "d1"])).status_code in (403, 404)
    assert client.post(reverse("portal:my_case_withdraw", args=[application.pk])).status_code in (403, 404)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def test_unknown_verification_token_is_404(client):
    response = client.get(reverse("portal:verify", args=["d1-0000"]))
    assert response.status_code == 404 and 'data-status="unknown"' in page_of(response)


def test_messages_link_to_their_case(client, clerk, applicant_for, enterprise, tolerance_matter):
    user = applicant_for(enterprise)
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    client.force_login(user)
    page = page_of(client.get(reverse("portal:my_messages")))
    link = f'<a href="{reverse("portal:my_case", args=[application.pk])}" data-testid="message-link">'
    assert "容缺受理通知" in page and f"{link}办件 {application.number}</a>" in page
    # Staff read the same case in the console.
    with transaction.atomic():
        notify(channel="in_app", recipient=clerk, kind="general", title="请跟进", body="。", source=application)
    client.force_login(clerk)
    page = page_of(client.get(reverse("notifications:inbox")))
    assert f'<a href="{reverse("applications:detail", args=[application.pk])}" data-testid="message-link">' in page
