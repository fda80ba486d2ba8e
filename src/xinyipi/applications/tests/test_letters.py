"""Letter templates the bureau edits (R4, R6): versioned, checked for what they must state, per matter or
default; frozen letters keep their version and hash; uploads are checked by size and content."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xinyipi.applications.letters import default_body, letter_template_check, letter_template_current
from xinyipi.applications.models import Application, ApplicationMaterial, LetterKind, LetterTemplate
from xinyipi.applications.selectors import commitment_letter_preview, letter_verify, supplement_pledge_preview
from xinyipi.applications.services import (
    application_file,
    application_supplement,
    letter_template_deactivate,
    letter_template_save,
)
from xinyipi.applications.tests.factories import certificate_case, tolerance_case
from xinyipi.audit.models import AuditEntry
from xinyipi.core.errors import DomainError, NotPermitted

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def ofd() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("OFD.xml", "<ofd:OFD/>")
    return buffer.getvalue()


@pytest.mark.parametrize("kind", LetterKind.values)
def test_every_default_template_states_what_its_kind_must(kind):
    letter_template_check(kind, default_body(kind))


def test_r4_template_leaving_out_the_liability_is_refused(bureau_admin):
    body = default_body(LetterKind.COMMITMENT_LETTER).replace("法律责任", "后果")
    with pytest.raises(DomainError) as caught:
        letter_template_save(actor=bureau_admin, kind=LetterKind.COMMITMENT_LETTER, body=body)
    assert caught.value.code == "template_incomplete" and "法律责任" in caught.value.extra["missing"]


def test_r4_template_leaving_out_the_certificates_is_refused(bureau_admin):
    body = default_body(LetterKind.COMMITMENT_LETTER).replace("{{ c.proves }}", "相关事项")
    with pytest.raises(DomainError) as caught:
        letter_template_save(actor=bureau_admin, kind=LetterKind.COMMITMENT_LETTER, body=body)
    assert caught.value.code == "template_incomplete"


def test_r6_pledge_template_must_state_the_deadline(bureau_admin):
    body = default_body(LetterKind.SUPPLEMENT_PLEDGE).replace("{{ deadline.date }}", "规定期限")
    with pytest.raises(DomainError) as caught:
        letter_template_save(actor=bureau_admin, kind=LetterKind.SUPPLEMENT_PLEDGE, body=body)
    assert caught.value.code == "template_incomplete"


def test_broken_template_syntax_is_refused(bureau_admin):
    with pytest.raises(DomainError) as caught:
        letter_template_save(actor=bureau_admin, kind=LetterKind.APPROVAL_DECISION, body="{% if %}")
    assert caught.value.code == "invalid_template"


def test_only_the_bureau_edits_templates(clerk):
    with pytest.raises(NotPermitted):
        letter_template_save(actor=clerk, kind=LetterKind.APPROVAL_DECISION, body=default_body("approval_decision"))


def test_a_change_is_a_new_version_and_letters_keep_theirs(bureau_admin, clerk, certificate_matter, enterprise):
    def file():
        return certificate_case(clerk, certificate_matter, enterprise)

    first = file().commitment_letter
    assert first.template_version == 1 and first.template.matter is None
    body = default_body(LetterKind.COMMITMENT_LETTER).replace("告知承诺书", "告知承诺书（导游证专用）", 1)
    override = letter_template_save(
        actor=bureau_admin, kind=LetterKind.COMMITMENT_LETTER, matter=certificate_matter, body=body, note="专用文本"
    )
    assert override.version == 1 and override.matter == certificate_matter
    second = file().commitment_letter
    assert second.template == override and "导游证专用" in second.text
    assert letter_template_current(LetterKind.COMMITMENT_LETTER, None).version == 1
    newer = letter_template_save(
        actor=bureau_admin, kind=LetterKind.COMMITMENT_LETTER, matter=certificate_matter, body=body
    )
    assert newer.version == 2
    letter_template_deactivate(actor=bureau_admin, template=newer)
    third = file().commitment_letter
    assert third.template.matter is None
    first.refresh_from_db()
    assert letter_verify(first) and "导游证专用" not in first.text
    assert AuditEntry.objects.filter(action="applications.letter_template.save").count() == 2


def test_default_template_cannot_be_deactivated(bureau_admin):
    default = letter_template_current(LetterKind.APPROVAL_DECISION)
    with pytest.raises(DomainError):
        letter_template_deactivate(actor=bureau_admin, template=default)


def test_previews_read_as_the_frozen_letters_will(certificate_matter, tolerance_matter, enterprise):
    certificate = certificate_matter.materials.get(code="C1")
    preview = commitment_letter_preview(matter=certificate_matter, subject=enterprise, certificates=[certificate])
    assert "无犯罪记录证明" in preview and "申请人无犯罪记录" in preview and "（签署时生成）" in preview
    missing = list(tolerance_matter.materials.filter(code__in=["B1", "B2"]))
    pledge = supplement_pledge_preview(matter=tolerance_matter, subject=enterprise, missing=missing)
    assert "场所平面图" in pledge and "从业人员名单" in pledge and "个工作日" in pledge


def test_admin_saves_a_change_as_a_new_version(client, bureau_admin):
    default = letter_template_current(LetterKind.APPROVAL_DECISION)
    client.force_login(bureau_admin)
    body = default.body.replace("决定准予许可", "决定准予行政许可")
    response = client.post(
        f"/admin/applications/lettertemplate/{default.pk}/change/", {"body": body, "note": "措辞调整"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert LetterTemplate.objects.filter(kind=LetterKind.APPROVAL_DECISION).count() == 2
    assert letter_template_current(LetterKind.APPROVAL_DECISION).body.strip() == body.strip()
    assert LetterTemplate.objects.get(pk=default.pk).body == default.body
    bad = client.post(f"/admin/applications/lettertemplate/{default.pk}/change/", {"body": "{% if %}", "note": ""})
    assert bad.status_code == 200 and "模板语法错误" in bad.content.decode()


# Uploads ------------------------------------------------------------------------------------------------


def test_uploaded_supplement_is_kept_with_its_hash(clerk, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    application_supplement(
        actor=clerk,
        application=application,
        materials=["B1", "B2"],
        files={"B1": SimpleUploadedFile("平面图.pdf", PDF), "B2": SimpleUploadedFile("名单.ofd", ofd())},
    )
    row = ApplicationMaterial.objects.get(application=application, code="B1")
    assert row.file_type == "pdf" and row.file_size == len(PDF) and len(row.file_sm3) == 64
    assert row.file.read() == PDF and row.file.name.endswith(".pdf") and "平面图" not in row.file.name
    assert ApplicationMaterial.objects.get(application=application, code="B2").file_type == "ofd"


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"\x00" * 20), "file_type_refused"),
        (SimpleUploadedFile("a.pdf", b"not really a pdf"), "file_type_refused"),
        (SimpleUploadedFile("a.zip", b"PK\x03\x04" + b"\x00" * 30), "file_type_refused"),
        (SimpleUploadedFile("a.pdf", b""), "file_empty"),
        (SimpleUploadedFile("a.pdf", PDF + b"\x00" * 2048), "file_too_large"),
    ],
)
def test_refused_upload_changes_nothing(clerk, tolerance_matter, enterprise, settings, upload, code):
    settings.APPLICATIONS = {**settings.APPLICATIONS, "UPLOAD_MAX_BYTES": 1024}
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    with pytest.raises(DomainError) as caught:
        application_supplement(actor=clerk, application=application, materials=["B1"], files={"B1": upload})
    assert caught.value.code == code and caught.value.field == "files.B1"
    assert application.materials.filter(state="missing").count() == 2
    assert Application.objects.get(pk=application.pk).updated_at == application.updated_at


def test_type_not_in_the_configured_list_is_refused(clerk, tolerance_matter, enterprise, settings):
    settings.APPLICATIONS = {**settings.APPLICATIONS, "UPLOAD_TYPES": ["pdf"]}
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    with pytest.raises(DomainError) as caught:
        application_supplement(
            actor=clerk, application=application, materials=["B1"], files={"B1": SimpleUploadedFile("a.png", PNG)}
        )
    assert caught.value.code == "file_type_refused" and "PDF" in str(caught.value.message)


def test_file_for_a_material_not_supplied_is_refused(clerk, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    with pytest.raises(DomainError) as caught:
        application_supplement(
            actor=clerk, application=application, materials=["B1"], files={"B2": SimpleUploadedFile("a.pdf", PDF)}
        )
    assert caught.value.code == "file_not_expected"


def test_files_brought_at_filing_are_kept(clerk, standard_matter, enterprise):
    application = application_file(
        actor=clerk,
        matter=standard_matter,
        subject=enterprise,
        mode="standard",
        materials=["A1", "A2"],
        files={"A1": SimpleUploadedFile("申请书.png", PNG)},
        channel="window",
    )
    assert application.materials.get(code="A1").file_type == "png"
    assert not application.materials.get(code="A2").file
