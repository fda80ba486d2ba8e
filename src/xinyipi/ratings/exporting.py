"""The period's ratings in the fields of the national 好差评 upload, as CSV or xlsx (console and
``manage.py export_ratings``).

Field names follow the provincial upload interfaces that pass ratings to the national 好差评 system
(govservice-standards.md §3.3, [R]) and GB/T 39046 Table 9: the case (``projectNo``, ``taskCode``, …, ``proStatus``
1 待受理 / 2 已受理 / 3 已办结), the service event rated, the rater, the channel ``pf``, and ``satisfaction`` in the
interfaces' direction (5 非常满意 … 1 非常不满意; GB/T 39046 A.8 runs the other way, so convert there, not here).
A person's ID number leaves only masked, as everywhere else. ``dataSource`` and SM2 signing depend on the
region's interface (reference §7 item 2) and are left to the upload adapter.
"""

import datetime as dt
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from xinyipi.applications.models import Status
from xinyipi.applications.workflow import FINAL_STATUSES
from xinyipi.audit.services import audit_record
from xinyipi.core import clock
from xinyipi.core.errors import DomainError
from xinyipi.core.excel import csv_bytes, xlsx_bytes
from xinyipi.ratings.models import Level, Rating, ServiceEvent
from xinyipi.ratings.selectors import ratings_for_export

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FIELDS = [
    "projectNo",  # 办件编号
    "taskCode",  # 实施编码
    "taskName",  # 事项名称
    "orgCode",  # 实施部门统一社会信用代码
    "orgName",  # 实施部门
    "proStatus",  # 1 待受理 2 已受理 3 已办结
    "acceptDate",  # 受理时间
    "resultDate",  # 办结时间
    "serviceName",  # 评价的服务（申报、补正、办结）
    "userProp",  # 1 自然人 2 企业法人
    "userName",  # 评价人（申请主体）
    "certKey",  # 证件号码（个人脱敏）
    "pf",  # 评价渠道
    "satisfaction",  # 5 非常满意 … 1 非常不满意
    "satisfactionName",
    "writingEvaluation",  # 文字评价
    "assessNumber",  # 1 首次评价
    "assessTime",  # 评价时间
    "areaCode",  # 行政区划代码
]
# ``pf``: 1 PC (our portal), 5 政务大厅其他终端 (the window's rating device).
CHANNEL_CODES = {Rating.Source.ONLINE: "1", Rating.Source.WINDOW: "5"}
# ``serviceName``: the upload's service events 申报 / 补正 / 办结 (reference §3.3).
SERVICE_NAMES = {ServiceEvent.FILING: "申报", ServiceEvent.SUPPLEMENT: "补正", ServiceEvent.DECISION: "办结"}
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def _stamp(moment: dt.datetime | None) -> str:
    return clock.to_beijing(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _pro_status(application) -> str:
    if application.status in (Status.DRAFT, Status.SUBMITTED):
        return "1"
    if application.decided_at or application.status in FINAL_STATUSES:
        return "3"
    return "2"


def _result_at(application) -> dt.datetime | None:
    if application.decided_at:
        return application.decided_at
    return application.updated_at if application.status in FINAL_STATUSES else None


def rating_row(rating: Rating) -> list:
    application = rating.application
    subject = application.subject
    return [
        application.number,
        application.matter.code,
        application.matter.name,
        application.department.code,
        application.department.name,
        _pro_status(application),
        _stamp(application.created_at),
        _stamp(_result_at(application)),
        SERVICE_NAMES[rating.event],
        "1" if subject.is_person else "2",
        subject.name,
        subject.code_display,
        CHANNEL_CODES[rating.source],
        str(rating.score),
        str(Level(rating.score).label),
        rating.comment,
        "1",
        _stamp(rating.created_at),
        settings.RATING_AREA_CODE,
    ]


def ratings_export_check(*, start: dt.date, end: dt.date, format: str) -> None:
    """Refuse a period or format out of contract, naming the field."""
    if format not in FORMATS:
        raise DomainError("invalid_format", _("格式须为 csv 或 xlsx。"), "format")
    for field, day in (("start", start), ("end", end)):
        if not EARLIEST <= day <= LATEST:
            raise DomainError(
                "date_out_of_range",
                _("日期须在 %(a)s 至 %(b)s 之间。") % {"a": EARLIEST.isoformat(), "b": LATEST.isoformat()},
                field,
            )
    if start > end:
        raise DomainError("period_reversed", _("起始日期晚于截止日期。"), "start")


def ratings_export_bytes(*, start: dt.date, end: dt.date, format: str, actor, via: str) -> tuple[bytes, int]:
    """``(file content, number of ratings)``; the export is audited (who, period, format, count, ``via``)."""
    ratings_export_check(start=start, end=end, format=format)
    rows = [rating_row(r) for r in ratings_for_export(date_from=start, date_to=end)]
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="ratings.export",
            object_type=Rating._meta.label_lower,
            after={"from": start, "to": end, "format": format, "ratings": len(rows), "via": via},
        )
    if format == "csv":
        return csv_bytes(FIELDS, rows), len(rows)
    return xlsx_bytes([("ratings", FIELDS, rows)]), len(rows)


def ratings_export_write(*, start: dt.date, end: dt.date, format: str, output: Path) -> int:
    """Write the file to ``output`` whole or not at all (a scratch file moved into place)."""
    content, count = ratings_export_bytes(start=start, end=end, format=format, actor=None, via="command")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(dir=output.parent, prefix=".ratings-", suffix=f".{format}")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(scratch, output)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    return count


def export_filename(*, start: dt.date, end: dt.date, format: str) -> str:
    return f"ratings-{start:%Y%m%d}-{end:%Y%m%d}.{format}"
