"""The statistics as an Excel workbook (R13): an overview sheet, the weekly trend and one sheet per breakdown,
each with the filters in its first row. Numbers stay numbers (rates as fractions, formatted as percentages)."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from xinyipi.ratings.models import Level

# The columns of every breakdown, in the order the dashboard's tables and the workbook show them.
COLUMNS = [
    "applications",
    "decided",
    "approved",
    "rejected",
    "approval_rate",
    "certificates_waived",
    "certificates_not_fetched",
    "materials_tolerated",
    "tolerated_materials",
    "commitments_fulfilled",
    "commitments_nonconforming",
    "commitments_breached",
    "fulfilment_rate",
    "breach_rate",
    "supplements_on_time",
    "supplements_late",
    "supplements_never",
    "served_green_channel",
    "served_instant",
    "served_incentive_card",
    "dishonest_restricted",
    "dishonest_subjects",
    "median_days_to_decision",
    "decided_within_promised",
    "decided_within_statutory",
    "days_saved_per_case",
]
RATES = {"approval_rate", "fulfilment_rate", "breach_rate"}
AROUND = [
    "listings_proposed",
    "listings_listed",
    "objections",
    "objections_upheld",
    "objections_dismissed",
    "repairs",
    "repairs_approved",
    "repairs_refused",
    "onsite_bookings",
    "assisted_bookings",
    "bookings_done",
    "bookings_cancelled",
    "bookings_special",
    "special_grants",
    "ratings",
    "follow_ups_open",
    "follow_ups_overdue",
    "follow_ups_closed",
]


def column_labels() -> dict:
    return {
        "department": _("部门"),
        "matter": _("事项"),
        "mode": _("办理模式"),
        "credit_level": _("信用等级"),
        "week": _("周（起始日）"),
        "applications": _("申请数"),
        "decided": _("已决定"),
        "approved": _("准予件数"),
        "rejected": _("不予件数"),
        "approval_rate": _("准予率"),
        "certificates_waived": _("告知承诺准予件数"),
        "certificates_not_fetched": _("免交证明份数"),
        "materials_tolerated": _("容缺受理件数"),
        "tolerated_materials": _("容缺材料份数"),
        "commitments_fulfilled": _("承诺履约"),
        "commitments_nonconforming": _("核查不符责令整改"),
        "commitments_breached": _("承诺失信"),
        "fulfilment_rate": _("履约率"),
        "breach_rate": _("失信率"),
        "supplements_on_time": _("按期补正"),
        "supplements_late": _("催告后补正"),
        "supplements_never": _("逾期未补正"),
        "served_green_channel": _("绿色通道件数"),
        "served_instant": _("秒批件数"),
        "served_incentive_card": _("激励卡核查件数"),
        "dishonest_restricted": _("失信主体重点审查件数"),
        "dishonest_subjects": _("被限制便利的失信主体数"),
        "median_days_to_decision": _("决定用时中位数（天）"),
        "decided_within_promised": _("承诺时限内办结"),
        "decided_within_statutory": _("法定时限内办结"),
        "days_saved_per_case": _("平均提前办结（天）"),
        "listings_proposed": _("拟列入黑名单"),
        "listings_listed": _("列入黑名单"),
        "objections": _("异议"),
        "objections_upheld": _("异议成立"),
        "objections_dismissed": _("异议不成立"),
        "repairs": _("信用修复申请"),
        "repairs_approved": _("准予修复"),
        "repairs_refused": _("不予修复"),
        "onsite_bookings": _("上门服务预约"),
        "assisted_bookings": _("帮办代办预约"),
        "bookings_done": _("预约已完成"),
        "bookings_cancelled": _("预约已取消"),
        "bookings_special": _("特殊情况预约"),
        "special_grants": _("特殊情况准予"),
        "ratings": _("评价总数"),
        "follow_ups_open": _("差评待回访"),
        "follow_ups_overdue": _("差评回访逾期"),
        "follow_ups_closed": _("差评已反馈"),
    }


def _sheet(book: Workbook, title: str, filters: str, header: list, rows: list, percent_columns=()) -> None:
    sheet = book.create_sheet(title)
    sheet.append([filters])
    sheet.append([str(h) for h in header])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in percent_columns:
        for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
            cell.number_format = "0.0%"
    sheet.column_dimensions["A"].width = 28


def stats_workbook(figures: dict, *, filters: str, names: dict) -> bytes:
    """``figures`` from ``stats_dashboard``; ``names`` maps each breakdown's keys to what people read."""
    labels = column_labels()
    book = Workbook()
    book.remove(book.active)
    overview = [[str(labels[c]), figures["totals"][c]] for c in COLUMNS]
    overview += [
        [str(labels[c]), {**figures["supervision"], **figures["bookings"], **figures["ratings"]}[c]] for c in AROUND
    ]
    overview += [[str(Level(level).label), n] for level, n in figures["ratings"]["ratings_by_level"].items()]
    _sheet(book, _("总览"), filters, [_("指标"), _("数值")], overview)
    weekly = [[row["week"], row["applications"], row["decided"], row["approved"]] for row in figures["weekly"]]
    _sheet(
        book,
        _("周趋势"),
        filters,
        [labels["week"], labels["applications"], labels["decided"], labels["approved"]],
        weekly,
    )
    percent = [COLUMNS.index(c) + 2 for c in RATES]
    for group_by, rows in figures["breakdowns"].items():
        body = [[names[group_by].get(row[group_by], row[group_by]), *(row[c] for c in COLUMNS)] for row in rows]
        _sheet(book, str(labels[group_by]), filters, [labels[group_by], *(labels[c] for c in COLUMNS)], body, percent)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
