"""An applicant's licence commitment approved on the spot issues an electronic licence (R5, DESIGN.md §6.1):
the case page offers it, its PDF downloads, its QR code opens the public check page, which reads "valid";
after a verification finds the commitment false, the same page reads "revoked" (R7)."""

import re

import pytest
from playwright.sync_api import expect

from xinyipi.accounts import roles
from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.applications import printing
from xinyipi.applications.models import Application, SubjectAgent
from xinyipi.applications.services import application_verify
from xinyipi.catalog.tests.factories import MaterialFactory, MatterFactory
from xinyipi.core import clock
from xinyipi.core.testing import uscc_for
from xinyipi.licences.identifiers import identifier_parse
from xinyipi.subjects.services import subject_register

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-xinyipi-2026"  # the user factory's


@pytest.fixture
def licence_matter(local_sources_only, department):
    matter = MatterFactory(
        department=department,
        licence_commitment=True,
        name="食品经营许可（新办）",
        result_name="食品经营许可证",
        licence_validity_years=5,
        verification_days=20,
    )
    MaterialFactory(matter=matter, code="A1", name="食品经营许可申请书", order=1)
    MaterialFactory(matter=matter, code="C1", name="经营场所使用证明", order=2, certificate=True, replaceable=True)
    return matter


@pytest.fixture
def applicant(db):
    subject = subject_register(
        actor=None, kind="enterprise", code=uscc_for("91150783", "MA0E2E301"), name="扎兰屯市雅鲁河餐饮有限公司"
    )
    user = UserFactory(username="agent.licence", roles=[roles.APPLICANT])
    SubjectAgent.objects.create(
        user=user,
        subject=subject,
        relation=SubjectAgent.Relation.LEGAL_REPRESENTATIVE,
        created_at=clock.now(),
        created_by_label="test",
        status=SubjectAgent.Status.VERIFIED,
        verified_at=clock.now(),
    )
    return user


def test_licence_issued_on_the_spot_checks_valid_then_revoked(page, licence_matter, applicant, reviewer):
    page.goto(f"/login/?next=/guides/{licence_matter.code}/apply/")
    page.fill("#id_username", applicant.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/guides/{licence_matter.code}/apply/**")

    page.check("input[name=mode][value=commitment]")
    page.check("#material-A1")
    page.get_by_test_id("paper-A1").check()  # the paper comes to the window (no file uploaded)
    page.check("input[name=certificates][value=C1]")
    # Each choice fetches the letter anew and a text shown anew comes back unaccepted: accept the last one.
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("letter-preview")).to_contain_text("告知承诺书")
    page.check("#id_accepted")
    page.get_by_test_id("submit-application").click()
    page.wait_for_url(re.compile(r".*/my/cases/\d+/$"))
    expect(page.get_by_test_id("status")).to_have_text("准予许可")

    # The licence on the case page, its identifier in the national form with a valid check character.
    panel = page.get_by_test_id("licence")
    expect(panel).to_contain_text("食品经营许可证")
    identifier = panel.locator("code").inner_text().strip()
    assert identifier_parse(identifier) is not None and identifier.startswith("1.2.156.3005.2.")

    if printing.pdf_available():
        pdf = page.request.get(panel.get_by_test_id("licence-pdf").get_attribute("href"))
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")

    # The printable licence: its QR code and the address it encodes open the public check page.
    panel.get_by_role("link", name="查看/打印证照").click()
    expect(page.locator("img.document-qr")).to_be_visible()
    check_url = page.locator(".document-url").inner_text().strip()
    assert check_url.endswith(f"/licences/{identifier}/")
    page.goto(check_url)
    check = page.get_by_test_id("licence-check")
    expect(check.locator('[data-status="valid"]')).to_be_visible()
    expect(check).to_contain_text("扎兰屯市雅鲁河餐饮有限公司")
    expect(page.get_by_test_id("licence-status")).to_have_text("有效")

    # The department's verification finds the commitment false: the approval and the licence are revoked.
    application = Application.objects.get(subject__name="扎兰屯市雅鲁河餐饮有限公司")
    application_verify(actor=reviewer, application=application, outcome="breached", evidence="无经营场所")
    page.reload()
    expect(check.locator('[data-status="revoked"]')).to_be_visible()
    expect(page.get_by_test_id("licence-status")).to_have_text("已撤销")

    # A mistyped identifier (one character changed) is not found, with nothing said about what exists.
    mistyped = identifier[:-3] + ("2" if identifier[-3] != "2" else "3") + identifier[-2:]
    page.goto(f"/licences/{mistyped}/")
    expect(page.locator('[data-status="unknown"]')).to_be_visible()
