"""Production refuses the development secrets; development runs with none set."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from xinyipi.conf import env

ROOT = Path(__file__).resolve().parents[4]
PROBE = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def _env(extra_env: dict) -> dict:
    # Nothing of this test process's own environment that would change the answer: the variables the settings
    # read, and the browser tests' lifting of Django's async guard (which a deployment check refuses).
    ignored = {v.name for v in env.VARIABLES} | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    clean.update({"DJANGO_SETTINGS_MODULE": "xinyipi.conf.settings", "PYTHONPATH": str(ROOT / "src")})
    clean.update(extra_env)
    return clean


def _run(extra_env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=_env(extra_env), capture_output=True, text=True, timeout=60
    )


def test_development_mode_needs_no_environment():
    result = _run({})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_production_refuses_demo_secret_key():
    result = _run({"XINYIPI_ENV": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_demo_field_key():
    result = _run({"XINYIPI_ENV": "production", "SECRET_KEY": "s" * 60})
    assert result.returncode != 0
    assert "XINYIPI_FIELD_KEY" in result.stderr


def test_production_starts_with_private_secrets():
    result = _run({"XINYIPI_ENV": "production", "SECRET_KEY": "p" * 60, "XINYIPI_FIELD_KEY": "ab" * 32})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_every_variable_is_documented():
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for variable in env.VARIABLES:
        assert f"`{variable.name}`" in documented, variable.name


def test_production_passes_the_deployment_checks():
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=_env(
            {"XINYIPI_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(60), "XINYIPI_FIELD_KEY": "ab" * 32}
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
