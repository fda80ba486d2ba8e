"""The page toolkit the staff console (``views.py``) and the portal's applicant pages share: access answered as
404/403, the filing page and its letter preview, the case page's context and its forms' actions, documents and
material files as responses, and the rows of a case table.

Views parse, authorise, call the services and selectors, and render; refusals are shown next to the field
they name and change nothing.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from xinyipi.accounts.access import (
    access_application_by_id,
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
)
from xinyipi.applications.models import Application, ApplicationMaterial, CorrectionRequest, Mode, Status
from xinyipi.applications.selectors import (
    application_history,
    application_open_for,
    commitment_letter_preview,
    supplement_pledge_preview,
)
from xinyipi.applications.selectors_documents import case_documents
from xinyipi.applications.services import (
    application_correction_answer,
    application_file,
    application_modes,
    application_supplement,
    application_withdraw,
)
from xinyipi.applications.services.correction import correction_notice_due
from xinyipi.applications.workflow import OPEN_STATUSES, REVIEW_STATUSES, SUPPLEMENT_STATUSES, VERIFIABLE_STATUSES
from xinyipi.catalog.models import Matter
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, InvalidTransition, NotAuthenticated, NotFound, NotPermitted
from xinyipi.core.text import join_list
from xinyipi.core.uploads import TYPE_LABELS
from xinyipi.licences.selectors import licence_of


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
                        % {"number": application.number, "status": application.status_label},
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
            {"row": t, "label": application.label_of(t.to_status)} for t in application_history(application=application)
        ],
        "documents": case_documents(application),
        "licence": licence_of(application) if application.decided_at and application.matter.issues_licence else None,
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
    filename = f"{document.number}.pdf"
    return pdf_page(request, "applications/document.html", context, filename=filename, back_url=back_url)


def pdf_page(request, template: str, context: dict, *, filename: str, back_url: str | None = None, css: str = ""):
    """``template`` printed to PDF with the document CSS (and ``css``) inlined. Without the printing component
    404; a print that fails goes back to ``back_url`` with a message (404 when there is none)."""
    if not printing.pdf_available():
        raise Http404(_("本机未安装 PDF 打印组件，请使用网页打印。"))
    html = render_to_string(template, {**context, "inline_css": printing.document_css() + css}, request)
    try:
        content = printing.pdf_from_html(html)
    except printing.PdfUnavailable:
        if back_url is None:
            raise Http404(_("PDF 暂时无法生成，请使用网页打印。")) from None
        messages.error(request, _("PDF 暂时无法生成，请使用“打印”按钮打印网页版本。"))
        return redirect(back_url)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
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
            messages.success(
                request,
                _("容缺材料已全部补齐，办件已即时办结（%(decision)s）。") % {"decision": application.status_label},
            )
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


def case_rows(items, *, url_name: str, verification: bool = False) -> list[dict]:
    """The rows of a case table (``_case_rows.html``), formatted here: a page lists fifty cases, and the template
    language resolving a dozen attributes and filters for each costs more than the page's queries. The
    deadline is the verification date in the verification queue, else the case's current deadline."""
    today = clock.today()
    rows = []
    for application in items:
        due = application.verification_due if verification else application.due_date
        rows.append(
            {
                "number": application.number,
                "url": reverse(url_name, args=[application.pk]),
                "green_channel": application.green_channel,
                "matter": application.matter.name,
                "subject": application.subject.name,
                "mode": application.mode_label,
                "status": application.status,
                "status_label": application.status_label,
                "due": due.isoformat() if due else "",
                "overdue": due is not None and due < today,
                "filed": clock.to_beijing(application.created_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    return rows
