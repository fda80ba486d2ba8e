from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinyipi.ops.backup import BackupError, backup_write


class Command(BaseCommand):
    help = "备份数据库、上传和出具的文件，并写出带 SM3 摘要的清单（docs/deployment.md“备份”）。"

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="a new or empty directory to write the backup into")

    def handle(self, *args, **options):
        try:
            manifest = backup_write(output=Path(options["output"]))
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(count for count, _digest in manifest["tables"].values())
        self.stdout.write(
            f"backup written to {options['output']}: {len(manifest['files'])} file(s), {rows} row(s) in "
            f"{len(manifest['tables'])} table(s)"
        )
