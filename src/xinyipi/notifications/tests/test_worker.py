"""The worker: periodic jobs enqueued once per interval, never piled up, and the processes stop cleanly."""

import datetime as dt
import signal
import subprocess
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from xinyipi.core.periodic import PeriodicJob, periodic_job_register, periodic_jobs_discover
from xinyipi.notifications.models import Notification, PeriodicJobState
from xinyipi.notifications.scheduler import periodic_jobs_enqueue_due
from xinyipi.notifications.services import notify


@task()
def probe_task() -> str:
    return "ok"


JOB = PeriodicJob(name="tests.probe", task=probe_task, every=dt.timedelta(minutes=5), stale_after=dt.timedelta(hours=1))


def _runs() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="probe_task").count()


@pytest.mark.django_db
def test_a_due_job_is_enqueued_once_and_not_again_before_its_interval():
    t0 = timezone.now()
    assert periodic_jobs_enqueue_due(now=t0, jobs=[JOB]) == ["tests.probe"]
    assert periodic_jobs_enqueue_due(now=t0 + dt.timedelta(minutes=4), jobs=[JOB]) == []
    assert _runs() == 1


@pytest.mark.django_db
def test_a_job_is_not_enqueued_again_while_its_last_run_waits():
    t0 = timezone.now()
    periodic_jobs_enqueue_due(now=t0, jobs=[JOB])
    assert periodic_jobs_enqueue_due(now=t0 + dt.timedelta(minutes=5), jobs=[JOB]) == []
    assert _runs() == 1
    assert PeriodicJobState.objects.get(name="tests.probe").skipped_runs == 1

    DBTaskResult.objects.update(status="SUCCESSFUL", finished_at=t0 + dt.timedelta(minutes=6))  # it ran
    assert periodic_jobs_enqueue_due(now=t0 + dt.timedelta(minutes=10), jobs=[JOB]) == ["tests.probe"]
    assert _runs() == 2


@pytest.mark.django_db
def test_a_run_stuck_running_past_stale_after_no_longer_blocks_the_next():
    t0 = timezone.now()
    periodic_jobs_enqueue_due(now=t0, jobs=[JOB])
    DBTaskResult.objects.update(status="RUNNING", started_at=t0)  # its worker died while running it
    assert periodic_jobs_enqueue_due(now=t0 + dt.timedelta(minutes=30), jobs=[JOB]) == []
    assert periodic_jobs_enqueue_due(now=t0 + dt.timedelta(hours=1, minutes=5), jobs=[JOB]) == ["tests.probe"]


@pytest.mark.django_db
def test_a_shortened_interval_takes_effect_at_once():
    t0 = timezone.now()
    long = PeriodicJob(name="tests.probe", task=probe_task, every=dt.timedelta(days=1), stale_after=dt.timedelta(0))
    periodic_jobs_enqueue_due(now=t0, jobs=[long])
    DBTaskResult.objects.update(status="SUCCESSFUL", finished_at=t0)
    assert periodic_jobs_enqueue_due(now=t0 + dt.timedelta(minutes=1), jobs=[JOB]) == ["tests.probe"]


def _tick(now, results, barrier):
    try:
        barrier.wait()
        results.extend(periodic_jobs_enqueue_due(now=now, jobs=[JOB]))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_several_schedulers_at_once_enqueue_each_run_once():
    t0 = timezone.now()
    periodic_jobs_enqueue_due(now=t0 - dt.timedelta(hours=1), jobs=[])  # nothing yet: the row is created by the race
    results = []
    barrier = threading.Barrier(4)
    threads = [threading.Thread(target=_tick, args=(t0, results, barrier)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == ["tests.probe"]
    assert _runs() == 1


def test_registration_checks_its_arguments():
    with pytest.raises(ValueError, match="at least one second"):
        periodic_job_register(name="tests.bad", task=probe_task, every=dt.timedelta(milliseconds=10))
    with pytest.raises(TypeError, match="not a task"):
        periodic_job_register(name="tests.bad", task=lambda: None, every=dt.timedelta(minutes=1))


def test_the_outbox_drain_is_a_registered_periodic_job():
    names = {job.name for job in periodic_jobs_discover()}
    assert {"notifications.outbox_drain", "notifications.task_results_prune"} <= names


@pytest.mark.django_db
def test_deliver_notifications_once_drains_what_is_due(outbox_settings, queue_message, capsys):
    from django.core import mail

    queue_message(channel="email", recipient="a@example.cn")
    queue_message(channel="sms", recipient="13800138000")  # no gateway configured: stays
    call_command("deliver_notifications", "--once")
    out = capsys.readouterr().out
    assert "not configured, left in the outbox: sms" in out
    assert "sent=1" in out
    assert len(mail.outbox) == 1
    assert Notification.objects.get(channel="sms").status == Notification.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_run_worker_drains_the_outbox_and_stops_cleanly_on_sigterm(manage_env):
    from xinyipi.accounts.tests.factories import UserFactory

    UserFactory()  # the database is ready once committed rows exist; the worker sees what is committed
    with transaction.atomic():
        row = notify(channel="email", recipient="a@example.cn", kind="decision", title="准予许可", body="已批准。")
    env = {**manage_env["env"], "XINYIPI_OUTBOX_POLL_SECONDS": "1"}
    process = subprocess.Popen(
        [*manage_env["argv"], "run_worker", "--interval", "0.2", "--tick", "0.2"],
        env=env,
        cwd=manage_env["cwd"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            row.refresh_from_db()
            if row.status == Notification.Status.SENT:
                break
            time.sleep(0.2)
        assert row.status == Notification.Status.SENT
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "stopped" in output
    assert "Traceback" not in output


def test_a_lease_shorter_than_two_delivery_timeouts_is_flagged(settings):
    from xinyipi.notifications.checks import delivery_settings_check

    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "LEASE_SECONDS": 30.0, "SMS_TIMEOUT_SECONDS": 5.0}
    settings.EMAIL_TIMEOUT = 10
    assert delivery_settings_check() == []
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "SMS_TIMEOUT_SECONDS": 20.0}
    assert [c.id for c in delivery_settings_check()] == ["notifications.W001"]
