"""What the period exports' management commands share: the --from/--to/--format/--output options, and their
values read or refused with a message that names the option."""

import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError

from xinyipi.core.errors import DomainError


def period_arguments_add(parser, formats) -> None:
    parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="第一天（北京时间）")
    parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD", help="最后一天（北京时间）")
    parser.add_argument("--format", required=True, help=" | ".join(formats))
    parser.add_argument("--output", required=True, type=Path, metavar="PATH", help="写入的文件")


def option_date(option: str, text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d").date()  # noqa: DTZ007 - a calendar date, no instant
    except ValueError:
        raise CommandError(f"{option} 须为 YYYY-MM-DD 格式的日期（北京时间），收到“{text}”。") from None


def option_error(exc: DomainError) -> CommandError:
    """A service's refusal of a period export, named by the command's option."""
    option = {"start": "--from", "end": "--to"}.get(exc.field, f"--{exc.field}")
    return CommandError(f"{option}：{exc.message}")
