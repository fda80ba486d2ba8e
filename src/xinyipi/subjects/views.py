from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xinyipi.accounts.access import access_subject_by_id
from xinyipi.core.errors import DomainError, NotFound
from xinyipi.core.paging import query_number
from xinyipi.subjects import selectors
from xinyipi.subjects.forms import SubjectRegisterForm, add_domain_error
from xinyipi.subjects.panels import subject_panels_for
from xinyipi.subjects.services import subject_register as register


@login_required
@permission_required("subjects.view_subject", raise_exception=True)
def subject_list(request):
    query = request.GET.get("q", "").strip()[:100]
    before = query_number(request.GET.get("before", ""))
    page = selectors.subject_list(actor=request.user, query=query, before_id=before)
    context = {"page": page, "query": query}
    if request.headers.get("HX-Request"):
        # "More" swaps its own table row for the next rows; the search box swaps the whole result block.
        more = request.headers.get("HX-Target") == "subject-more"
        return render(request, "subjects/_subject_rows.html" if more else "subjects/_subject_results.html", context)
    return render(request, "subjects/subject_list.html", context)


@login_required
@permission_required("subjects.add_subject", raise_exception=True)
def subject_register(request):
    form = SubjectRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subject = register(actor=request.user, **form.cleaned_data)
        except DomainError as exc:  # lost a race with another registration of the same code
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已登记：%(subject)s") % {"subject": subject})
            return redirect("subjects:subject_detail", subject_id=subject.pk)
    return render(request, "subjects/subject_register.html", {"form": form})


@login_required
@permission_required("subjects.view_subject", raise_exception=True)
def subject_detail(request, subject_id: int):
    try:
        subject = access_subject_by_id(request.user, subject_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    context = {"subject": subject, "panels": subject_panels_for(request, subject)}
    return render(request, "subjects/subject_detail.html", context)
