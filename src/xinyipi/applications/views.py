"""The case pages of the staff console (窗口受理, queues, the case page with its decision, supplement,
verification and withdrawal forms, printable documents), and the parts the portal's applicant pages share.

Views parse, authorise, call the services and selectors, and render; refusals are shown next to the field
they name and change nothing.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyipi.accounts.access import (
    access_application_by_id,
    access_credit_check_by_id,
    access_document,
    access_material_file,
    application_actions,
)
from xinyipi.applications import printing
from xinyipi.applications.forms import (
    MODES_NEEDING_ACCEPTANCE,
    CorrectionAnswerForm,
    CorrectionRequestForm,
    DecisionForm,
    FilingForm,
    ReturnForm,
    ReturnResolutionForm,
    SupplementForm,
    VerificationForm,
    WindowStartForm,
)
from xinyipi.applications.models import Application, ApplicationMaterial, CorrectionRequest, Mode, Status
from xinyipi.applications.selectors import (
    application_history,
    application_open_for,
    application_page,
    application_queue_review,
    application_queue_verification,
    application_queue_window,
    commitment_letter_preview,
    matter_for_filing,
    supplement_pledge_preview,
)
from xinyipi.applications.services import (
    application_correction_answer,
    application_correction_request,
    application_credit_check,
    application_decide,
    application_file,
    application_modes,
    application_return,
    application_return_resolve,
    application_supplement,
    application_verify,
    application_withdraw,
)
from xinyipi.applications.services.correction import correction_notice_due
from xinyipi.applications.views_support import case_documents, case_rows, matters_for_filing
from xinyipi.applications.workflow import OPEN_STATUSES, REVIEW_STATUSES, SUPPLEMENT_STATUSES, VERIFIABLE_STATUSES
from xinyipi.catalog.models import Matter
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, InvalidTransition, NotAuthenticated, NotFound, NotPermitted
from xinyipi.core.text import join_list
from xinyipi.core.uploads import TYPE_LABELS
from xinyipi.credit.selectors import (
    credit_subject_for_card,
    credit_subject_for_code,
    looks_like_subject_code,
)

# ---------------------------------------------------------------------------------------------------
# Shared by the console and the portal


def page_access(call, *args, **kwargs):
    """``call`` (an ``accounts.access`` function) for a page: "not found" as 404, a refusal as 403."""
    try:
        return call(*args, **kwargs)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except (NotPermitted, NotAuthenticated) as exc:
        raise PermissionDenied(str(exc.message)) from exc


def case_for(user, application_id: int, *, action: str = "view", applicant_only: bool = False) -> Application:
    """The case for someone who may ``action`` it; otherwise 404 (absent, out of scope) or 403."""
    return page_access(access_application_by_id, user, application_id, action=action, applicant_only=applicant_only)


def upload_limits() -> dict:
    """What the filing and supplement forms say about uploads (the limits the service enforces)."""
    limits = settings.APPLICATIONS
    return {
        "upload_max_mb": f"{limits['UPLOAD_MAX_BYTES'] / (1024 * 1024):g}",
        "upload_types": join_list(TYPE_LABELS.get(t, t.upper()) for t in limits["UPLOAD_TYPES"]),
    }


def letter_preview(form: FilingForm, *, matter: Matter, subject) -> dict | None:
    """The letter or pledge the applicant is about to accept, for the mode and materials chosen so far."""
    choice = form.preview_choice()
    agent = {k: choice[k] for k in ("agent_name", "agent_authorisation") if k in choice}
    if choice["mode"] == Mode.COMMITMENT and matter.commitment_kind != Matter.CommitmentKind.NONE:
        text = commitment_letter_preview(matter=matter, subject=subject, certificates=choice["certificates"], **agent)
        return {"title": _("告知承诺书"), "text": text, "kind": "commitment_letter"}
    if choice["mode"] == Mode.TOLERANCE and matter.tolerance:
        missing = choice["missing"]
        text = supplement_pledge_preview(matter=matter, subject=subject, missing=missing, **agent)
        return {"title": _("容缺受理承诺书"), "text": text, "kind": "supplement_pledge", "missing": missing}
    return None


def filing_page(request, *, matter, subject, check, window: bool, template: str, extra: dict, case_url):
    """The filing form of one subject for one matter, shared by the window and the portal.

    ``action=preview`` (or an htmx request) shows the letter or pledge for the choices made; ``action=file``
    files the case through ``application_file`` and redirects to ``case_url(application)``.
    """
    offers = application_modes(matter=matter, check=check)
    bound = request.method == "POST"
    form = FilingForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        matter=matter,
        offers=offers,
        window=window,
    )
    status = 200
    if bound and request.POST.get("action") == "file":
        if form.is_valid():
            arguments = form.filing_arguments()
            if arguments["mode"] in MODES_NEEDING_ACCEPTANCE and not form.cleaned_data.get("accepted"):
                form.add_error("accepted", _("请阅读文书全文，勾选“我已阅读并接受”后再提交。"))
            else:
                try:
                    application = application_file(
                        actor=request.user,
                        matter=matter,
                        subject=subject,
                        channel=Application.Channel.WINDOW if window else Application.Channel.ONLINE,
                        incentive_card=check.incentive_card if window else None,
                        **arguments,
                    )
                except DomainError as exc:
                    form.add_domain_error(exc)
                else:
                    messages.success(
                        request,
                        _("申请已提交，办件编号 %(number)s，当前状态：%(status)s。")
                        % {"number": application.number, "status": application.get_status_display()},
                    )
                    return redirect(case_url(application))
        status = 422
    context = {
        "form": form,
        "matter": matter,
        "subject": subject,
        "check": check,
        "window": window,
        "preview": letter_preview(form, matter=matter, subject=subject) if bound else None,
        "fresh": bound and request.POST.get("action") != "file",
        # The same subject already has a case of this matter open: said before filing a second one.
        "open_case": application_open_for(subject=subject, matter=matter),
        **extra,
    }
    return render(request, template, context, status=status)


def filing_preview(request, *, matter, subject, check, window: bool):
    """The htmx partial: the letter or pledge for the choices in the form so far."""
    form = FilingForm(request.POST, matter=matter, offers=application_modes(matter=matter, check=check), window=window)
    preview = letter_preview(form, matter=matter, subject=subject)
    # A text shown anew must be accepted anew: the box comes back unticked.
    return render(request, "applications/_letter_preview.html", {"preview": preview, "form": form, "fresh": True})


def case_page_context(application: Application, user, *, console: bool) -> dict:
    """What the case page shows (both sides): status, deadlines, materials, history, documents, and which
    forms this user may use in the case's current state."""
    materials = list(application.materials.all())
    missing = [m for m in materials if m.state == ApplicationMaterial.State.MISSING]
    allowed = application_actions(user, application, applicant_only=not console)
    may = {
        "supplement": application.status in SUPPLEMENT_STATUSES and bool(missing) and "supplement" in allowed,
        "decide": application.status in REVIEW_STATUSES and "decide" in allowed,
        "approve": application.status == Status.UNDER_REVIEW,
        "verify": application.mode == Mode.COMMITMENT
        and application.status in VERIFIABLE_STATUSES
        and application.verification_due is not None
        and "verify" in allowed,
        "withdraw": application.status in OPEN_STATUSES and "withdraw" in allowed,
        "return": application.status == Status.UNDER_REVIEW and "return" in allowed,
        "resolve_return": application.status == Status.RETURNED and "resubmit" in allowed,
        "receive_paper": console
        and "receive_paper" in allowed
        and any(m.state == ApplicationMaterial.State.PAPER_AT_WINDOW for m in materials),
    }
    correction = CorrectionRequest.objects.filter(application=application).first()
    may["request_correction"] = (
        application.status == Status.UNDER_REVIEW and correction is None and "request_correction" in allowed
    )
    if may["request_correction"] and "decide" not in allowed:
        # The window's step is acceptance: its notice is bounded by the Art. 32 period (the reviewer's is not).
        filed_on = clock.to_beijing(application.created_at).date()
        may["request_correction"] = clock.today() <= correction_notice_due(filed_on)
    may["answer_correction"] = (
        application.status == Status.CORRECTING and correction is not None and "supplement" in allowed
    )
    may["act"] = any(may[k] for k in ("decide", "request_correction", "return", "resolve_return", "verify"))
    return {
        "correction": correction,
        "check": application.credit_check if console else None,
        "correction_request_form": CorrectionRequestForm(materials=list(application.matter.materials.all()))
        if may["request_correction"]
        else None,
        "correction_answer_form": CorrectionAnswerForm(items=correction.items) if may["answer_correction"] else None,
        "return_form": ReturnForm() if may["return"] else None,
        "return_resolution_form": ReturnResolutionForm() if may["resolve_return"] else None,
        "application": application,
        "materials": materials,
        "missing": missing,
        "history": [
            {"row": t, "label": Status(t.to_status).label if t.to_status in Status.values else t.to_status}
            for t in application_history(application=application)
        ],
        "documents": case_documents(application),
        "verification": getattr(application, "verification", None) if application.mode == Mode.COMMITMENT else None,
        "verification_files": list(application.verification_files.all()) if application.mode == Mode.COMMITMENT else [],
        "today": clock.today(),
        "may": may,
        "pdf": printing.pdf_available(),
        "console": console,
        "supplement_form": SupplementForm(missing=missing) if may["supplement"] else None,
        "decision_form": DecisionForm() if may["decide"] else None,
        "verification_form": VerificationForm() if may["verify"] else None,
    }


def document_response(
    request, pk: int, ref: str, *, pdf: bool, case_view: str, pdf_view: str, applicant_only: bool = False
):
    """A document of a case the user may read, as a printable page (with its verification QR code), or as PDF.

    ``case_view`` and ``pdf_view`` are the URL names of the case page (back link) and of the PDF.
    """
    application, document = page_access(access_document, request.user, pk, ref, applicant_only=applicant_only)
    back_url = reverse(case_view, args=[application.pk])
    pdf_url = reverse(pdf_view, args=[application.pk, ref])
    verify_url = request.build_absolute_uri(reverse("portal:verify", args=[document.token]))
    context = {
        "application": application,
        "matter": application.matter,
        "document": document,
        "verify_url": verify_url,
        "qr": printing.qr_data_uri(verify_url),
        "back_url": back_url,
        "pdf_url": pdf_url if printing.pdf_available() else "",
    }
    if not pdf:
        return render(request, "applications/document.html", context)
    if not printing.pdf_available():
        raise Http404(_("本机未安装 PDF 打印组件，请使用网页打印。"))
    html = render_to_string("applications/document.html", {**context, "inline_css": printing.document_css()}, request)
    try:
        content = printing.pdf_from_html(html)
    except printing.PdfUnavailable:
        messages.error(request, _("PDF 暂时无法生成，请使用“打印”按钮打印网页版本。"))
        return redirect(back_url)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    return response


_FILE_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "ofd": "application/ofd"}


def material_file_response(request, pk: int, code: str, *, applicant_only: bool = False):
    """An uploaded material of a case the user may read, as a download (never rendered inline)."""
    _application, row = page_access(access_material_file, request.user, pk, code, applicant_only=applicant_only)
    try:
        handle = row.file.open("rb")
    except OSError as exc:
        raise Http404(_("该材料没有电子文件。")) from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=row.file_name or f"{row.code}.{row.file_type}",
        content_type=_FILE_TYPES.get(row.file_type, "application/octet-stream"),
    )


def render_case_page(request, application: Application, *, console: bool, template: str, status: int = 200, **forms):
    """The case page with the forms just posted (refused ones keep their errors) and any 409 conflict."""
    context = case_page_context(application, request.user, console=console)
    context.update({k: v for k, v in forms.items() if v is not None})
    context["conflict"] = conflict_of(forms)
    return render(request, template, context, status=status)


def conflict_of(forms: dict) -> str:
    """The message of a move refused because the case is no longer in the state it was shown in (409)."""
    for form in forms.values():
        if form is not None and getattr(form, "conflict", ""):
            return form.conflict
    return ""


def run_case_action(request, application: Application, *, action: str, form, call) -> tuple[bool, int]:
    """Validate ``form`` and run ``call(form)``; a refusal goes next to its field. ``(done, status)``."""
    if not form.is_valid():
        return False, 422
    try:
        call(form)
    except InvalidTransition as exc:
        form.add_error(None, str(exc.message))
        form.conflict = str(exc.message)  # shown above the case even when the form no longer applies
        return False, 409
    except NotPermitted as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as exc:
        form.add_domain_error(exc)
        return False, 422
    return True, 200


def supplement_action(request, application: Application):
    missing = [m for m in application.materials.all() if m.state == ApplicationMaterial.State.MISSING]
    form = SupplementForm(request.POST, request.FILES, missing=missing)

    def call(f):
        application_supplement(
            actor=request.user, application=application, materials=f.cleaned_data["materials"], files=f.files_by_code()
        )

    done, status = run_case_action(request, application, action="supplement", form=form, call=call)
    if done:
        application.refresh_from_db()
        if application.status == Status.APPROVED:
            messages.success(request, _("容缺材料已全部补齐，办件已即时办结（准予许可）。"))
        else:
            messages.success(request, _("补正材料已收取。"))
    return done, status, form


def correction_answer_action(request, application: Application):
    """The answer to the correction notice (the portal's applicant, or the window recording what was brought)."""
    correction = CorrectionRequest.objects.filter(application=application).first()
    form = CorrectionAnswerForm(request.POST, request.FILES, items=correction.items if correction else [])

    def call(f):
        application_correction_answer(
            actor=request.user,
            application=application,
            materials=f.codes(),
            note=f.cleaned_data.get("note", ""),
            files=f.files_by_code(),
        )

    done, status = run_case_action(request, application, action="supplement", form=form, call=call)
    if done:
        application.refresh_from_db()
        messages.success(
            request,
            _("补正材料已提交，恢复审查；承诺办结日期 %(due)s。")
            % {"due": application.decision_due.isoformat() if application.decision_due else "—"},
        )
    return done, status, form


def withdraw_action(request, application: Application):
    reason = (request.POST.get("reason") or "").strip()[:2000]
    try:
        application_withdraw(actor=request.user, application=application, reason=reason)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return False
    messages.success(request, _("申请已撤回，终止办理。"))
    return True


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
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    mode = request.GET.get("mode", "")
    mode = mode if mode in Mode.values else ""
    matter_code = request.GET.get("matter", "").strip()[:50]

    def call(cursor):
        return application_page(
            actor=request.user,
            status=status or None,
            mode=mode or None,
            matter_code=matter_code or None,
            cursor=cursor,
            table=True,
        )

    page, error = _page_or_error(request, call)
    return render(
        request,
        "applications/list.html",
        {
            "page": page,
            "rows": case_rows(page.items, url_name="applications:detail") if page else [],
            "error": error,
            "status": status,
            "mode": mode,
            "matter": matter_code,
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
        messages.success(request, done_message % {"s": application.get_status_display()})
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
