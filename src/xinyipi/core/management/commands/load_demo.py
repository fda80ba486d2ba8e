import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xinyipi.applications.demo import load_demo_cases, load_demo_document_prefixes
from xinyipi.applications.demo_history import HISTORY_DAYS, load_demo_history
from xinyipi.applications.models import Application
from xinyipi.core.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo catalog, subjects, credit records, one account per role, months of case history and a "
        "few cases of today (development only)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-history",
            action="store_true",
            help=f"skip the {HISTORY_DAYS} days of case history (only today's few cases are filed)",
        )

    def handle(self, *args, **options):
        from django.conf import settings

        if settings.ENVIRONMENT == "production":
            raise CommandError("load_demo refuses to run in production: its passwords are public.")
        started = time.monotonic()
        with transaction.atomic():
            report = load_demo()
        # History and today's cases only go into a database with no case yet (loading again changes nothing).
        # Each case is filed in its own transaction, as at the window (filing is durable).
        fresh = not Application.objects.exists()
        load_demo_document_prefixes()
        if fresh and not options["no_history"]:
            history = load_demo_history()
            report["users"] += history["logins"]
            counts = history["counts"]
            report["summary"].append(
                f"history: {Application.objects.count()} cases from {history['from']} to {history['to']} "
                f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})"
            )
            report["notes"] += [
                "",
                "Story subjects with a full credit record (/console/subjects/, the portal's 我的信用记录):",
                "  linhai      扎兰屯市林海食品有限公司 — licence commitment found false, listed, repaired",
                "  zhaoshufen  赵淑芬 — tolerance pledge never kept, listed, assisted service granted, repaired",
            ]
        cases = load_demo_cases(fresh=fresh)
        if cases:
            report["summary"].append(f"cases: {len(cases)} filed at the window today ({', '.join(cases)})")
        for line in report["summary"]:
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {report['password']})"))
        width = max(len(r["username"]) for r in report["users"])
        for row in report["users"]:
            self.stdout.write(f"  {row['username']:<{width}}  {row['role']} · {row['department']}")
        for line in report.get("notes", []):
            self.stdout.write(line)
        self.stdout.write(f"\nLoaded in {time.monotonic() - started:.1f} s.")
