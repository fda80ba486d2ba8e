"""Worker liveness: a dead worker's job run and outbox leases are freed as soon as it is known dead.

The last test kills a real ``run_worker`` with SIGKILL in the middle of a slow SMS drain and restarts one.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from xinyipi.audit.models import AuditEntry
from xinyipi.core.periodic import PeriodicJob
from xinyipi.notifications import heartbeat as hb
from xinyipi.notifications.models import Notification, PeriodicJobState, WorkerHeartbeat
from xinyipi.notifications.scheduler import periodic_jobs_enqueue_due, stopping
from xinyipi.notifications.selectors import worker_heartbeat_age
from xinyipi.notifications.tests.conftest import gateway_messages, gateway_send_requests

S = Notification.Status
WORKER_LOST = "xinyipi.notifications.heartbeat.WorkerLost"


@task()
def heartbeat_probe_task() -> str:
    return "ok"


JOB = PeriodicJob(
    name="tests.heartbeat_probe",
    task=heartbeat_probe_task,
    every=dt.timedelta(seconds=5),
    stale_after=dt.timedelta(hours=1),
)


def _registered(worker_id: str, *, every: float = 5.0, elsewhere: bool = False) -> hb.Heartbeat:
    beat = hb.Heartbeat(worker_id=worker_id, every=every)
    beat.register()
    if elsewhere:  # as if it ran on another machine: its pid says nothing here
        WorkerHeartbeat.objects.filter(worker_id=worker_id).update(host="other-host", scope="other-host/boot/pid:[1]")
    return beat


def _expire(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(expires_at=Now() - dt.timedelta(seconds=1))


def _running_job(worker_id: str) -> DBTaskResult:
    result = heartbeat_probe_task.enqueue()
    DBTaskResult.objects.filter(id=result.id).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=["earlier-worker", worker_id]
    )
    return DBTaskResult.objects.get(id=result.id)


def _held(queue_message, worker_id: str, *, attempts: int) -> Notification:
    row = queue_message(channel="email", recipient=f"{uuid.uuid4().hex[:8]}@example.cn")
    until = timezone.now() + dt.timedelta(minutes=2)
    Notification.objects.filter(pk=row.pk).update(
        status=S.SENDING,
        lease_owner=worker_id,
        lease_token=uuid.uuid4(),
        lease_expires_at=until,
        next_attempt_at=until,
        attempts=attempts,
    )
    row.refresh_from_db()
    return row


def _gone_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.django_db
def test_a_registered_worker_is_visible_through_its_heartbeat_age_until_it_stops():
    assert worker_heartbeat_age() is None
    beat = _registered("w-visible")
    age = worker_heartbeat_age()
    assert age is not None and 0 <= age < 5
    assert beat.beat() is True
    beat.stop()
    assert worker_heartbeat_age() is None
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db
def test_a_worker_on_another_host_is_alive_while_its_heartbeat_is_fresh(queue_message):
    _registered("w-remote", elsewhere=True)
    job = _running_job("w-remote")
    held = _held(queue_message, "w-remote", attempts=1)

    assert hb.workers_reap() == []
    job.refresh_from_db()
    held.refresh_from_db()
    assert job.status == "RUNNING"
    assert (held.status, held.lease_owner) == (S.SENDING, "w-remote")


@pytest.mark.django_db
def test_a_worker_whose_heartbeat_expired_is_reaped_its_run_failed_and_its_messages_given_back(queue_message):
    _registered("w-dead", elsewhere=True)
    _registered("w-live", elsewhere=True)
    dead_job, live_job = _running_job("w-dead"), _running_job("w-live")
    in_hand = _held(queue_message, "w-dead", attempts=1)  # an attempt was under way
    claimed = _held(queue_message, "w-dead", attempts=0)  # claimed, not started
    theirs = _held(queue_message, "w-live", attempts=1)
    _expire("w-dead")

    reaped = hb.workers_reap()

    assert [(r["worker_id"], r["reason"], r["jobs_failed"], r["messages_released"]) for r in reaped] == [
        ("w-dead", "heartbeat expired", 1, 2)
    ]
    dead_job.refresh_from_db()
    live_job.refresh_from_db()
    assert (dead_job.status, dead_job.exception_class_path) == ("FAILED", WORKER_LOST)
    assert dead_job.finished_at is not None
    assert live_job.status == "RUNNING"
    for row, status in ((in_hand, S.FAILED), (claimed, S.PENDING)):
        row.refresh_from_db()
        assert (row.status, row.lease_owner, row.lease_token) == (status, "", None)
        assert row.next_attempt_at <= timezone.now()
    theirs.refresh_from_db()
    assert (theirs.status, theirs.lease_owner) == (S.SENDING, "w-live")
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"w-live"}
    entry = AuditEntry.objects.get(action="notifications.worker.lost")
    assert (entry.object_id, entry.after["reason"], entry.after["messages_released"]) == (
        "w-dead",
        "heartbeat expired",
        2,
    )

    assert hb.workers_reap() == []  # done once
    assert AuditEntry.objects.filter(action="notifications.worker.lost").count() == 1


@pytest.mark.django_db
def test_a_worker_of_this_host_whose_process_is_gone_is_reaped_at_once_despite_a_fresh_heartbeat():
    _registered("w-gone")
    WorkerHeartbeat.objects.filter(worker_id="w-gone").update(pid=_gone_pid())
    job = _running_job("w-gone")

    assert [(r["worker_id"], r["reason"]) for r in hb.workers_reap()] == [("w-gone", "process gone")]
    job.refresh_from_db()
    assert job.status == "FAILED"


@pytest.mark.django_db
def test_a_worker_of_this_host_whose_process_runs_is_not_reaped_nor_is_the_reaper_itself():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _registered("w-running")
        WorkerHeartbeat.objects.filter(worker_id="w-running").update(pid=process.pid)
        _registered("w-me")  # this process
        assert hb.workers_reap(exclude="w-me") == []
        assert WorkerHeartbeat.objects.count() == 2
    finally:
        process.kill()
        process.wait()


@pytest.mark.django_db
def test_an_earlier_worker_with_this_very_pid_is_a_previous_life_of_this_process():
    _registered("w-before")  # same scope and pid as the worker now starting: that process is this one now
    assert [r["worker_id"] for r in hb.workers_reap(exclude="w-now")] == ["w-before"]


def test_a_killed_process_not_yet_waited_for_does_not_exist():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert hb.process_exists(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while hb.process_exists(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not hb.process_exists(process.pid)  # a zombie until waited for, but not a running process
    finally:
        process.kill()
        process.wait()


@pytest.mark.django_db
def test_a_job_run_by_a_worker_without_heartbeat_still_waits_for_stale_after():
    job = _running_job("plain-db-worker")
    assert hb.workers_reap() == []
    job.refresh_from_db()
    assert job.status == "RUNNING"


@pytest.mark.django_db
def test_the_run_of_a_reaped_worker_no_longer_blocks_its_periodic_job():
    t0 = timezone.now()
    assert periodic_jobs_enqueue_due(now=t0, jobs=[JOB]) == [JOB.name]
    task_id = PeriodicJobState.objects.get(name=JOB.name).last_task_id
    _registered("w-killed", elsewhere=True)
    DBTaskResult.objects.filter(id=task_id).update(status="RUNNING", started_at=t0, worker_ids=["w-killed"])

    later = t0 + dt.timedelta(seconds=6)
    assert periodic_jobs_enqueue_due(now=later, jobs=[JOB]) == []  # its worker beats: the run is live
    _expire("w-killed")
    hb.workers_reap()
    assert periodic_jobs_enqueue_due(now=later + dt.timedelta(seconds=6), jobs=[JOB]) == [JOB.name]


@pytest.mark.django_db
def test_a_worker_taken_for_dead_while_alive_registers_again_and_its_drain_stops(queue_message):
    beat = _registered("w-stalled", elsewhere=True)
    held = _held(queue_message, "w-stalled", attempts=0)
    hb._current = beat
    try:
        should_stop = hb.drain_should_stop(stopping)
        assert should_stop() is False
        _expire("w-stalled")
        hb.workers_reap()
        held.refresh_from_db()
        assert held.status == S.PENDING  # given back while its holder stalled

        assert beat.beat() is False  # the stalled worker wakes up and finds out
        assert WorkerHeartbeat.objects.filter(worker_id="w-stalled").exists()
        assert should_stop() is True  # the drain that was running stops before its next message
        assert hb.drain_should_stop(stopping)() is False  # the next drain runs normally
    finally:
        hb._current = None


def _start_worker(manage_env, env: dict, worker_id: str, log, *, heartbeat: float) -> subprocess.Popen:
    argv = [*manage_env["argv"], "run_worker", "--worker-id", worker_id, "--interval", "0.2", "--tick", "0.2"]
    return subprocess.Popen(
        [*argv, "--heartbeat", f"{heartbeat:g}"],
        env=env,
        cwd=manage_env["cwd"],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _until(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds:g} s: {what}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", ["this_host", "another_host"])
def test_r_reliability_a_worker_killed_mid_drain_delays_no_message_past_30_s_after_restart(
    where, manage_env, sms_gateway, queue_message, tmp_path
):
    """SIGKILL during slow SMS delivery; the restarted worker delivers everything, each message id once."""
    rows = [queue_message(channel="sms", recipient=f"1380013800{i}") for i in range(5)]
    env = {
        **manage_env["env"],
        "XINYIPI_SMS_GATEWAY_URL": f"{sms_gateway.base_url}/_mode/slow",  # 1.5 s per message
        "XINYIPI_SMS_TIMEOUT_SECONDS": "5",
        "XINYIPI_OUTBOX_LEASE_SECONDS": "120",  # what the remaining messages would otherwise wait for
        "XINYIPI_OUTBOX_POLL_SECONDS": "1",
    }
    # On this host the dead process is seen at once: a heartbeat that would expire only after a minute shows
    # it is not what finds it. For another host only expiry can tell, so the heartbeat is short there.
    heartbeat = 20.0 if where == "this_host" else 1.0
    log = (tmp_path / "workers.log").open("w")
    killed = _start_worker(manage_env, env, "killed-worker", log, heartbeat=heartbeat)
    restarted = None
    try:
        _until(lambda: gateway_send_requests(sms_gateway) >= 2, 30, "the first worker is sending its second SMS")
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait(timeout=10)

        drain = DBTaskResult.objects.get(task_path__endswith="outbox_drain_task", status="RUNNING")
        assert drain.worker_ids[-1] == "killed-worker"
        held = Notification.objects.filter(status=S.SENDING, lease_owner="killed-worker").count()
        assert held >= 3  # the one in hand and those claimed behind it, leased for two minutes
        if where == "another_host":
            WorkerHeartbeat.objects.filter(worker_id="killed-worker").update(
                host="other-host", scope="other-host/boot/pid:[1]"
            )

        restarted_at = time.monotonic()
        restarted = _start_worker(manage_env, env, "restarted-worker", log, heartbeat=heartbeat)
        _until(
            lambda: not Notification.objects.exclude(status=S.SENT).exists(),
            30,
            "every message sent after the restart",
        )
        assert time.monotonic() - restarted_at < 30

        received = gateway_messages(sms_gateway)
        assert sorted(m["id"] for m in received) == sorted(str(r.message_id) for r in rows)  # each once
        assert gateway_send_requests(sms_gateway) <= len(rows) + 1  # only the message in hand went twice
        drain.refresh_from_db()
        assert (drain.status, drain.exception_class_path) == ("FAILED", WORKER_LOST)
        lost = AuditEntry.objects.get(action="notifications.worker.lost")
        expected = "process gone" if where == "this_host" else "heartbeat expired"
        assert (lost.object_id, lost.after["reason"]) == ("killed-worker", expected)
        assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["restarted-worker"]
        assert worker_heartbeat_age() < heartbeat * hb.MISSED_BEATS  # the restarted worker is alive

        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=20) == 0
        assert worker_heartbeat_age() is None  # a clean stop leaves no heartbeat behind
    finally:
        for process in (killed, restarted):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
        log.close()
    output = (tmp_path / "workers.log").read_text()
    assert "Traceback" not in output, output
