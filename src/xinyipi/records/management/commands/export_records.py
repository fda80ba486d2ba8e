from django.core.management.base import BaseCommand, CommandError

from xinyipi.core.commands import option_date, option_error, period_arguments_add
from xinyipi.core.errors import DomainError
from xinyipi.records.exporting import FORMATS, records_export, records_export_check


class Command(BaseCommand):
    help = (
        "导出一段时间内的信用记录事件（R8）：--from 与 --to 为北京时间日期，首尾两天都包括；"
        "jsonl 每行一个 JSON 对象，csv 为带 BOM 的 UTF-8（含表头），xlsx 为 Excel 工作簿。"
        "同一时段导出两次，事件编号相同。个人主体的身份证号码以脱敏形式导出。"
    )

    def add_arguments(self, parser):
        period_arguments_add(parser, FORMATS)

    def handle(self, *args, start, end, format, output, **options):
        first, last = option_date("--from", start), option_date("--to", end)
        if first > last:
            raise CommandError(f"--from（{first}）晚于 --to（{last}）。")
        if format not in FORMATS:
            raise CommandError(f"--format 须为 {'、'.join(FORMATS)} 之一，收到“{format}”。")
        try:
            records_export_check(start=first, end=last, format=format, bounded=False)
        except DomainError as exc:
            raise option_error(exc) from None
        try:
            result = records_export(
                start=first, end=last, format=format, path=output, actor_label="manage.py export_records"
            )
        except OSError as exc:
            raise CommandError(f"--output 无法写入 {output}：{exc.strerror or exc}") from exc
        self.stdout.write(f"已导出 {result.events} 条信用记录事件（{first} 至 {last}）到 {result.path}。")
