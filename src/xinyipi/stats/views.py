"""The statistics dashboard, its Excel export and the printable monthly report (R13): the bureau sees every
department, a reviewer the own. The views parse the filter, authorise and render; the figures come from
``figures.stats_dashboard``."""

import calendar
import datetime as dt
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from xinyipi.applications import printing
from xinyipi.applications.models import Mode
from xinyipi.applications.pages import pdf_page
from xinyipi.core import clock
from xinyipi.core.errors import NotPermitted
from xinyipi.stats.exporting import stats_workbook
from xinyipi.stats.figures import stats_dashboard
from xinyipi.stats.presenting import filters_label, names_of_keys, page_context
from xinyipi.stats.selectors import StatsFilter


def _date(request, field: str, errors: list) -> dt.date | None:
    value = request.GET.get(field) or ""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        errors.append(_("“%(field)s”不是有效日期（应为 YYYY-MM-DD），已忽略。") % {"field": field})
        return None


def _filter(request) -> tuple[StatsFilter, list[str]]:
    """The filter the request asks for; each bad value is dropped with a message naming its field."""
    errors: list[str] = []
    date_from, date_to = _date(request, "from", errors), _date(request, "to", errors)
    if date_from and date_to and date_from > date_to:
        errors.append(_("起始日期晚于截止日期，已按先后对调。"))
        date_from, date_to = date_to, date_from
    mode = request.GET.get("mode") or None
    if mode and mode not in Mode.values:
        errors.append(_("“mode”不是已知的办理模式，已忽略。"))
        mode = None
    chosen = StatsFilter(
        date_from=date_from,
        date_to=date_to,
        department=(request.GET.get("department") or None),
        matter=(request.GET.get("matter") or None),
        mode=mode,
    )
    return chosen, errors


def _figures(request, chosen: StatsFilter) -> dict:
    try:
        return stats_dashboard(request.user, chosen)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc.message)) from exc


@login_required
def dashboard(request):
    chosen, errors = _filter(request)
    figures = _figures(request, chosen)
    return render(request, "stats/dashboard.html", {**page_context(request, chosen, figures), "errors": errors})


@login_required
def export(request):
    chosen, _errors = _filter(request)
    figures = _figures(request, chosen)
    names = names_of_keys()
    response = HttpResponse(
        stats_workbook(figures, filters=filters_label(chosen, names), names=names),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="xinyipi-stats.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


def _month(request) -> tuple[dt.date, dt.date]:
    """The month asked for (``?month=YYYY-MM``), the last full month by default."""
    value = request.GET.get("month") or ""
    try:
        first = dt.date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        raise Http404(_("“month”应为 YYYY-MM 格式的月份。")) from None
    if first is None:
        first = (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _report(request, *, pdf: bool):
    first, last = _month(request)
    chosen = StatsFilter(date_from=first, date_to=last, department=request.GET.get("department") or None)
    figures = _figures(request, chosen)
    context = {**page_context(request, chosen, figures), "month": first, "generated_at": clock.now()}
    if not pdf:
        return render(request, "stats/report.html", {**context, "pdf": printing.pdf_available()})
    css = Path(finders.find("stats/stats.css")).read_text(encoding="utf-8")
    return pdf_page(request, "stats/report.html", context, filename=f"xinyipi-stats-{first:%Y-%m}.pdf", css=css)


@login_required
def report(request):
    return _report(request, pdf=False)


@login_required
def report_pdf(request):
    return _report(request, pdf=True)
