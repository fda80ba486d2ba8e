"""Login throttling: one user name at one address, and one address across user names (password spraying)."""

import pytest
from django.test import Client

from xinyipi.accounts.models import ApiToken
from xinyipi.core.testing import ApiClient

pytestmark = pytest.mark.django_db

PASSWORD = "pass-xinyipi-2026"
SPRAYER = "10.20.0.7"
ELSEWHERE = "10.30.0.9"


def api_from(address: str) -> ApiClient:
    return ApiClient(client=Client(REMOTE_ADDR=address))


def token(client: ApiClient, username: str, password: str):
    return client.post("/api/v1/auth/token", {"username": username, "password": password})


def spray(client: ApiClient, failures: int) -> list[int]:
    """``failures`` wrong passwords, each for a different user name; the status codes answered."""
    return [token(client, f"staff{n:03d}", "Spring2026!").status_code for n in range(failures)]


def test_many_user_names_from_one_address_lock_the_address(settings, clerk):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    sprayer = api_from(SPRAYER)
    answers = spray(sprayer, limit)
    # No single user name came near its own limit; the failure that reaches the address limit is answered
    # with the lock-out, like axes' own lock.
    assert answers[:-1] == [401] * (limit - 1)
    assert answers[-1] == 429
    locked = token(sprayer, clerk.username, PASSWORD)
    assert locked.status_code == 429
    body = locked.json()
    assert body["code"] == "login_locked"
    assert "网络地址" in body["message"]
    assert "15 分钟" in body["message"]
    assert body["retry_after_minutes"] == 15
    assert locked["Retry-After"] == "900"
    assert not ApiToken.objects.exists()


def test_another_address_is_not_locked_by_a_sprayed_one(settings, clerk):
    spray(api_from(SPRAYER), settings.LOGIN_ADDRESS_FAILURE_LIMIT)
    assert token(api_from(ELSEWHERE), clerk.username, PASSWORD).status_code == 200
    assert token(api_from(ELSEWHERE), "staff001", "wrong").status_code == 401


def test_a_sprayers_own_successful_login_does_not_reset_the_address_count(settings, clerk):
    sprayer = api_from(SPRAYER)
    spray(sprayer, settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1)
    assert token(sprayer, clerk.username, PASSWORD).status_code == 200
    assert token(sprayer, "staff999", "wrong").status_code == 429
    assert token(sprayer, clerk.username, PASSWORD).status_code == 429


def test_one_user_name_from_one_address_is_still_locked_at_its_own_limit(settings, clerk):
    client = api_from(SPRAYER)
    answers = [token(client, clerk.username, "wrong").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert answers == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = token(client, clerk.username, PASSWORD)
    assert locked.status_code == 429
    assert "该账号" in locked.json()["message"]
    assert "15 分钟" in locked.json()["message"]
    # The lock is of the user name at that address: a colleague cannot lock a clerk out of the hall by
    # typing wrong passwords for the clerk's name from elsewhere (docs/configuration.md).
    assert token(api_from(ELSEWHERE), clerk.username, PASSWORD).status_code == 200


def test_the_address_limit_can_be_switched_off(settings, clerk):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 0
    sprayer = api_from(SPRAYER)
    assert set(spray(sprayer, 15)) == {401}
    assert token(sprayer, clerk.username, PASSWORD).status_code == 200


def test_locked_login_page_says_what_happened_and_how_long_to_wait(settings, clerk):
    client = Client(REMOTE_ADDR=SPRAYER)
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": f"staff{n:03d}", "password": "wrong"})
    page = client.post("/accounts/login/", {"username": clerk.username, "password": PASSWORD})
    assert page.status_code == 429
    html = page.content.decode()
    assert "登录已暂时锁定" in html
    assert "网络地址" in html
    assert "15 分钟后再试" in html
    assert 'href="/accounts/login/"' in html
    assert "_auth_user_id" not in client.session
