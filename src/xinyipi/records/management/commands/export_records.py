import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinyipi.core.errors import DomainError
from xinyipi.records.exporting import FORMATS, records_export, records_export_check


def _date(option: str, text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d").date()  # noqa: DTZ007 - a calendar date, no instant
    except ValueError:
        raise CommandError(f"{option} 须为 YYYY-MM-DD 格式的日期（北京时间），收到“{text}”。") from None


class Command(BaseCommand):
    help = (
        "导出一段时间内的信用记录事件（R8）：--from 与 --to 为北京时间日期，首尾两天都包括；"
        "jsonl 每行一个 JSON 对象，csv 为带 BOM 的 UTF-8（含表头），xlsx 为 Excel 工作簿。"
        "同一时段导出两次，事件编号相同。个人主体的身份证号码以脱敏形式导出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="第一天（北京时间）")
        parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD", help="最后一天（北京时间）")
        parser.add_argument("--format", required=True, help=" | ".join(FORMATS))
        parser.add_argument("--output", required=True, type=Path, metavar="PATH", help="写入的文件")

    def handle(self, *args, start, end, format, output, **options):
        first, last = _date("--from", start), _date("--to", end)
        if first > last:
            raise CommandError(f"--from（{first}）晚于 --to（{last}）。")
        if format not in FORMATS:
            raise CommandError(f"--format 须为 {'、'.join(FORMATS)} 之一，收到“{format}”。")
        try:
            records_export_check(start=first, end=last, format=format, bounded=False)
        except DomainError as exc:
            option = {"start": "--from", "end": "--to"}.get(exc.field, f"--{exc.field}")
            raise CommandError(f"{option}：{exc.message}") from None
        try:
            result = records_export(
                start=first, end=last, format=format, path=output, actor_label="manage.py export_records"
            )
        except OSError as exc:
            raise CommandError(f"--output 无法写入 {output}：{exc.strerror or exc}") from exc
        self.stdout.write(f"已导出 {result.events} 条信用记录事件（{first} 至 {last}）到 {result.path}。")
