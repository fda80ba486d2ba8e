"""The administrators' second factor (TOTP): console, admin and API tokens, enrolment, refusals, the setting."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinyipi.accounts.models import ApiToken
from xinyipi.audit.models import AuditEntry
from xinyipi.core.testing import ApiClient

pytestmark = pytest.mark.django_db

PASSWORD = "pass-xinyipi-2026"


@pytest.fixture
def otp_required(settings):
    settings.STAFF_OTP_REQUIRED = True
    # No wait between attempts, so that a test may follow a wrong code with the right one.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code_for(device, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for ``device`` now (or ``steps_ahead`` periods from now)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device) -> str:
    return f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"


def password_login(user) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="手机", confirmed=True)


def refusals(user, reason: str) -> int:
    return AuditEntry.objects.filter(action="accounts.otp.refuse", actor=user, after__reason=reason).count()


@pytest.mark.usefixtures("otp_required")
@pytest.mark.parametrize("who", ["bureau_admin", "superuser"])
def test_administrator_without_a_device_is_led_to_enrol_before_console_and_admin(request, who):
    user = request.getfixturevalue(who)
    client = password_login(user)
    for path in ("/console/", "/admin/", "/admin/accounts/user/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/otp/enrol/?next="), path
    session_api = client.get("/api/v1/auth/me")
    assert session_api.status_code == 401
    assert session_api.json()["code"] == "otp_required"


@pytest.mark.usefixtures("otp_required")
def test_a_bad_bearer_header_does_not_let_an_unverified_session_into_the_api(bureau_admin):
    client = password_login(bureau_admin)
    response = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert response.json()["code"] == "otp_required"


@pytest.mark.usefixtures("otp_required")
def test_enrolment_shows_a_qr_code_and_the_secret_and_is_confirmed_by_one_valid_code(bureau_admin):
    client = password_login(bureau_admin)
    page = client.get("/accounts/otp/enrol/?next=/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "绑定动态口令" in html
    assert "<svg" in html
    device = TOTPDevice.objects.get(user=bureau_admin)
    assert not device.confirmed
    secret = html.split("<code>")[1].split("</code>")[0].replace(" ", "")
    from base64 import b32encode

    assert secret == b32encode(device.bin_key).decode()

    wrong = client.post("/accounts/otp/enrol/", {"otp": wrong_code(device), "next": "/admin/"})
    assert wrong.status_code == 200
    assert "动态口令不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert refusals(bureau_admin, "invalid") == 1
    assert client.get("/console/").status_code == 302

    response = client.post("/accounts/otp/enrol/", {"otp": code_for(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert AuditEntry.objects.filter(action="accounts.otp.enrol", actor=bureau_admin, object_id=str(device.pk)).exists()
    assert client.get("/console/").status_code == 200
    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("otp_required")
def test_an_enrolled_administrator_gives_the_code_after_each_password_login(bureau_admin):
    device = enrolled(bureau_admin)
    client = password_login(bureau_admin)
    response = client.get("/console/")
    assert response["Location"] == "/accounts/otp/?next=%2Fconsole%2F"
    # A second device cannot be enrolled with the password alone.
    assert client.get("/accounts/otp/enrol/")["Location"].startswith("/accounts/otp/?")
    assert TOTPDevice.objects.filter(user=bureau_admin).count() == 1

    wrong = client.post("/accounts/otp/", {"otp": wrong_code(device), "next": "/console/"})
    assert "动态口令不正确" in wrong.content.decode()
    assert client.get("/console/").status_code == 302
    assert refusals(bureau_admin, "invalid") == 1

    right = client.post("/accounts/otp/", {"otp": code_for(device), "next": "/console/"})
    assert right["Location"] == "/console/"
    assert client.get("/console/").status_code == 200
    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("otp_required")
def test_a_used_code_cannot_be_replayed(bureau_admin):
    device = enrolled(bureau_admin)
    code = code_for(device)
    assert password_login(bureau_admin).post("/accounts/otp/", {"otp": code})["Location"] == "/console/"
    replay = password_login(bureau_admin)
    assert "动态口令不正确" in replay.post("/accounts/otp/", {"otp": code}).content.decode()
    assert replay.get("/console/").status_code == 302


@pytest.mark.usefixtures("otp_required")
def test_token_for_an_administrator_needs_a_valid_otp(api, bureau_admin):
    credentials = {"username": bureau_admin.username, "password": PASSWORD}
    not_enrolled = api.post("/api/v1/auth/token", credentials)
    assert not_enrolled.status_code == 401
    assert not_enrolled.json()["code"] == "otp_required"
    assert refusals(bureau_admin, "not_enrolled") == 1

    device = enrolled(bureau_admin)
    missing = api.post("/api/v1/auth/token", credentials)
    assert (missing.status_code, missing.json()["code"], missing.json()["field"]) == (401, "otp_required", "otp")
    invalid = api.post("/api/v1/auth/token", credentials | {"otp": wrong_code(device)})
    assert (invalid.status_code, invalid.json()["code"]) == (401, "otp_invalid")
    assert refusals(bureau_admin, "invalid") == 1
    assert not ApiToken.objects.exists()

    issued = api.post("/api/v1/auth/token", credentials | {"otp": code_for(device)})
    assert issued.status_code == 200
    me = Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {issued.json()['token']}")
    assert me.status_code == 200


@pytest.mark.usefixtures("otp_required")
def test_repeated_wrong_codes_are_throttled(api, bureau_admin, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = enrolled(bureau_admin)
    credentials = {"username": bureau_admin.username, "password": PASSWORD}
    assert api.post("/api/v1/auth/token", credentials | {"otp": wrong_code(device)}).status_code == 401
    throttled = api.post("/api/v1/auth/token", credentials | {"otp": code_for(device)})
    assert (throttled.status_code, throttled.json()["code"]) == (429, "otp_throttled")
    assert refusals(bureau_admin, "throttled") == 1
    assert not ApiToken.objects.exists()


@pytest.mark.usefixtures("otp_required")
def test_staff_who_do_not_administer_are_not_asked(api, clerk, reviewer):
    for user in (clerk, reviewer):
        client = password_login(user)
        assert client.get("/console/").status_code == 200
        assert client.get("/api/v1/auth/me").status_code == 200
        response = api.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 200
    assert not TOTPDevice.objects.exists()


def test_with_the_setting_off_administrators_sign_in_with_the_password_as_before(api, bureau_admin, superuser):
    for user in (bureau_admin, superuser):
        client = password_login(user)
        assert client.get("/console/").status_code == 200
        assert client.get("/admin/").status_code == 200
        assert client.get("/accounts/otp/enrol/")["Location"] == "/console/"
        response = api.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 200
    assert not TOTPDevice.objects.exists()


@pytest.mark.usefixtures("otp_required")
def test_otp_pages_redirect_only_within_the_site(bureau_admin):
    device = enrolled(bureau_admin)
    client = password_login(bureau_admin)
    response = client.post("/accounts/otp/", {"otp": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/console/"


def test_bearer_api_client_of_an_administrator_is_not_refused_by_the_session_check(settings, bureau_admin):
    settings.STAFF_OTP_REQUIRED = True
    # A token exists only if it was issued with a valid code; the session check leaves bearer calls alone.
    assert ApiClient(bureau_admin).get("/api/v1/auth/me").status_code == 200


def _settings_value(environment: dict, name: str) -> str:
    root = Path(__file__).resolve().parents[4]
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYIPI_") and k != "DJANGO_SETTINGS_MODULE"}
    env |= environment | {"PYTHONPATH": str(root / "src"), "DJANGO_SETTINGS_MODULE": "xinyipi.conf.settings"}
    script = f"from django.conf import settings; print(settings.{name})"
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_second_factor_defaults_on_in_production_and_off_in_development():
    production = {
        "XINYIPI_ENV": "production",
        "SECRET_KEY": "p" * 60,
        "XINYIPI_FIELD_KEY": "ab" * 32,
    }
    assert _settings_value(production, "STAFF_OTP_REQUIRED") == "True"
    assert _settings_value(production | {"XINYIPI_STAFF_OTP_REQUIRED": "0"}, "STAFF_OTP_REQUIRED") == "False"
    assert _settings_value({}, "STAFF_OTP_REQUIRED") == "False"
    assert _settings_value({"XINYIPI_STAFF_OTP_REQUIRED": "1"}, "STAFF_OTP_REQUIRED") == "True"
