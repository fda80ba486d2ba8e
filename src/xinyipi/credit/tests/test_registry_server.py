"""The registry server itself: national-source records, cards, the SMS gateway, and its modes."""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.core.management import CommandError, call_command

from xinyipi.credit.registry.server import FIXTURES, load_fixtures, resolve_date

ROOT = Path(__file__).resolve().parents[4]


def test_sms_send_is_idempotent_on_id_and_listed(registry):
    url = registry.base_url
    first = httpx.post(f"{url}/sms/send", json={"to": "13800000000", "text": "您的办件已受理", "id": "n-1"})
    again = httpx.post(f"{url}/sms/send", json={"to": "13800000000", "text": "您的办件已受理", "id": "n-1"})
    other = httpx.post(f"{url}/sms/send", json={"to": "13900000000", "text": "补正提醒", "id": "n-2"})
    assert first.status_code == again.status_code == other.status_code == 200
    assert first.json()["message_id"] == again.json()["message_id"] != other.json()["message_id"]
    items = httpx.get(f"{url}/sms/messages").json()["items"]
    assert [(m["id"], m["to"], m["text"]) for m in items] == [
        ("n-1", "13800000000", "您的办件已受理"),
        ("n-2", "13900000000", "补正提醒"),
    ]


def test_sms_send_refuses_incomplete_messages(registry):
    response = httpx.post(f"{registry.base_url}/sms/send", json={"to": "13800000000"})
    assert response.status_code == 400
    assert "text" in response.json()["message"] and "id" in response.json()["message"]
    assert httpx.get(f"{registry.base_url}/sms/messages").json()["items"] == []


@pytest.mark.parametrize(
    ("how", "kwargs", "path"),
    [
        ("header", {"headers": {"X-Registry-Mode": "fail"}}, "/sms/send"),
        ("query", {}, "/sms/send?mode=fail"),
        ("prefix", {}, "/_mode/fail/sms/send"),
    ],
)
def test_fail_mode_per_request(registry, how, kwargs, path):
    response = httpx.post(registry.base_url + path, json={"to": "1", "text": "t", "id": "x"}, **kwargs)
    assert response.status_code == 503
    assert httpx.get(f"{registry.base_url}/sms/messages").json()["items"] == []


def test_slow_mode_delays_the_answer(registry):
    started = time.perf_counter()
    response = httpx.get(f"{registry.base_url}/_mode/slow/health", timeout=5)
    assert response.status_code == 200
    assert time.perf_counter() - started >= 1.4


def test_unknown_paths_and_cards_are_404(registry):
    assert httpx.get(f"{registry.base_url}/nothing").status_code == 404
    assert httpx.get(f"{registry.base_url}/card-registry/cards/NMJL1").json()["code"] == "card_not_found"


def test_shipped_fixtures_resolve_relative_dates():
    import datetime as dt

    assert resolve_date("today-10", dt.date(2026, 5, 11)) == "2026-05-01"
    assert resolve_date("2026-01-02") == "2026-01-02"
    data = load_fixtures(FIXTURES)
    assert "NMJL2026000101" in data["cards"]
    assert data["credit_china"]["91150783MA7XYP008T"][0]["category"] == "major_tax_violation"


def test_run_registry_command_serves_on_a_free_port():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_registry", "--port", "0", "--mode", "normal"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("registry server on http://127.0.0.1:"), first + process.stderr.read()
        base = first.split()[3]
        answer = httpx.post(f"{base}/credit-china/records", json={"code": "91150783MA7XYP008T", "kind": "enterprise"})
        assert answer.status_code == 200
        assert answer.json()["records"][0]["record_id"] == "SWZX-2026-1507-0021"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--port", "99999"], "--port: 99999 is not a port number"),
        (["--slow-seconds", "-1"], "--slow-seconds: -1.0 should lie between 0 and 3600"),
    ],
)
def test_run_registry_names_a_bad_option_without_a_traceback(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("run_registry", *args, stdout=io.StringIO())
