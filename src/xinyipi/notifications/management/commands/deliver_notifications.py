"""``manage.py deliver_notifications [--once]``: drain the outbox without the task queue (operators).

``--once`` delivers what is due now and exits (status 0; the counts are printed). Without it the command
keeps draining every ``XINYIPI_OUTBOX_POLL_SECONDS`` until SIGTERM or SIGINT, finishing the message in
hand and giving back the rest of its batch.
"""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xinyipi.notifications.channels.registry import registry
from xinyipi.notifications.delivery import DrainResult, outbox_drain


class Command(BaseCommand):
    help = "从发件箱发送到期的消息（短信、电子邮件、站内消息）；--once 发送一轮后退出。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
        parser.add_argument("--worker-id", default="", help="lease owner name (default: host:pid:thread)")

    def handle(self, *args, **options):
        stop = threading.Event()

        def on_signal(signum, frame):
            stop.set()

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        worker = options["worker_id"] or None
        if worker is not None and len(worker) > 100:
            raise CommandError("--worker-id must have at most 100 characters")
        unconfigured = [channel.code for channel in registry if not channel.is_configured()]
        if unconfigured:
            self.stdout.write(f"not configured, left in the outbox: {', '.join(unconfigured)}")
        total = DrainResult()
        try:
            while not stop.is_set():
                total.add(outbox_drain(budget_seconds=3600.0, worker=worker, should_stop=stop.is_set))
                if options["once"]:
                    break
                stop.wait(settings.NOTIFICATIONS["POLL_SECONDS"])
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write(" ".join(f"{key}={value}" for key, value in total.as_dict().items()))
