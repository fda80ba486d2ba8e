from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from xinyipi.console.selectors import console_overview


@login_required
def home(request):
    return render(request, "console/home.html", {"overview": console_overview(actor=request.user)})
