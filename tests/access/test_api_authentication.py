"""Who the caller is comes before anything else (DESIGN.md §6.1 Errors, §7 Security): an anonymous request to a
protected operation is 401 ``not_authenticated`` in the error shape, in the caller's language, whatever its
method; a signed-in browser session that posts without its CSRF token is a JSON 403 ``csrf_failed``."""

import json

import pytest
from django.test import Client

from xinyipi.subjects.models import Subject

BODY = json.dumps({"kind": "enterprise", "code": "91150783MA0A00001X", "name": "扎兰屯市测试有限公司"})


@pytest.fixture
def browser(db):
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/v1/subjects"), ("patch", "/api/v1/matters/NOSUCH"), ("post", "/api/v1/applications/1/decision")],
)
def test_anonymous_write_is_401_not_authenticated_in_chinese_by_default(browser, method, path):
    response = getattr(browser, method)(path, BODY, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "需要有效的访问令牌。"}


def test_anonymous_write_is_401_in_english_when_asked(browser):
    response = browser.post("/api/v1/subjects", BODY, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "A valid access token is required."}


def test_anonymous_write_with_a_stale_session_cookie_is_401(browser):
    browser.cookies["sessionid"] = "no-such-session"
    response = browser.post("/api/v1/subjects", BODY, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_signed_in_session_without_csrf_token_is_json_403_csrf_failed(browser, clerk):
    browser.force_login(clerk)
    response = browser.post("/api/v1/subjects", BODY, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed" and response.json()["message"]
    english = browser.post("/api/v1/subjects", BODY, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["code"] == "csrf_failed" and english.json()["message"].isascii()
    assert Subject.objects.count() == 0


def test_signed_in_session_reads_without_csrf_token_and_writes_with_it(browser, clerk):
    browser.force_login(clerk)
    assert browser.get("/api/v1/auth/me").status_code == 200
    browser.get("/accounts/login/")  # sets the CSRF cookie, as the console's pages do
    token = browser.cookies["csrftoken"].value
    response = browser.post("/api/v1/subjects", BODY, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code in {201, 422}, response.content  # past authentication: the rule answers
    assert response.json().get("code") != "csrf_failed"


def test_bearer_token_needs_no_csrf_token(db, clerk, api_as):
    response = api_as(clerk).post("/api/v1/subjects", json.loads(BODY))
    assert response.status_code in {201, 422}
    assert response.json().get("code") not in {"csrf_failed", "not_authenticated"}
