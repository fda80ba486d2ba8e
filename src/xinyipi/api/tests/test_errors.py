"""Every API error has the §6.1 shape; nothing a client sends yields a 500 or a stack trace."""

import json

import pytest
from django.test import RequestFactory

from xinyipi.api.v1 import api as ninja_api

pytestmark = pytest.mark.django_db


def test_openapi_document_is_public(api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["version"] == "1"


def test_unknown_api_path_is_json_404(api):
    response = api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_malformed_json_is_400(api):
    response = api.client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_body"


def test_wrong_json_type_is_422_naming_the_field(api):
    response = api.post("/api/v1/auth/token", {"username": ["a"], "password": "x"})
    assert response.status_code == 422
    assert response.json()["field"] == "username"


def test_missing_token_is_401_json(api):
    response = api.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": response.json()["message"]}


def test_unexpected_error_is_500_without_trace(caplog):
    request = RequestFactory().get("/api/v1/anything")
    response = ninja_api.on_exception(request, RuntimeError("secret internals"))
    body = json.loads(response.content)
    assert response.status_code == 500
    assert body["code"] == "internal_error"
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_unparseable_multipart_body_is_400_not_500(api):
    response = api.client.post("/api/v1/auth/token", b"--x", content_type="multipart/form-data")
    assert response.status_code in {400, 422}
    assert response.json()["code"] in {"malformed_body", "invalid_input"}


def test_every_operation_documents_the_error_shape(api):
    document = api.get("/api/v1/openapi.json").json()
    assert "Error" in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "422" in operation["responses"], (method, path)


def test_committed_openapi_document_is_current():
    """docs/api/openapi-v1.json is the contract other systems read: regenerate it with `make openapi`."""
    from pathlib import Path

    from xinyipi.api.management.commands.export_openapi import openapi_document

    committed = Path(__file__).resolve().parents[4] / "docs" / "api" / "openapi-v1.json"
    assert committed.read_text(encoding="utf-8") == openapi_document(), "run `make openapi` and commit the result"


def test_nul_characters_are_refused_naming_the_field(api, bureau_admin, api_as):
    client = api_as(bureau_admin)
    response = client.post("/api/v1/matters", {"code": "A\x00B", "name": "x"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_characters"
    assert response.json()["field"] == "code"
    response = client.get("/api/v1/matters", {"q": "食品\x00"})
    assert response.status_code == 422
    assert response.json()["field"] == "q"


def test_nul_in_a_page_query_is_a_bad_request(client, clerk):
    client.force_login(clerk)
    assert client.get("/console/subjects/", {"q": "a\x00b"}).status_code == 400


def test_nul_in_a_page_path_is_a_bad_request(client):
    assert client.get("/guides/A%00B/").status_code == 400


# --- text the database cannot store: lone UTF-16 surrogates -------------------------------------------------


def test_lone_surrogate_in_token_username_is_422_naming_the_field_not_500(api):
    body = b'{"username": "a\\ud800b", "password": "x"}'
    response = api.client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["field"] == "username"


def test_lone_surrogate_is_refused_whatever_the_declared_content_type(api):
    body = b'{"username": "x", "password": "\\udfff"}'
    response = api.client.post("/api/v1/auth/token", body, content_type="text/plain")
    assert response.status_code == 422
    assert response.json()["field"] == "password"


def test_lone_surrogate_deep_in_a_body_names_its_path(api, bureau_admin, api_as):
    client = api_as(bureau_admin)
    body = b'{"code": "X", "materials": [{"code": "M1", "name": "ok"}, {"code": "M2", "name": "\\uDC00"}]}'
    response = client.client.post("/api/v1/matters", body, content_type="application/json", **client.headers)
    assert response.status_code == 422
    assert response.json()["field"] == "materials.1.name"


def test_surrogate_pair_is_ordinary_text_not_refused(api):
    body = b'{"username": "\\ud83d\\ude00", "password": "x"}'
    response = api.client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_invalid_utf8_in_an_api_query_is_not_500(api):
    response = api.client.get("/api/v1/matters?q=%ED%A0%80")
    assert response.status_code == 200


def test_invalid_utf8_in_a_page_form_post_is_not_500(client):
    response = client.post(
        "/accounts/login/", b"username=a%ED%A0%80b&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "Traceback" not in response.content.decode()


# --- bodies over DATA_UPLOAD_MAX_MEMORY_SIZE ----------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/x-www-form-urlencoded"])
def test_body_over_the_upload_limit_is_json_413_under_api(api, settings, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = b'{"username": "' + b"a" * 2000 + b'", "password": "x"}'
    response = api.client.post("/api/v1/auth/token", body, content_type=content_type)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "body_too_large"


def test_form_post_over_the_upload_limit_is_a_chinese_page_not_a_traceback(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = b"username=" + b"a" * 2000 + b"&password=x"
    response = client.post("/accounts/login/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    page = response.content.decode()
    assert "提交的内容过大" in page
    assert "Traceback" not in page and "Bad Request" not in page


def test_unreadable_multipart_page_post_is_a_chinese_400_page(client):
    response = client.post("/accounts/login/", b"--x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()


# --- JSON bodies that are not objects -------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"[]", b"5", b"null", b' "text"', b"true"])
def test_patch_matter_with_a_non_object_body_is_422_and_writes_no_audit_entry(bureau_admin, api_as, body):
    from xinyipi.audit.models import AuditEntry
    from xinyipi.catalog.tests.factories import MatterFactory

    matter = MatterFactory()
    client = api_as(bureau_admin)
    entries = AuditEntry.objects.count()
    response = client.client.patch(
        f"/api/v1/matters/{matter.code}", body, content_type="application/json", **client.headers
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert AuditEntry.objects.count() == entries
