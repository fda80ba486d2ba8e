"""``manage.py run_worker``: the django-tasks-db worker plus the periodic-job scheduler, in one process.

Run one or several (each with its own ``--worker-id`` or the generated one). SIGTERM or SIGINT stops it
cleanly: the scheduler stops, a running task finishes (the outbox drain stops between two messages and
gives back what it claimed but did not start), then the process exits. A second signal aborts the task.

The process beats every ``--heartbeat`` seconds (``notifications.heartbeat``). At start, and on every
scheduler tick, dead workers are reaped: a worker killed (``kill -9``, a lost machine) stops blocking its
periodic job and gives back the messages it held as soon as it is found dead — at once when it ran on this
machine, after three missed beats otherwise.
"""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string

from xinyipi.core.periodic import periodic_jobs_discover
from xinyipi.notifications.heartbeat import heartbeat_start, heartbeat_stop, workers_reap
from xinyipi.notifications.scheduler import Scheduler, stopping


class Command(BaseCommand):
    help = "运行后台工作进程：执行后台任务（django-tasks 数据库队列），并按时把定时任务（含发件箱投递）排入队列。"

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="default", help="queues to process, comma-separated ('*' = all)")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls of an empty queue")
        parser.add_argument("--tick", type=float, default=1.0, help="seconds between two scheduler passes")
        parser.add_argument("--worker-id", default="", help="unique id of this worker (default: generated)")
        parser.add_argument(
            "--heartbeat", type=float, default=5.0, help="seconds between two beats (dead after three missed)"
        )
        parser.add_argument("--no-scheduler", action="store_true", help="only execute tasks; another process schedules")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")
        parser.add_argument(
            "--batch", action="store_true", help="run what is queued (after one scheduler pass), then exit"
        )

    def handle(self, *args, **options):
        from django_tasks_db.management.commands.db_worker import Worker

        if options["interval"] < 0 or options["tick"] <= 0 or options["heartbeat"] <= 0:
            raise CommandError("--interval must be ≥ 0, --tick and --heartbeat > 0")
        if options["max_tasks"] is not None and options["max_tasks"] <= 0:
            raise CommandError("--max-tasks must be > 0")
        worker_id = options["worker_id"] or get_random_string(32)
        if len(worker_id) > 64:
            raise CommandError("--worker-id must have at most 64 characters")
        jobs = periodic_jobs_discover()
        for job in jobs:
            self.stdout.write(f"periodic job {job.name}: every {job.every}")

        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        stopping.clear()

        def on_signal(signum, frame):
            stopping.set()
            worker.shutdown(signum, frame)

        stop_scheduler = threading.Event()
        scheduler = None
        heartbeat_start(worker_id=worker_id, every=options["heartbeat"])
        previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            for reaped in workers_reap(exclude=worker_id):
                self.stdout.write(
                    f"worker {reaped['worker_id']} is dead ({reaped['reason']}): {reaped['jobs_failed']} job(s) "
                    f"failed, {reaped['messages_released']} message(s) given back"
                )
            if options["batch"] and not options["no_scheduler"]:
                from xinyipi.notifications.scheduler import periodic_jobs_enqueue_due

                periodic_jobs_enqueue_due(jobs=jobs)
            elif not options["no_scheduler"]:
                scheduler = Scheduler(tick=options["tick"], stop=stop_scheduler)
                scheduler.start()
            self.stdout.write(f"worker {worker_id} started")
            worker.run()
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise
        finally:
            stopping.set()
            stop_scheduler.set()
            if scheduler is not None:
                scheduler.join(timeout=10)
            heartbeat_stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write(f"worker {worker_id} stopped")
