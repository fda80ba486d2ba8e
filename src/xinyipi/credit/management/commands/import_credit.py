from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinyipi.credit.categories import STORE_CATEGORIES
from xinyipi.credit.importing import ImportInterrupted, ImportRefused, credit_records_import


class Command(BaseCommand):
    help = (
        "Import a public credit list (CSV in UTF-8, or Excel .xlsx) into the local credit store. All or "
        "nothing: every row is validated first and errors are reported by row and column; re-importing the "
        "same source updates records by record id and never duplicates them."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="where the list comes from, e.g. gsxt, creditchina, court")
        parser.add_argument(
            "--category",
            help=f"the category of every row ({', '.join(STORE_CATEGORIES)}); omit when the file has a category column",
        )
        parser.add_argument("--batch-size", type=int, default=50_000)
        parser.add_argument("--max-errors", type=int, default=200, help="how many row errors to list")
        parser.add_argument(
            "--workers",
            type=int,
            help="processes that check a CSV file side by side on SQLite (default: one per core, for files "
            "of 32 MB or more; 1 reads the file in one stream)",
        )
        parser.add_argument(
            "--progress", action="store_true", default=None, help="show the progress bar even without a TTY"
        )
        parser.add_argument("--no-progress", action="store_false", dest="progress")

    def handle(self, *args, **options):
        try:
            result = credit_records_import(
                path=options["file"],
                source=options["source"],
                category=options["category"],
                actor_label="manage.py import_credit",
                batch_size=options["batch_size"],
                max_errors=options["max_errors"],
                progress=options["progress"],
                workers=options["workers"],
            )
        except ImportRefused as exc:
            raise CommandError(f"{exc.message}（{exc.code}）；未导入任何记录。") from exc
        except ImportInterrupted as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"{error}（{error.code}）")
            more = result.error_count - len(result.errors)
            if more > 0:
                self.stderr.write(f"……另有 {more} 处错误未列出。")
            raise CommandError(f"共 {result.error_count} 处错误，未导入任何记录。")
        self.stdout.write(
            f"已导入 {result.rows} 行（来源 {options['source']}，批次 #{result.import_id}），"
            f"用时 {result.seconds:.1f} 秒，每秒 {result.rate:,.0f} 行。"
        )
