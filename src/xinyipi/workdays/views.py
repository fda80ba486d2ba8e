from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

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
    return render(
        request,
        "workdays/calendar.html",
        {
            "year": year,
            "covered": year_covered(year),
            "holidays": holidays_for_year(year),
            "years": calendar_years(),
            "warnings": calendar_warnings(),
            "form": DeadlineForm(initial={"start": clock.today(), "days": 5}),
        },
    )


@login_required
@permission_required("workdays.view_holiday", raise_exception=True)
def deadline(request):
    form = DeadlineForm(request.GET)
    result = None
    if form.is_valid():
        try:
            result = add_working_days(form.cleaned_data["start"], form.cleaned_data["days"])
        except DateOutOfRange as exc:
            form.add_error("start", exc.message)
    return render(request, "workdays/_deadline.html", {"form": form, "result": result})
