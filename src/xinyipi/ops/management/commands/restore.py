from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinyipi.audit.selectors import audit_chain_check
from xinyipi.ops.backup import BackupError, restore_into_empty


class Command(BaseCommand):
    help = "把一份备份恢复到新建的空数据库：先核对清单中的 SM3 摘要，恢复后核对每张表并校验审计链。"

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="the directory written by manage.py backup")

    def handle(self, *args, **options):
        try:
            manifest = restore_into_empty(source=Path(options["input"]))
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        chain = audit_chain_check()
        if chain.broken is not None:
            raise CommandError(f"restored, but the audit chain is broken at entry #{chain.broken.seq}")
        self.stdout.write(
            f"restored {len(manifest['tables'])} table(s) and {len(manifest['files']) - 1} file(s); "
            f"audit chain intact: {chain.checked} entries"
        )
