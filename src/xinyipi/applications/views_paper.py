"""The window confirms the paper an online applicant brought (the case page's "确认收到纸质件" button)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyipi.applications.services import application_paper_receive
from xinyipi.applications.views import case_for
from xinyipi.core.errors import DomainError, NotPermitted


@login_required
@permission_required("applications.supplement_application", raise_exception=True)
@require_POST
def paper_receive(request, pk: int):
    application = case_for(request.user, pk, action="receive_paper")
    try:
        application_paper_receive(
            actor=request.user, application=application, materials=request.POST.getlist("materials")
        )
    except NotPermitted:
        raise  # a 403, never a message on the page
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已确认收到纸质材料。"))
    return redirect("applications:detail", pk=application.pk)
