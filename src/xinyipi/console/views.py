from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from xinyipi.console.navigation import is_portal_user
from xinyipi.console.selectors import console_overview


@login_required
def home(request):
    # Applicants sign in through the same form; their place is the portal's "my cases", not the console.
    if is_portal_user(request.user):
        return redirect("portal:my_cases")
    return render(request, "console/home.html", {"overview": console_overview(actor=request.user)})
