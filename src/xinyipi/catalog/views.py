from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render


@login_required
@permission_required("catalog.view_matter", raise_exception=True)
def matter_list(request):
    return render(request, "console_base.html")
