"""API tokens, the login page and throttling."""

import datetime as dt

import pytest
from django.test import Client

from xinyipi.accounts import roles
from xinyipi.accounts.models import ApiToken
from xinyipi.audit.models import AuditEntry
from xinyipi.core import clock

pytestmark = pytest.mark.django_db

PASSWORD = "pass-xinyipi-2026"


def test_token_is_issued_and_authenticates(api, clerk):
    response = api.post("/api/v1/auth/token", {"username": clerk.username, "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    me = Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    assert me.json()["username"] == clerk.username
    assert me.json()["roles"] == [roles.WINDOW_CLERK]
    assert me.json()["department_code"] == clerk.department.code


def test_token_is_stored_only_as_its_hash(api, clerk):
    token = api.post("/api/v1/auth/token", {"username": clerk.username, "password": PASSWORD}).json()["token"]
    stored = ApiToken.objects.get(user=clerk)
    assert token not in stored.key_hash
    assert len(stored.key_hash) == 64
    assert AuditEntry.objects.filter(action="api_token.issue", actor=clerk).exists()


def test_wrong_password_is_401_with_code(api, clerk):
    response = api.post("/api/v1/auth/token", {"username": clerk.username, "password": "wrong"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_missing_field_is_422_naming_the_field(api):
    response = api.post("/api/v1/auth/token", {"username": "someone"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["field"] == "password"


def test_repeated_failures_lock_the_login_even_with_the_right_password(api, clerk, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert api.post("/api/v1/auth/token", {"username": clerk.username, "password": "bad"}).status_code == 401
    # The failure that reaches the limit is itself answered with the lock-out.
    assert api.post("/api/v1/auth/token", {"username": clerk.username, "password": "bad"}).status_code == 429
    response = api.post("/api/v1/auth/token", {"username": clerk.username, "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["code"] == "login_locked"
    assert not ApiToken.objects.exists()


def test_expired_or_revoked_token_is_refused(clerk):
    from xinyipi.core.testing import ApiClient

    client = ApiClient(clerk)
    assert client.get("/api/v1/auth/me").status_code == 200
    ApiToken.objects.filter(user=clerk).update(expires_at=clock.now() - dt.timedelta(seconds=1))
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    ApiToken.objects.filter(user=clerk).update(expires_at=clock.now() + dt.timedelta(hours=1), revoked=True)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_inactive_user_token_is_refused(clerk):
    from xinyipi.core.testing import ApiClient

    client = ApiClient(clerk)
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    assert client.get("/api/v1/auth/me").status_code == 401


def test_login_page_is_chinese_and_signs_in(client, clerk):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "工作人员登录" in page.content.decode()
    response = client.post("/accounts/login/", {"username": clerk.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/console/"


def test_login_form_failure_message_and_lockout(client, clerk, settings):
    response = client.post("/accounts/login/", {"username": clerk.username, "password": "bad"})
    assert "用户名或密码不正确" in response.content.decode()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": clerk.username, "password": "bad"})
    response = client.post("/accounts/login/", {"username": clerk.username, "password": PASSWORD})
    assert "登录已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_ends_the_session(client, clerk):
    client.force_login(clerk)
    assert client.get("/console/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/console/").status_code == 302


def test_session_api_calls_need_csrf(clerk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    assert client.get("/api/v1/auth/me").status_code == 200
    response = client.post("/api/v1/auth/token", "{}", content_type="application/json")
    assert response.status_code == 422
