"""The statistics as an Excel workbook (R13): one sheet per breakdown, the filters in a header row."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from xinyipi.stats.selectors import GROUPS, stats_rows

COLUMNS = [
    "applications",
    "decided",
    "approved",
    "certificates_waived",
    "materials_tolerated",
    "commitments_fulfilled",
    "commitments_breached",
    "approval_rate",
    "fulfilment_rate",
    "breach_rate",
    "median_days_to_decision",
]


def column_labels() -> dict:
    return {
        "department": _("部门"),
        "matter": _("事项"),
        "mode": _("办理模式"),
        "applications": _("申请数"),
        "decided": _("已决定"),
        "approved": _("准予许可"),
        "certificates_waived": _("免交证明（告知承诺）"),
        "materials_tolerated": _("容缺受理"),
        "commitments_fulfilled": _("承诺履约"),
        "commitments_breached": _("承诺失信"),
        "approval_rate": _("准予率"),
        "fulfilment_rate": _("履约率"),
        "breach_rate": _("失信率"),
        "median_days_to_decision": _("决定用时中位数（天）"),
    }


def stats_workbook(cases, *, filters: str) -> bytes:
    """Numbers stay numbers; the first row of every sheet says which period and scope they cover."""
    labels = column_labels()
    book = Workbook()
    book.remove(book.active)
    for group_by in GROUPS:
        sheet = book.create_sheet(str(labels[group_by]))
        sheet.append([filters])
        sheet.append([str(labels[group_by]), *(str(labels[c]) for c in COLUMNS)])
        for row in stats_rows(cases, group_by=group_by):
            sheet.append([row[group_by], *(row[c] for c in COLUMNS)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
