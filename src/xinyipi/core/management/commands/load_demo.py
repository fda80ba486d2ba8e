from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xinyipi.applications.demo import load_demo_cases
from xinyipi.core.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo catalog, subjects, credit records, one account per role and a few cases (development only)."

    def handle(self, *args, **options):
        from django.conf import settings

        if settings.ENVIRONMENT == "production":
            raise CommandError("load_demo refuses to run in production: its passwords are public.")
        with transaction.atomic():
            report = load_demo()
        # Cases are filed afterwards, each in its own transaction as at the window (filing is durable).
        cases = load_demo_cases()
        if cases:
            report["summary"].append(f"cases: {len(cases)} filed at the window ({', '.join(cases)})")
        for line in report["summary"]:
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {report['password']})"))
        width = max(len(r["username"]) for r in report["users"])
        for row in report["users"]:
            self.stdout.write(f"  {row['username']:<{width}}  {row['role']} · {row['department']}")
        for line in report.get("notes", []):
            self.stdout.write(line)
