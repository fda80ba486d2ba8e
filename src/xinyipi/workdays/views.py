from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from xinyipi.core import clock
from xinyipi.core.paging import query_number
from xinyipi.workdays.calendar import DateOutOfRange, add_working_days, year_covered
from xinyipi.workdays.forms import DeadlineForm
from xinyipi.workdays.selectors import calendar_warnings, calendar_years, holidays_for_year


@login_required
@permission_required("workdays.view_holiday", raise_exception=True)
def calendar(request):
    year = query_number(request.GET.get("year", ""), digits=4)
    year = year if year is not None and 2000 <= year <= 2100 else clock.today().year
    form = DeadlineForm(initial={"start": clock.today(), "days": 5})
    return render(request, "workdays/calendar.html", _calendar_context(year, form))


def _calendar_context(year: int, form: DeadlineForm) -> dict:
    return {
        "year": year,
        "covered": year_covered(year),
        "holidays": holidays_for_year(year),
        "years": calendar_years(),
        "warnings": calendar_warnings(),
        "form": form,
    }


@login_required
@permission_required("workdays.view_holiday", raise_exception=True)
@vary_on_headers("HX-Request")
def deadline(request):
    """With htmx the answer replaces ``#deadline-result`` only; without JavaScript the form comes here as a page,
    so the answer is shown in the whole calendar page, under the form that asked."""
    form = DeadlineForm(request.GET)
    result = None
    if form.is_valid():
        try:
            result = add_working_days(form.cleaned_data["start"], form.cleaned_data["days"])
        except DateOutOfRange as exc:
            form.add_error("start", exc.message)
    if request.headers.get("HX-Request"):
        return render(request, "workdays/_deadline.html", {"form": form, "result": result})
    context = _calendar_context(clock.today().year, form) | {"answered": True, "result": result}
    return render(request, "workdays/calendar.html", context)
