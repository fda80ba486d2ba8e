from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from xinyipi.catalog.importer import ImportFailed, catalog_import
from xinyipi.catalog.national import SOURCE_VALUES


class Command(BaseCommand):
    help = (
        "导入事项目录（部门、事项、申请材料），全部成功或全部不写入。FILE 可以是："
        "Excel 工作簿（.xlsx，含 departments/部门、matters/事项、materials/材料 三个工作表）；"
        "zip 压缩包或目录，内含 departments.csv、matters.csv、materials.csv（UTF-8 或 GB18030）。"
        "列名可用字段名、中文名或国家实施清单字段名；按编码新增或更新，文件中没有的数据不删除。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 文件、.zip 文件或 CSV 目录")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument(
            "--source",
            default="national",
            choices=sorted(SOURCE_VALUES),
            help="来源系统，决定代码值的对照关系（默认 national：国家实施清单代码）",
        )

    def handle(self, *args, file, dry_run, source, **options):
        try:
            report = catalog_import(actor=None, path=file, dry_run=dry_run, source=source)
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc.message)) from exc
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))
        for sheet in ("departments", "matters", "materials"):
            counts = report.counts[sheet]
            self.stdout.write(
                _("%(sheet)s：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d") % {"sheet": sheet, **counts}
            )
        if dry_run:
            self.stdout.write(self.style.SUCCESS(_("检查通过（试运行，未写入任何数据）。")))
        else:
            self.stdout.write(self.style.SUCCESS(_("导入完成。")))
