from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from xinyipi.catalog.exporter import catalog_export


class Command(BaseCommand):
    help = (
        "导出完整事项目录，格式与 import_catalog 读取的一致（导出后再导入不产生变化）。"
        "FILE 以 .xlsx 结尾时写 Excel 工作簿；以 .zip 结尾时写含三个 CSV 的压缩包；否则写入该目录下的 CSV 文件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 文件、.zip 文件或目录")

    def handle(self, *args, file, **options):
        try:
            counts = catalog_export(file)
        except OSError as exc:
            raise CommandError(_("无法写入 %(f)s：%(e)s") % {"f": file, "e": exc.strerror or exc}) from exc
        for sheet, n in counts.items():
            self.stdout.write(_("%(sheet)s：%(n)d 行") % {"sheet": sheet, "n": n})
        self.stdout.write(self.style.SUCCESS(_("已导出到 %(f)s。") % {"f": file}))
