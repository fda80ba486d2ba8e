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
