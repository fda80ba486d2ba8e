"""``manage.py share_records``: one pass of sharing the credit record with the credit platform (R8).

Sends batches until nothing is left, a batch fails (it is then retried after its backoff, by the worker or
the next run of this command) or ``--budget`` seconds have passed, and prints the counts and the lag.
``--retry-dead`` first puts the batches set aside after their last attempt back in the queue.
"""

from django.core.management.base import BaseCommand, CommandError

from xinyipi.records.sharing import record_share_retry_dead, records_share_drain, sharing_configured
from xinyipi.records.sharing_selectors import sharing_lag


class Command(BaseCommand):
    help = "把待共享的信用记录事件发送到信用平台（一轮）；--retry-dead 先把已搁置的批次重新排队。"

    def add_arguments(self, parser):
        parser.add_argument("--budget", type=float, default=300.0, help="stop after this many seconds (default 300)")
        parser.add_argument("--retry-dead", action="store_true", help="send the set-aside batches again")
        parser.add_argument("--worker-id", default="", help="lease owner name (default: host:pid)")

    def handle(self, *args, **options):
        if options["budget"] <= 0:
            raise CommandError("--budget must be > 0")
        if len(options["worker_id"]) > 100:
            raise CommandError("--worker-id must have at most 100 characters")
        if not sharing_configured():
            self.stdout.write("credit platform not configured (XINYIPI_CREDIT_PLATFORM_URL): events wait, nothing sent")
        if options["retry_dead"]:
            self.stdout.write(f"batches put back in the queue: {record_share_retry_dead()}")
        result = records_share_drain(budget_seconds=options["budget"], worker=options["worker_id"] or None)
        self.stdout.write(" ".join(f"{key}={value}" for key, value in result.as_dict().items()))
        lag = sharing_lag()
        age = f"{lag.oldest_pending_age_seconds:.0f}s" if lag.oldest_pending_age_seconds is not None else "-"
        more = "+" if lag.pending_capped else ""
        self.stdout.write(
            f"pending={lag.pending}{more} oldest_pending_age={age} failing_batches={lag.failing_batches} "
            f"dead_batches={lag.dead_batches}"
        )
