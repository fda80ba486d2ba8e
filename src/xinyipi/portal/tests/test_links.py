"""R9a on the portal: an account registered with a subject's public code and name gets nothing of that subject
— no case through the API or the pages, no filing, withdrawal, supplement or booking, and nothing changes —
until its link is verified; the "my links" page shows the link pending with what to do next, sends the legal
representative's code to the phone on record (shown masked only), takes the code, and asks for more links."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xinyipi.accounts import roles
from xinyipi.accounts.models import User
from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.applications.models import Application, ApplicationMaterial, SubjectAgent, Transition
from xinyipi.applications.services import application_file, subject_agent_verify_window
from xinyipi.applications.tests.factories import standard_case, tolerance_case
from xinyipi.bookings.models import ServiceBooking
from xinyipi.core.testing import ric_for
from xinyipi.notifications.models import Notification
from xinyipi.subjects.models import Subject
from xinyipi.subjects.services import subject_register

pytestmark = pytest.mark.django_db

PASSWORD = "Zhalantun-2026-pass"
PDF = b"%PDF-1.4\n" + b"0" * 64
ENTERPRISE_PHONE = "13800138000"


def register_for_enterprise(client, enterprise, username="stranger.qian") -> User:
    response = client.post(
        reverse("portal:register"),
        {
            "kind": "enterprise",
            "username": username,
            "password": PASSWORD,
            "password_again": PASSWORD,
            "name": "钱陌生",
            "mobile": "13612345678",
            "uscc": enterprise.code_display,
            "enterprise_name": enterprise.name,
            "authorisation": "我自己写的授权委托",
        },
    )
    assert response.status_code == 302
    return User.objects.get(username=username)


def state() -> dict:
    """What the stranger must not be able to change."""
    return {
        "cases": sorted(Application.objects.values_list("id", "status")),
        "transitions": Transition.objects.count(),
        "materials": sorted(ApplicationMaterial.objects.values_list("id", "state")),
        "bookings": ServiceBooking.objects.count(),
        "sms": Notification.objects.filter(channel="sms").count(),
    }


@pytest.fixture
def cases(clerk, enterprise, standard_matter, tolerance_matter):
    """The enterprise's cases: one under review with a material file, one awaiting its supplement."""
    reviewed = application_file(
        actor=clerk,
        matter=standard_matter,
        subject=enterprise,
        mode="standard",
        materials=["A1", "A2"],
        channel="window",
        files={"A1": SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf")},
    )
    return reviewed, tolerance_case(clerk, tolerance_matter, enterprise)


def assert_refused(response):
    assert response.status_code in (403, 404), response.content[:300]


def test_r9a_stranger_registered_with_public_code_and_name_gets_nothing_through_the_api(
    client, api_as, cases, enterprise, standard_matter
):
    reviewed, waiting = cases
    stranger = register_for_enterprise(client, enterprise)
    assert SubjectAgent.objects.get(user=stranger).status == SubjectAgent.Status.PENDING
    before = state()
    api = api_as(stranger)

    listing = api.get("/api/v1/applications")
    assert listing.status_code == 403 or listing.json()["items"] == []
    listing = api.get("/api/v1/applications", {"subject_code": enterprise.code_display})
    assert listing.status_code == 403 or listing.json()["items"] == []
    for case in (reviewed, waiting):
        assert_refused(api.get(f"/api/v1/applications/{case.pk}"))
        assert_refused(api.post(f"/api/v1/applications/{case.pk}/withdrawal", {"reason": "不办了"}))
    assert_refused(api.post(f"/api/v1/applications/{waiting.pk}/supplements", {"materials": ["B1", "B2"]}))
    filing = {
        "matter_code": standard_matter.code,
        "subject_code": enterprise.code_display,
        "mode": "standard",
        "materials": ["A1", "A2"],
    }
    assert_refused(api.post("/api/v1/applications", filing))
    booking = {"subject_code": enterprise.code_display, "kind": "onsite_service", "date": "2027-03-01", "slot": "am"}
    assert_refused(api.post("/api/v1/bookings", {**booking, "phone": "13612345678", "address": "某地"}))
    bookings = api.get("/api/v1/bookings", {"subject_code": enterprise.code_display})
    assert bookings.status_code == 403 or bookings.json()["items"] == []
    assert state() == before


def test_r9a_stranger_registered_with_public_code_and_name_gets_nothing_through_the_pages(
    client, cases, enterprise, standard_matter
):
    reviewed, waiting = cases
    register_for_enterprise(client, enterprise)  # signed in by the registration
    before = state()

    page = client.get(reverse("portal:my_cases"))
    assert page.status_code == 200
    text = page.content.decode()
    assert reviewed.number not in text and waiting.number not in text
    assert 'data-testid="pending-links"' in text and "待核验" in text and "授权委托书" in text
    for case in (reviewed, waiting):
        assert_refused(client.get(reverse("portal:my_case", args=[case.pk])))
        assert_refused(client.get(reverse("portal:my_case_document", args=[case.pk, "pledge"])))
        assert_refused(client.get(reverse("portal:my_case_document_pdf", args=[case.pk, "pledge"])))
        assert_refused(client.post(reverse("portal:my_case_withdraw", args=[case.pk]), {"reason": "不办了"}))
    assert_refused(client.get(reverse("portal:my_case_material_file", args=[reviewed.pk, "A1"])))
    assert_refused(client.post(reverse("portal:my_case_supplement", args=[waiting.pk]), {"materials": ["B1", "B2"]}))
    apply = client.get(reverse("portal:apply", args=[standard_matter.code]) + f"?subject={enterprise.pk}")
    assert_refused(apply)
    apply = client.get(reverse("portal:apply", args=[standard_matter.code])).content.decode()
    assert "尚未关联已核验的申请主体" in apply
    bookings = client.get(reverse("bookings:my_bookings")).content.decode()
    assert enterprise.name not in bookings
    assert state() == before


def test_r9a_stranger_registered_as_another_person_gets_nothing(client, api_as, clerk, standard_matter):
    number = ric_for("15078319700101001")
    person = subject_register(actor=None, kind="person", code=number, name="孙本人", contact_phone="13511112222")
    case = standard_case(clerk, standard_matter, person)
    response = client.post(
        reverse("portal:register"),
        {
            "kind": "person",
            "username": "not.sun",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "name": "孙本人",
            "mobile": "13612345678",
            "id_number": number,
        },
    )
    assert response.status_code == 302
    stranger = User.objects.get(username="not.sun")
    assert SubjectAgent.objects.get(user=stranger).status == SubjectAgent.Status.PENDING
    before = state()
    api = api_as(stranger)
    listing = api.get("/api/v1/applications")
    assert listing.status_code == 403 or listing.json()["items"] == []
    assert_refused(api.get(f"/api/v1/applications/{case.pk}"))
    assert_refused(api.post(f"/api/v1/applications/{case.pk}/withdrawal", {"reason": "不办了"}))
    assert case.number not in client.get(reverse("portal:my_cases")).content.decode()
    assert_refused(client.get(reverse("portal:my_case", args=[case.pk])))
    assert state() == before
    assert Subject.objects.get(pk=person.pk).contact_phone == "13511112222"  # the record is untouched


def test_r9a_once_verified_at_the_window_the_account_sees_the_cases(client, cases, enterprise):
    reviewed, _waiting = cases
    stranger = register_for_enterprise(client, enterprise)
    link = SubjectAgent.objects.get(user=stranger)
    clerk = UserFactory(roles=[roles.WINDOW_CLERK])
    upload = SimpleUploadedFile("委托书.pdf", PDF, content_type="application/pdf")
    subject_agent_verify_window(actor=clerk, link=link, authorisation_file=upload, identity_checked=True)
    assert reviewed.number in client.get(reverse("portal:my_cases")).content.decode()
    assert client.get(reverse("portal:my_case", args=[reviewed.pk])).status_code == 200


def test_new_enterprise_registered_online_gets_no_contact_phone_from_its_agent(client):
    response = client.post(
        reverse("portal:register"),
        {
            "kind": "enterprise",
            "username": "agent.new",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "name": "新经办",
            "mobile": "13612345678",
            "uscc": "91150783MA7XYP0028",
            "enterprise_name": "扎兰屯市雅鲁河餐饮管理有限公司",
            "authorisation": "委托书",
        },
    )
    assert response.status_code == 302
    assert Subject.objects.get().contact_phone == ""  # else the agent would receive the representative's code


# The "my links" page ----------------------------------------------------------------------------------------


def test_r9a_my_links_shows_pending_link_with_the_ways_to_verify_and_a_masked_phone(client, enterprise):
    register_for_enterprise(client, enterprise)
    page = client.get(reverse("portal:my_links")).content.decode()
    assert "待核验" in page and "授权委托书" in page and "法定代表人" in page
    assert "138****8000" in page and ENTERPRISE_PHONE not in page


def test_r9a_code_confirmed_on_the_page_verifies_and_the_phone_stays_masked(client, enterprise, cases):
    reviewed, _waiting = cases
    stranger = register_for_enterprise(client, enterprise)
    link = SubjectAgent.objects.get(user=stranger)
    response = client.post(reverse("portal:my_link_code_send", args=[link.pk]), follow=True)
    text = response.content.decode()
    assert "138****8000" in text and ENTERPRISE_PHONE not in text
    assert 'data-testid="code-input"' in text
    body = Notification.objects.get(channel="sms", kind="agent_link_code", recipient=ENTERPRISE_PHONE).body
    code = re.search(r"验证码 (\d{6})", body).group(1)

    wrong = client.post(reverse("portal:my_link_code_confirm", args=[link.pk]), {"code": "12345x"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.content.decode()
    response = client.post(reverse("portal:my_link_code_confirm", args=[link.pk]), {"code": code}, follow=True)
    assert "关联已确认" in response.content.decode()
    link.refresh_from_db()
    assert link.status == SubjectAgent.Status.VERIFIED
    assert reviewed.number in client.get(reverse("portal:my_cases")).content.decode()


def test_r9a_no_mobile_on_record_says_the_code_path_is_not_available(client, make_enterprise):
    enterprise = make_enterprise("扎兰屯市无电话企业有限公司", phone="")
    stranger = register_for_enterprise(client, enterprise)
    link = SubjectAgent.objects.get(user=stranger)
    page = client.get(reverse("portal:my_links")).content.decode()
    assert 'data-testid="code-unavailable"' in page and 'data-testid="code-send"' not in page
    response = client.post(reverse("portal:my_link_code_send", args=[link.pk]))
    assert response.status_code == 422 and "窗口" in response.content.decode()
    assert not Notification.objects.filter(channel="sms").exists()


def test_r9a_links_of_other_accounts_are_not_found(client, enterprise, make_user):
    register_for_enterprise(client, enterprise)
    link = SubjectAgent.objects.get()
    client.force_login(make_user("applicant"))
    for name in (
        "my_link_code_send",
        "my_link_code_confirm",
        "my_link_identity",
        "my_link_give_up",
        "my_link_revoke_agent",
    ):
        assert client.post(reverse(f"portal:{name}", args=[link.pk]), {"code": "000000"}).status_code == 404
    link.refresh_from_db()
    assert link.status == SubjectAgent.Status.PENDING


def test_r9a_account_asks_for_another_link_which_stays_pending(client, enterprise, make_enterprise):
    register_for_enterprise(client, enterprise)
    other = make_enterprise("扎兰屯市第二企业有限公司")
    data = {"kind": "enterprise", "relation": "agent", "uscc": other.code_display, "enterprise_name": "错误名称"}
    response = client.post(reverse("portal:my_link_request"), {**data, "authorisation": "委托书"})
    assert response.status_code == 422 and 'data-field="enterprise_name"' in response.content.decode()
    response = client.post(reverse("portal:my_link_request"), {**data, "enterprise_name": other.name})
    assert response.status_code == 422 and 'data-field="authorisation"' in response.content.decode()
    response = client.post(
        reverse("portal:my_link_request"), {**data, "enterprise_name": other.name, "relation": "legal_representative"}
    )
    assert response.status_code == 302
    link = SubjectAgent.objects.get(subject=other)
    assert link.status == SubjectAgent.Status.PENDING and link.relation == "legal_representative"
    again = client.post(
        reverse("portal:my_link_request"), {**data, "enterprise_name": other.name, "relation": "legal_representative"}
    )
    assert again.status_code == 422 and "已关联或已申请关联" in again.content.decode()


def test_r9a_account_gives_up_its_link_and_legal_representative_withdraws_an_agent(
    client, applicant_for, enterprise, make_user
):
    representative = applicant_for(enterprise, relation="legal_representative")
    agent = applicant_for(enterprise, relation="agent")
    agent_link = SubjectAgent.objects.get(user=agent)
    client.force_login(representative)
    page = client.get(reverse("portal:my_links")).content.decode()
    assert 'data-testid="represented-agents"' in page and f'data-agent-link="{agent_link.pk}"' in page
    response = client.post(reverse("portal:my_link_revoke_agent", args=[agent_link.pk]), {"reason": "已离职"})
    assert response.status_code == 302
    agent_link.refresh_from_db()
    assert agent_link.status == SubjectAgent.Status.REVOKED and agent_link.revocation_reason == "已离职"

    own = SubjectAgent.objects.get(user=representative)
    assert client.post(reverse("portal:my_link_give_up", args=[own.pk])).status_code == 302
    own.refresh_from_db()
    assert own.status == SubjectAgent.Status.REVOKED
