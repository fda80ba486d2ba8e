"""``manage.py export_ratings --from --to --format csv|xlsx --output PATH``: the period's 好差评 in the national
upload's fields."""

from django.core.management.base import BaseCommand, CommandError

from xinyipi.core.commands import option_date, option_error, period_arguments_add
from xinyipi.core.errors import DomainError
from xinyipi.ratings.exporting import FORMATS, ratings_export_write


class Command(BaseCommand):
    help = (
        "导出一段时间内的好差评数据（全国好差评系统上报字段）：--from 与 --to 为北京时间日期，首尾两天都包括；"
        "csv 为带 BOM 的 UTF-8（含表头），xlsx 为 Excel 工作簿。个人主体的身份证号码以脱敏形式导出。"
    )

    def add_arguments(self, parser):
        period_arguments_add(parser, FORMATS)

    def handle(self, *args, start, end, format, output, **options):
        first, last = option_date("--from", start), option_date("--to", end)
        try:
            count = ratings_export_write(start=first, end=last, format=format, output=output)
        except DomainError as exc:
            raise option_error(exc) from None
        except OSError as exc:
            raise CommandError(f"--output 无法写入 {output}：{exc.strerror or exc}") from exc
        self.stdout.write(f"已导出 {count} 条好差评（{first} 至 {last}）到 {output}。")
