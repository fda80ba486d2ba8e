"""The case pages of the staff console: 窗口受理, the queues, 办件查询, and the case page with its decision,
supplement, correction, return, verification and withdrawal forms and printable documents. What the portal's
applicant pages share with them is in ``pages.py``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyipi.accounts.access import (
    access_credit_check_by_id,
)
from xinyipi.applications.forms import (
    CorrectionRequestForm,
    DecisionForm,
    ReturnForm,
    ReturnResolutionForm,
    VerificationForm,
    WindowStartForm,
)
from xinyipi.applications.models import Application, Mode, Status
from xinyipi.applications.pages import (
    case_for,
    case_rows,
    correction_answer_action,
    document_response,
    filing_page,
    filing_preview,
    material_file_response,
    render_case_page,
    run_case_action,
    supplement_action,
    upload_limits,
    withdraw_action,
)
from xinyipi.applications.selectors import (
    application_queue_review,
    application_queue_verification,
    application_queue_window,
    matter_for_filing,
    matters_for_filing,
)
from xinyipi.applications.selectors_search import CaseSearch, application_search, case_search_from, search_departments
from xinyipi.applications.services import (
    application_correction_request,
    application_credit_check,
    application_decide,
    application_return,
    application_return_resolve,
    application_verify,
)
from xinyipi.catalog.models import Matter
from xinyipi.core.errors import DomainError, NotFound, NotPermitted
from xinyipi.credit.selectors import (
    credit_subject_for_card,
    credit_subject_for_code,
    looks_like_subject_code,
)

# ---------------------------------------------------------------------------------------------------
# The window (窗口受理)


@login_required
@permission_required("applications.add_application", raise_exception=True)
def window(request):
    """Step 1: the applicant's code or incentive card and the matter; runs the credit check (R1)."""
    form = WindowStartForm(request.POST or None, initial={"matter": request.GET.get("matter", "")})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                matter = matter_for_filing(data["matter"])
            except NotFound:
                form.add_error("matter", _("没有该实施编码的事项，请从列表中选择。"))
            else:
                if matter.status != Matter.Status.IN_USE:
                    form.add_error("matter", _("该事项当前不受理申请（%(s)s）。") % {"s": matter.get_status_display()})
                else:
                    try:
                        query = data["query"].strip()
                        card = (data.get("incentive_card") or "").strip() or None
                        if looks_like_subject_code(query):
                            subject = credit_subject_for_code(query, field="query")
                        else:
                            subject, card = credit_subject_for_card(query)
                        check = application_credit_check(actor=request.user, subject=subject, incentive_card=card)
                    except DomainError as exc:
                        field = (exc.field or "").split(".")[-1]
                        form.add_error(field if field in form.fields else "query", str(exc.message))
                    else:
                        return redirect("applications:window_file", check_id=check.pk, matter_code=matter.code)
    return render(request, "applications/window.html", {"form": form, "matters": matters_for_filing()}, status=status)


def _window_parts(request, check_id: int, matter_code: str):
    try:
        check = access_credit_check_by_id(request.user, check_id)
        matter = matter_for_filing(matter_code)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    return check, matter


@login_required
@permission_required("applications.add_application", raise_exception=True)
def window_file(request, check_id: int, matter_code: str):
    """Step 2: the credit result, the modes offered, materials, and the letter or pledge accepted at the window."""
    check, matter = _window_parts(request, check_id, matter_code)
    return filing_page(
        request,
        matter=matter,
        subject=check.subject,
        check=check,
        window=True,
        template="applications/window_file.html",
        extra={"preview_url": reverse("applications:window_preview", args=[check.pk, matter.code]), **upload_limits()},
        case_url=lambda a: reverse("applications:detail", args=[a.pk]),
    )


@login_required
@permission_required("applications.add_application", raise_exception=True)
@require_POST
def window_preview(request, check_id: int, matter_code: str):
    check, matter = _window_parts(request, check_id, matter_code)
    return filing_preview(request, matter=matter, subject=check.subject, check=check, window=True)


# ---------------------------------------------------------------------------------------------------
# Lists and queues


def _page_or_error(request, call):
    try:
        return call(cursor=request.GET.get("cursor") or None), None
    except NotPermitted as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        return None, str(exc.message)


def _queue(request, *, call, title: str, kind: str):
    page, error = _page_or_error(request, lambda cursor: call(actor=request.user, cursor=cursor))
    rows = case_rows(page.items, url_name="applications:detail", verification=kind == "verification") if page else []
    return render(
        request,
        "applications/queue.html",
        {"page": page, "rows": rows, "error": error, "title": title, "kind": kind},
        status=400 if error else 200,
    )


@login_required
@permission_required("applications.supplement_application", raise_exception=True)
def queue_window(request):
    return _queue(request, call=application_queue_window, title=_("待补正办件"), kind="window")


@login_required
@permission_required("applications.decide_application", raise_exception=True)
def queue_review(request):
    return _queue(request, call=application_queue_review, title=_("审核队列"), kind="review")


@login_required
@permission_required("applications.verify_application", raise_exception=True)
def queue_verification(request):
    return _queue(request, call=application_queue_verification, title=_("事后核查"), kind="verification")


@login_required
@permission_required("applications.view_application", raise_exception=True)
def case_list(request):
    """办件查询: the search form and the matching cases of the searcher's scope; a bad value is named (400)."""
    try:
        search = case_search_from(request.GET)
    except DomainError as exc:
        search, page, error, error_field = CaseSearch(), None, str(exc.message), exc.field
    else:
        page, error = _page_or_error(
            request, lambda cursor: application_search(actor=request.user, search=search, cursor=cursor)
        )
        error_field = "cursor" if error else ""
    return render(
        request,
        "applications/list.html",
        {
            "page": page,
            "rows": case_rows(page.items, url_name="applications:detail") if page else [],
            "error": error,
            "error_field": error_field,
            "search": search,
            "raw": request.GET,
            "next_query": urlencode({**search.query(), "cursor": page.next}) if page and page.next else "",
            "departments": search_departments(actor=request.user),
            "statuses": Status.choices,
            "modes": Mode.choices,
        },
        status=400 if error else 200,
    )


# ---------------------------------------------------------------------------------------------------
# One case


def _staff_case(request, pk: int, action: str = "view") -> Application:
    return case_for(request.user, pk, action=action)


def _detail(request, application, *, status: int = 200, **forms):
    return render_case_page(
        request, application, console=True, template="applications/detail.html", status=status, **forms
    )


def _reviewer_action(request, pk: int, *, action: str, form_class, form_name: str, service, fields, done_message: str):
    """A reviewer's form on the case page: validate it and call ``service`` with its ``fields``; on success
    say ``done_message`` (with the new status) and go back to the case, otherwise show the case again with
    the refused form."""
    application = _staff_case(request, pk, action)
    form = form_class(request.POST)

    def call(f):
        service(actor=request.user, application=application, **{name: f.cleaned_data[name] for name in fields})

    done, status = run_case_action(request, application, action=action, form=form, call=call)
    application.refresh_from_db()
    if done:
        messages.success(request, done_message % {"s": application.status_label})
        return redirect("applications:detail", pk=application.pk)
    return _detail(request, application, status=status, **{form_name: form})


@login_required
@permission_required("applications.view_application", raise_exception=True)
def detail(request, pk: int):
    return _detail(request, _staff_case(request, pk))


@login_required
@permission_required("applications.supplement_application", raise_exception=True)
@require_POST
def supplement(request, pk: int):
    application = _staff_case(request, pk, "supplement")
    done, status, form = supplement_action(request, application)
    if done:
        return redirect("applications:detail", pk=application.pk)
    return _detail(request, application, status=status, supplement_form=form)


@login_required
@permission_required("applications.decide_application", raise_exception=True)
@require_POST
def decide(request, pk: int):
    return _reviewer_action(
        request,
        pk,
        action="decide",
        form_class=DecisionForm,
        form_name="decision_form",
        service=application_decide,
        fields=("outcome", "reason"),
        done_message=_("已作出决定：%(s)s。"),
    )


@login_required
@permission_required("applications.verify_application", raise_exception=True)
@require_POST
def verify(request, pk: int):
    return _reviewer_action(
        request,
        pk,
        action="verify",
        form_class=VerificationForm,
        form_name="verification_form",
        service=lambda **kw: application_verify(files=request.FILES.getlist("evidence_files"), **kw),
        fields=("outcome", "evidence"),
        done_message=_("核查结果已登记：%(s)s。"),
    )


@login_required
@permission_required("applications.withdraw_application", raise_exception=True)
@require_POST
def withdraw(request, pk: int):
    application = _staff_case(request, pk, "withdraw")
    withdraw_action(request, application)
    return redirect("applications:detail", pk=application.pk)


@login_required
@permission_required("applications.view_application", raise_exception=True)
def material_file(request, pk: int, code: str):
    return material_file_response(request, pk, code)


_DOCUMENT_VIEWS = {"case_view": "applications:detail", "pdf_view": "applications:document_pdf"}


@login_required
@permission_required("applications.view_application", raise_exception=True)
def document(request, pk: int, ref: str):
    return document_response(request, pk, ref, pdf=False, **_DOCUMENT_VIEWS)


@login_required
@permission_required("applications.view_application", raise_exception=True)
def document_pdf(request, pk: int, ref: str):
    return document_response(request, pk, ref, pdf=True, **_DOCUMENT_VIEWS)


@login_required
@permission_required("applications.request_correction", raise_exception=True)
@require_POST
def correction_request(request, pk: int):
    application = _staff_case(request, pk, "request_correction")
    form = CorrectionRequestForm(request.POST, materials=list(application.matter.materials.all()))

    def call(f):
        application_correction_request(
            actor=request.user, application=application, items=f.service_items(), note=f.cleaned_data.get("note", "")
        )

    done, status = run_case_action(request, application, action="request_correction", form=form, call=call)
    application.refresh_from_db()
    if done:
        messages.success(request, _("补正材料通知书已出具，等待申请人补正（期间停止计时）。"))
        return redirect("applications:detail", pk=application.pk)
    return _detail(request, application, status=status, correction_request_form=form)


@login_required
@permission_required("applications.supplement_application", raise_exception=True)
@require_POST
def correction_answer(request, pk: int):
    application = _staff_case(request, pk, "supplement")
    done, status, form = correction_answer_action(request, application)
    if done:
        return redirect("applications:detail", pk=application.pk)
    return _detail(request, application, status=status, correction_answer_form=form)


@login_required
@permission_required("applications.return_application", raise_exception=True)
@require_POST
def return_to_window(request, pk: int):
    return _reviewer_action(
        request,
        pk,
        action="return",
        form_class=ReturnForm,
        form_name="return_form",
        service=application_return,
        fields=("reason",),
        done_message=_("办件已退回窗口：%(s)s。"),
    )


@login_required
@permission_required("applications.add_application", raise_exception=True)
@require_POST
def return_resolution(request, pk: int):
    return _reviewer_action(
        request,
        pk,
        action="resubmit",
        form_class=ReturnResolutionForm,
        form_name="return_resolution_form",
        service=application_return_resolve,
        fields=("outcome", "reason"),
        done_message=_("退回办件已处理：%(s)s。"),
    )
