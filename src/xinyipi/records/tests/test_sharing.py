"""R8: the credit record is pushed to the upstream credit platform without loss or duplication.

Every test talks to a real HTTP server on 127.0.0.1 (the registry's stand-in credit platform), started by the
test; nothing is patched. The last test kills a real ``run_worker`` with SIGKILL in the middle of a batch,
restarts the platform, restarts the worker, and counts what the platform holds.
"""

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from xinyipi.accounts import roles
from xinyipi.audit.models import AuditEntry
from xinyipi.credit.registry.server import registry_in_thread, source_urls
from xinyipi.notifications.tests.conftest import manage_env  # noqa: F401
from xinyipi.records.models import CreditRecordEvent, RecordShare, RecordShareBatch
from xinyipi.records.services import record_append
from xinyipi.records.sharing import FIELDS, records_share_drain, records_share_pass, share_backoff_delay
from xinyipi.records.sharing_client import credit_platform_client
from xinyipi.records.sharing_selectors import sharing_lag
from xinyipi.subjects.tests.factories import SubjectFactory

B = RecordShareBatch.Status
SCHEMA = json.loads((Path(__file__).resolve().parents[4] / "docs" / "records.schema.json").read_text("utf-8"))


def append_events(n: int, subject=None) -> list[CreditRecordEvent]:
    subject = subject or SubjectFactory()
    with transaction.atomic():
        return [
            record_append(
                subject=subject, type="credit_check", summary=f"信用核查：良好（{i}）", payload={"number": None}
            )
            for i in range(n)
        ]


def platform_stats(server) -> dict:
    return httpx.get(f"{server.base_url}/credit-platform/stats", timeout=5).json()


def platform_ids(base_url: str) -> list:
    return httpx.get(f"{base_url}/credit-platform/records", timeout=5).json()["ids"]


def platform_mode(base_url: str, mode: str, **extra) -> None:
    assert httpx.post(f"{base_url}/_control/mode", json={"mode": mode, **extra}, timeout=5).status_code == 200


@pytest.fixture
def share_settings(settings):
    """Small, predictable sharing settings: batches of 10, 4 attempts, backoff 10 s × 2, timeout 1 s."""
    settings.CREDIT_PLATFORM = {
        **settings.CREDIT_PLATFORM,
        "URL": "",
        "TOKEN": "",
        "TIMEOUT_SECONDS": 1.0,
        "BATCH": 10,
        "MAX_ATTEMPTS": 4,
        "BACKOFF_SECONDS": 10.0,
        "BACKOFF_FACTOR": 2.0,
        "BACKOFF_MAX_SECONDS": 3600.0,
        "LEASE_SECONDS": 30.0,
    }
    return settings


@pytest.fixture
def platform(share_settings, tmp_path):
    """The stand-in credit platform on a free port, keeping its store under ``tmp_path``; sharing points at it."""
    with registry_in_thread(port=0, slow_seconds=1.5, store_dir=tmp_path / "platform") as server:
        share_settings.CREDIT_PLATFORM = {
            **share_settings.CREDIT_PLATFORM,
            "URL": source_urls(server.base_url)["credit_platform"],
        }
        yield server


@pytest.mark.django_db
def test_r8_every_event_is_queued_for_sharing_in_the_transaction_that_writes_it():
    subject = SubjectFactory()
    (event,) = append_events(1, subject)
    assert RecordShare.objects.filter(event=event).exists()

    with pytest.raises(RuntimeError), transaction.atomic():
        record_append(subject=subject, type="decision", summary="准予许可")
        raise RuntimeError("the change being recorded fails")
    assert CreditRecordEvent.objects.count() == RecordShare.objects.count() == 1  # neither was kept


@pytest.mark.django_db
def test_r8_an_event_of_no_known_type_is_refused_and_nothing_is_written():
    subject = SubjectFactory()
    with pytest.raises(ValueError, match="unknown credit-record event type 'rumour'"), transaction.atomic():
        record_append(subject=subject, type="rumour", summary="传闻")
    assert not CreditRecordEvent.objects.exists() and not RecordShare.objects.exists()


@pytest.mark.django_db
def test_r8_without_a_platform_nothing_is_shared_and_nothing_is_an_error(share_settings, capsys):
    append_events(3)
    call_command("share_records")
    assert "not configured" in capsys.readouterr().out
    assert (
        records_share_pass().as_dict()
        == records_share_drain().as_dict()
        == {
            "batches": 0,
            "shared": 0,
            "failed": 0,
            "dead": 0,
            "lost": 0,
            "waiting": 0,
        }
    )
    assert not RecordShareBatch.objects.exists()
    lag = sharing_lag()
    assert (lag.state, lag.pending, lag.failing_batches, lag.dead_batches, lag.last_error) == ("off", 3, 0, 0, "")


@pytest.mark.django_db
def test_r8_events_reach_the_platform_in_batches_each_once_in_the_export_format(platform):
    events = append_events(25)
    result = records_share_drain()
    assert (result.batches, result.shared, result.failed) == (3, 25, 0)
    assert platform_stats(platform) == {"received": 25, "unique": 25, "duplicates": 0, "batches": 3}
    assert platform_ids(platform.base_url) == [e.pk for e in events]
    assert list(RecordShareBatch.objects.order_by("id").values_list("event_count", "status")) == [
        (10, B.SENT),
        (10, B.SENT),
        (5, B.SENT),
    ]
    assert not RecordShare.objects.exists()
    lag = sharing_lag()
    assert (lag.state, lag.pending, lag.oldest_pending_age_seconds) == ("ok", 0, None)
    assert lag.last_shared_at is not None

    stored = platform.state.platform.db.execute("SELECT body FROM events ORDER BY CAST(id AS INTEGER)").fetchall()
    line = json.loads(stored[0][0])
    assert list(line) == FIELDS
    assert set(line) == set(SCHEMA["required"]) == set(SCHEMA["properties"])
    assert (line["id"], line["type"], line["summary"]) == (events[0].pk, "credit_check", "信用核查：良好（0）")


@pytest.mark.django_db
def test_r8_a_failing_platform_is_retried_with_growing_backoff_and_nothing_is_lost(platform):
    events = append_events(15)
    platform_mode(platform.base_url, "fail")
    t0 = timezone.now()

    first = records_share_pass(now=t0)
    assert (first.batches, first.failed) == (1, 1)
    batch = RecordShareBatch.objects.get()
    assert (batch.status, batch.attempts, batch.event_count) == (B.FAILED, 1, 10)
    assert batch.next_attempt_at == t0 + dt.timedelta(seconds=10)
    assert "HTTP 503" in batch.last_error

    # While the batch backs off no new batch is made: an outage leaves one retrying batch, not one per pass.
    assert records_share_pass(now=t0 + dt.timedelta(seconds=5)).waiting == 1
    assert RecordShareBatch.objects.count() == 1

    again = records_share_pass(now=t0 + dt.timedelta(seconds=10))
    assert again.failed == 1
    batch.refresh_from_db()
    assert (batch.attempts, batch.next_attempt_at) == (2, t0 + dt.timedelta(seconds=30))  # 10 s, then 20 s
    assert share_backoff_delay(3) == dt.timedelta(seconds=40)
    lag = sharing_lag(now=t0 + dt.timedelta(seconds=20))
    assert (lag.state, lag.pending, lag.failing_batches) == ("retrying", 15, 1)
    assert "HTTP 503" in lag.last_error and lag.next_attempt_at == t0 + dt.timedelta(seconds=30)

    platform_mode(platform.base_url, "normal")
    assert records_share_pass(now=t0 + dt.timedelta(seconds=29)).waiting == 1  # not before its time
    recovered = records_share_pass(now=t0 + dt.timedelta(seconds=30))
    assert (recovered.shared, recovered.failed) == (10, 0)
    batch.refresh_from_db()
    assert (batch.status, batch.attempts) == (B.SENT, 3)
    assert "HTTP 503" in batch.last_error  # the trouble it had stays visible
    records_share_drain()
    assert platform_ids(platform.base_url) == [e.pk for e in events]
    assert platform_stats(platform)["duplicates"] == 0
    assert sharing_lag().state == "ok"


@pytest.mark.django_db
def test_r8_a_batch_out_of_attempts_is_set_aside_visible_audited_and_sent_again_on_request(platform, capsys):
    platform.state.mode = "fail"
    events = append_events(12)
    t = timezone.now()
    for attempt in range(4):
        records_share_pass(now=t)
        t += share_backoff_delay(attempt + 1)
    batch = RecordShareBatch.objects.order_by("id").first()
    assert (batch.status, batch.attempts) == (B.DEAD, 4)
    entry = AuditEntry.objects.get(action="records.share.dead")
    assert entry.after["events"] == 10 and "503" in entry.after["error"]
    lag = sharing_lag()
    assert (lag.state, lag.dead_batches, lag.pending) == ("stuck", 1, 12)

    platform.state.mode = "normal"
    records_share_drain()  # the events after the set-aside batch go on
    assert platform_stats(platform)["unique"] == 2
    call_command("share_records", "--retry-dead")
    out = capsys.readouterr().out
    assert "batches put back in the queue: 1" in out and "pending=0" in out
    assert platform_ids(platform.base_url) == sorted(e.pk for e in events)
    assert AuditEntry.objects.filter(action="records.share.retry_dead").exists()


@pytest.mark.django_db
def test_r8_a_slow_platform_times_out_and_the_resent_batch_is_held_once(platform):
    events = append_events(4)
    platform.state.mode = "slow"  # 1.5 s, past the 1 s timeout; the platform still stores what it got
    result = records_share_pass()
    assert result.failed == 1
    assert "timeout" in RecordShareBatch.objects.get().last_error

    deadline = time.monotonic() + 10
    while platform_stats(platform)["received"] < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    platform.state.mode = "normal"
    retried = records_share_pass(now=timezone.now() + dt.timedelta(seconds=10))
    assert retried.shared == 4
    assert platform_stats(platform) == {"received": 8, "unique": 4, "duplicates": 4, "batches": 2}
    assert platform_ids(platform.base_url) == [e.pk for e in events]


@pytest.mark.django_db(transaction=True)
def test_r8_workers_sharing_at_once_each_send_their_own_batches(platform):
    import threading

    from django.db import connection

    events = append_events(40)
    barrier = threading.Barrier(4)
    results = []

    def work(name):
        try:
            barrier.wait()
            results.append(records_share_drain(worker=name))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.shared for r in results) == 40
    assert platform_stats(platform) == {"received": 40, "unique": 40, "duplicates": 0, "batches": 4}
    assert platform_ids(platform.base_url) == [e.pk for e in events]
    assert not RecordShare.objects.exists()


@pytest.mark.django_db
def test_r8_a_batch_delivered_twice_is_acknowledged_and_not_counted_twice(platform, share_settings):
    events = append_events(3)
    records_share_drain()
    from xinyipi.records.sharing import shared_events

    lines = shared_events(event_ids=[e.pk for e in events])
    client = credit_platform_client(share_settings.CREDIT_PLATFORM["URL"], timeout=5)
    answer = client.send(batch_id="resent", events=lines)
    assert (answer["accepted"], answer["duplicates"]) == (0, 3)
    assert platform_stats(platform) == {"received": 6, "unique": 3, "duplicates": 3, "batches": 2}


@pytest.mark.django_db
def test_r8_the_platform_keeps_what_it_received_across_a_restart(share_settings, tmp_path):
    store = tmp_path / "platform"
    with registry_in_thread(port=0, store_dir=store) as server:
        share_settings.CREDIT_PLATFORM = {**share_settings.CREDIT_PLATFORM, "URL": f"{server.base_url}/credit-platform"}
        events = append_events(5)
        records_share_drain()
    with registry_in_thread(port=0, store_dir=store) as server:
        assert platform_stats(server) == {"received": 5, "unique": 5, "duplicates": 0, "batches": 1}
        assert platform_ids(server.base_url) == [e.pk for e in events]


def test_r8_the_platform_refuses_a_batch_without_event_ids(tmp_path):
    with registry_in_thread(port=0) as server:
        bad = httpx.post(f"{server.base_url}/credit-platform/records", json={"events": [{"type": "x"}]}, timeout=5)
        assert (bad.status_code, bad.json()["code"]) == (422, "invalid_event")
        assert httpx.post(f"{server.base_url}/_control/mode", json={"mode": "odd"}, timeout=5).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.BUREAU_ADMIN, roles.CREDIT_OFFICER])
def test_r8_the_delivery_console_shows_sharing_lag_and_failed_batches(client, make_user, role, platform):
    platform.state.mode = "fail"
    append_events(3)
    records_share_pass()
    client.force_login(make_user(role))
    page = client.get("/console/messages/").content.decode()
    assert "信用记录共享" in page and "重试中" in page
    assert "data-sharing-pending>3<" in page
    assert "HTTP 503" in page  # the last error, and the failed batch with it


@pytest.mark.django_db
def test_r8_an_administrator_sends_the_set_aside_batches_again_from_the_console(
    client, make_user, department, platform
):
    platform.state.mode = "fail"
    events = append_events(3)
    records_share_pass()
    RecordShareBatch.objects.update(status=B.DEAD)
    client.force_login(make_user(roles.WINDOW_CLERK, department))
    assert client.post("/console/messages/sharing/retry/").status_code == 403

    admin = make_user(roles.BUREAU_ADMIN)
    client.force_login(admin)
    assert "重新发送已搁置的批次" in client.get("/console/messages/").content.decode()
    response = client.post("/console/messages/sharing/retry/", follow=True)
    assert "重新排入共享队列" in response.content.decode()
    batch = RecordShareBatch.objects.get()
    assert (batch.status, batch.attempts) == (B.FAILED, 0)
    assert AuditEntry.objects.get(action="records.share.retry_dead").actor_id == admin.pk
    platform.state.mode = "normal"
    records_share_drain()
    assert platform_ids(platform.base_url) == [e.pk for e in events]


@pytest.mark.django_db
def test_r8_the_console_says_sharing_is_off_when_no_platform_is_configured(client, make_user, share_settings):
    append_events(2)
    client.force_login(make_user(roles.BUREAU_ADMIN))
    page = client.get("/console/messages/").content.decode()
    assert "未配置" in page and "data-sharing-pending>2<" in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.APPLICANT, roles.WINDOW_CLERK, roles.REVIEWER, roles.AUDITOR])
def test_r8_other_roles_do_not_see_the_sharing_panel(client, make_user, department, role):
    client.force_login(make_user(role, department))
    assert client.get("/console/messages/").status_code == 403


# -- a real worker killed in the middle of a batch ----------------------------------------------------------


def stats(base_url: str) -> dict:
    # Read in normal mode whatever the server's mode, so a slow platform answers the test at once.
    return httpx.get(f"{base_url}/credit-platform/stats", headers={"X-Registry-Mode": "normal"}, timeout=5).json()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _until(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds:g} s: {what}")


def _start(manage_env, args: list[str], log, env: dict | None = None) -> subprocess.Popen:  # noqa: F811
    return subprocess.Popen(
        [*manage_env["argv"], *args],
        env=env or manage_env["env"],
        cwd=manage_env["cwd"],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_r8_a_worker_killed_mid_batch_and_a_restarted_platform_lose_and_double_nothing(manage_env, tmp_path):  # noqa: F811
    events = append_events(30)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    registry_args = ["run_registry", "--port", str(port), "--store-dir", str(tmp_path / "platform")]
    env = {
        **manage_env["env"],
        "XINYIPI_CREDIT_PLATFORM_URL": f"{base}/credit-platform",
        "XINYIPI_CREDIT_PLATFORM_TIMEOUT": "5",
        "XINYIPI_SHARE_BATCH": "5",
        "XINYIPI_SHARE_POLL_SECONDS": "1",
        "XINYIPI_SHARE_BACKOFF_SECONDS": "1",
        "XINYIPI_SHARE_LEASE_SECONDS": "120",  # what the batch in flight would otherwise wait for
    }
    log = (tmp_path / "processes.log").open("w")
    processes = []
    try:
        registry = _start(manage_env, [*registry_args, "--mode", "slow", "--slow-seconds", "1"], log)
        processes.append(registry)
        _until(
            lambda: httpx.get(f"{base}/health", headers={"X-Registry-Mode": "normal"}, timeout=1).is_success, 20, "up"
        )
        worker = _start(
            manage_env, ["run_worker", "--worker-id", "killed", "--interval", "0.2", "--tick", "0.2"], log, env
        )
        processes.append(worker)
        _until(lambda: stats(base)["batches"] >= 2, 40, "two batches are in")
        time.sleep(0.4)  # the next batch is in flight: the platform holds it for a second before storing it
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        in_flight = RecordShareBatch.objects.get(status=B.SENDING, lease_owner="killed")
        acknowledged = sum(RecordShareBatch.objects.filter(status=B.SENT).values_list("event_count", flat=True))
        assert 10 <= acknowledged < len(events) - in_flight.event_count

        time.sleep(1.0)  # the platform finishes storing the batch whose sender died: it will come again
        registry.send_signal(signal.SIGTERM)
        registry.wait(timeout=10)
        registry = _start(manage_env, registry_args, log)
        processes.append(registry)
        _until(lambda: httpx.get(f"{base}/health", timeout=1).is_success, 20, "the platform is back")
        # Kept across the restart: what was acknowledged, and the batch whose sender died before the answer.
        assert stats(base)["unique"] == acknowledged + in_flight.event_count

        restarted = _start(
            manage_env, ["run_worker", "--worker-id", "restarted", "--interval", "0.2", "--tick", "0.2"], log, env
        )
        processes.append(restarted)
        _until(lambda: not RecordShare.objects.exists(), 60, "every event acknowledged")

        final = stats(base)
        assert final["unique"] == len(events)
        assert platform_ids(base) == [e.pk for e in events]  # nothing missing, nothing extra
        # Only the batch in flight came twice, under the same event ids.
        assert final["duplicates"] == final["received"] - len(events) == in_flight.event_count
        in_flight.refresh_from_db()
        assert (in_flight.status, in_flight.attempts) == (B.SENT, 2)
        assert AuditEntry.objects.filter(action="notifications.worker.lost", object_id="killed").exists()
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=20) == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        log.close()
    output = (tmp_path / "processes.log").read_text()
    assert "Traceback" not in output, output
