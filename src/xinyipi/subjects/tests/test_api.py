"""POST /api/v1/subjects and GET /api/v1/subjects/{code} exactly as DESIGN.md §6.1."""

import pytest

from xinyipi.accounts import roles
from xinyipi.audit.models import AuditEntry
from xinyipi.subjects.models import Subject
from xinyipi.subjects.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/subjects"
PERSON = "11010519491231002X"


def counts():
    return Subject.objects.count(), AuditEntry.objects.count()


@pytest.fixture
def clerk_api(api_as, clerk):
    return api_as(clerk)


def test_register_enterprise_answers_201_with_the_contract_fields(clerk_api):
    response = clerk_api.post(
        URL, {"kind": "enterprise", "code": "91330100716105852f", "name": "阿里巴巴（中国）网络技术有限公司"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert {"id", "kind", "code", "name"} <= body.keys()
    assert body["kind"] == "enterprise"
    assert body["code"] == "91330100716105852F"
    assert body["name"] == "阿里巴巴（中国）网络技术有限公司"
    assert Subject.objects.get(pk=body["id"]).code_display == "91330100716105852F"


def test_register_person_answers_with_the_code_masked(clerk_api):
    response = clerk_api.post(URL, {"kind": "person", "code": "110105 19491231 002x", "name": "张三"})
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "110105********002X"
    assert PERSON not in response.content.decode()


def test_get_by_full_code_finds_a_person_and_shows_it_masked(clerk_api):
    clerk_api.post(URL, {"kind": "person", "code": PERSON, "name": "张三", "contact_phone": "13800000000"})
    response = clerk_api.get(f"{URL}/11010519491231002x")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "110105********002X"
    assert body["name"] == "张三"
    assert body["contact_phone"] == "13800000000"
    assert PERSON not in response.content.decode()


def test_get_enterprise_by_code(clerk_api):
    subject = SubjectFactory(name="扎兰屯市某某有限公司")
    response = clerk_api.get(f"{URL}/{subject.code_display.lower()}")
    assert response.status_code == 200
    assert response.json()["id"] == subject.pk


def test_get_unknown_code_is_404_subject_not_found(clerk_api):
    response = clerk_api.get(f"{URL}/914403001922038216")
    assert response.status_code == 404
    assert response.json()["code"] == "subject_not_found"


def test_a_fragment_of_an_id_number_finds_nothing(clerk_api):
    clerk_api.post(URL, {"kind": "person", "code": PERSON, "name": "张三"})
    assert clerk_api.get(f"{URL}/110105").status_code == 404
    assert clerk_api.get(f"{URL}/110105********002X").status_code == 404


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"kind": "enterprise", "code": "914403001922038217"}, "invalid_check_character", "code"),
        ({"kind": "enterprise", "code": "91350100M000100Y4Z"}, "invalid_check_character", "code"),
        ({"kind": "person", "code": "110105194912310021"}, "invalid_check_character", "code"),
        ({"kind": "enterprise", "code": "9144030019220382"}, "invalid_code_length", "code"),
        ({"kind": "person", "code": "1101051949123100"}, "invalid_code_length", "code"),
        ({"kind": "enterprise", "code": "9144030019220382I6"}, "invalid_code_characters", "code"),
        ({"kind": "enterprise", "code": "91440300O922038216"}, "invalid_code_characters", "code"),
        ({"kind": "enterprise", "code": "9144030019220Z8216"}, "invalid_code_characters", "code"),
        ({"kind": "enterprise", "code": "91440300S922038216"}, "invalid_code_characters", "code"),
        ({"kind": "enterprise", "code": "91440300V922038216"}, "invalid_code_characters", "code"),
        ({"kind": "enterprise", "code": "华为技术有限公司"}, "invalid_code_characters", "code"),
        ({"kind": "person", "code": "11010519491231002Y"}, "invalid_code_characters", "code"),
        ({"kind": "person", "code": "11010519490231002X"}, "invalid_birth_date", "code"),
        ({"kind": "person", "code": "110105209912310026"}, "invalid_birth_date", "code"),  # born in 2099
        ({"kind": "company", "code": "914403001922038216"}, "invalid_kind", "kind"),
        ({"kind": "enterprise", "code": "914403001922038216", "name": ""}, "name_required", "name"),
        ({"kind": "enterprise", "code": "914403001922038216", "name": "   "}, "name_required", "name"),
        ({"kind": "enterprise", "code": "914403001922038216", "name": "名" * 201}, "value_too_long", "name"),
        ({"kind": "enterprise", "name": "无代码"}, "invalid_input", "code"),
        ({"code": "914403001922038216", "name": "无类型"}, "invalid_input", "kind"),
    ],
)
def test_bad_input_is_422_with_the_precise_code_and_field_and_changes_nothing(clerk_api, payload, code, field):
    before = counts()
    response = clerk_api.post(URL, {"name": "某公司", **payload} if "name" not in payload else payload)
    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]
    assert counts() == before


def test_future_birth_date_is_refused(clerk_api):
    from xinyipi.core import clock
    from xinyipi.core.testing import ric_for

    code = ric_for(f"150783{clock.today().year + 1}0101001")
    response = clerk_api.post(URL, {"kind": "person", "code": code, "name": "未出生"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_birth_date"


def test_duplicate_code_is_409_subject_exists_and_changes_nothing(clerk_api):
    assert clerk_api.post(URL, {"kind": "person", "code": PERSON, "name": "张三"}).status_code == 201
    before = counts()
    response = clerk_api.post(URL, {"kind": "person", "code": "110105-19491231-002x", "name": "张三"})
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("subject_exists", "code")
    assert counts() == before


def test_anonymous_is_401(api):
    assert api.post(URL, {"kind": "enterprise", "code": "914403001922038216", "name": "华为"}).status_code == 401
    assert api.get(f"{URL}/914403001922038216").status_code == 401
    assert Subject.objects.count() == 0


@pytest.mark.parametrize("role", [roles.APPLICANT, roles.AUDITOR])
def test_roles_without_subject_permissions_are_403(api_as, make_user, role):
    subject = SubjectFactory()
    client = api_as(make_user(role))
    response = client.post(URL, {"kind": "enterprise", "code": "914403001922038216", "name": "华为"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert client.get(f"{URL}/{subject.code_display}").status_code == 403
    assert Subject.objects.count() == 1


def test_reviewer_may_look_up_but_not_register(api_as, reviewer):
    subject = SubjectFactory()
    client = api_as(reviewer)
    assert client.get(f"{URL}/{subject.code_display}").status_code == 200
    assert client.post(URL, {"kind": "enterprise", "code": "914403001922038216", "name": "华为"}).status_code == 403


@pytest.mark.parametrize("fixture", ["clerk", "credit_officer", "bureau_admin", "superuser"])
def test_staff_with_the_permission_may_register(request, api_as, fixture):
    client = api_as(request.getfixturevalue(fixture))
    response = client.post(URL, {"kind": "enterprise", "code": "914403001922038216", "name": "华为"})
    assert response.status_code == 201


def test_registration_through_the_api_is_audited_with_its_actor(clerk_api, clerk):
    body = clerk_api.post(URL, {"kind": "person", "code": PERSON, "name": "张三"}).json()
    entry = AuditEntry.objects.get(action="subjects.subject.register")
    assert entry.actor == clerk
    assert entry.object_id == str(body["id"])
    assert entry.after["code_display"] == "110105********002X"


def test_openapi_documents_both_calls(api):
    schema = api.get("/api/v1/openapi.json").json()
    assert "post" in schema["paths"]["/api/v1/subjects"]
    assert "get" in schema["paths"]["/api/v1/subjects/{code}"]
