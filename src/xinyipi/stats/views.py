"""The statistics dashboard and its Excel export (R13): the bureau sees every department, a reviewer the own."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from xinyipi.accounts.access import stats_cases_for_actor
from xinyipi.accounts.models import Department
from xinyipi.applications.models import Mode
from xinyipi.catalog.models import Matter
from xinyipi.core.errors import NotPermitted
from xinyipi.stats.exporting import COLUMNS, column_labels, stats_workbook
from xinyipi.stats.selectors import GROUPS, cases_in_period, stats_rows


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filtered(request):
    try:
        cases = stats_cases_for_actor(request.user)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc.message)) from exc
    date_from, date_to = _date(request.GET.get("from")), _date(request.GET.get("to"))
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    group_by = request.GET.get("group_by") if request.GET.get("group_by") in GROUPS else "department"
    return cases_in_period(cases, date_from=date_from, date_to=date_to), date_from, date_to, group_by


RATES = {"approval_rate", "fulfilment_rate", "breach_rate"}


def _names(group_by: str) -> dict:
    """What a person reads for a group's key: the department's or matter's name, the mode's label."""
    if group_by == "department":
        return dict(Department.objects.values_list("code", "name"))
    if group_by == "matter":
        return dict(Matter.objects.values_list("code", "name"))
    return {value: str(label) for value, label in Mode.choices}


def _shown(column: str, value):
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if column in RATES else value


@login_required
def dashboard(request):
    cases, date_from, date_to, group_by = _filtered(request)
    rows = stats_rows(cases, group_by=group_by)
    names = _names(group_by)
    for row in rows:
        row[group_by] = names.get(row[group_by], row[group_by])
    labels = column_labels()
    return render(
        request,
        "stats/dashboard.html",
        {
            "rows": [[row[group_by], *(_shown(c, row.get(c)) for c in COLUMNS)] for row in rows],
            "headers": [labels[group_by], *(labels[c] for c in COLUMNS)],
            "chart": {
                "keys": [row[group_by] for row in rows],
                "applications": [row["applications"] for row in rows],
                "approved": [row["approved"] for row in rows],
                "labels": {"applications": labels["applications"], "approved": labels["approved"]},
            },
            "date_from": date_from,
            "date_to": date_to,
            "group_by": group_by,
            "groups": [(g, labels[g]) for g in GROUPS],
            "query": request.GET.urlencode(),
        },
    )


@login_required
def export(request):
    cases, date_from, date_to, _group_by = _filtered(request)
    period = f"{date_from or _('不限')} — {date_to or _('不限')}"
    filters = _("统计时段（北京时间，含首尾两天）：%(period)s") % {"period": period}
    response = HttpResponse(
        stats_workbook(cases, filters=filters),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="xinyipi-stats.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
