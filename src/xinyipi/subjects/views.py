from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render


@login_required
@permission_required("subjects.view_subject", raise_exception=True)
def subject_list(request):
    return render(request, "console_base.html")
