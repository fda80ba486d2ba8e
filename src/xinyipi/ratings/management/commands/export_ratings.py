"""``manage.py export_ratings --from --to --format csv|xlsx --output PATH``: the period's 好差评 in the national
upload's fields."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinyipi.core.errors import DomainError
from xinyipi.ratings.exporting import FORMATS, ratings_export_write


def _date(option: str, text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d").date()  # noqa: DTZ007 - a calendar date, no instant
    except ValueError:
        raise CommandError(f"{option} 须为 YYYY-MM-DD 格式的日期（北京时间），收到“{text}”。") from None


class Command(BaseCommand):
    help = (
        "导出一段时间内的好差评数据（全国好差评系统上报字段）：--from 与 --to 为北京时间日期，首尾两天都包括；"
        "csv 为带 BOM 的 UTF-8（含表头），xlsx 为 Excel 工作簿。个人主体的身份证号码以脱敏形式导出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="第一天（北京时间）")
        parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD", help="最后一天（北京时间）")
        parser.add_argument("--format", required=True, help=" | ".join(FORMATS))
        parser.add_argument("--output", required=True, type=Path, metavar="PATH", help="写入的文件")

    def handle(self, *args, start, end, format, output, **options):
        first, last = _date("--from", start), _date("--to", end)
        try:
            count = ratings_export_write(start=first, end=last, format=format, output=output)
        except DomainError as exc:
            option = {"start": "--from", "end": "--to"}.get(exc.field, f"--{exc.field}")
            raise CommandError(f"{option}：{exc.message}") from None
        except OSError as exc:
            raise CommandError(f"--output 无法写入 {output}：{exc.strerror or exc}") from exc
        self.stdout.write(f"已导出 {count} 条好差评（{first} 至 {last}）到 {output}。")
