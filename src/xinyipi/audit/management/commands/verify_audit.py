from django.core.management.base import BaseCommand, CommandError

from xinyipi.audit.selectors import audit_chain_check


class Command(BaseCommand):
    help = "Verify the SM3 hash chain of the audit trail; exits non-zero at the first broken entry."

    def handle(self, *args, **options):
        result = audit_chain_check()
        if result.broken is not None:
            raise CommandError(
                f"audit chain broken at entry #{result.broken.seq}: {result.broken.reason} "
                f"({result.checked} entries checked)"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {result.checked} entries"))
