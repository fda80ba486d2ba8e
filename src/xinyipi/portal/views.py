from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyipi.accounts.access import subjects_for_actor
from xinyipi.applications.models import SubjectAgent
from xinyipi.applications.pages import (
    case_for,
    case_rows,
    correction_answer_action,
    document_response,
    filing_page,
    filing_preview,
    material_file_response,
    render_case_page,
    supplement_action,
    upload_limits,
    withdraw_action,
)
from xinyipi.applications.policy import workflow_policy_on
from xinyipi.applications.selectors import application_page
from xinyipi.applications.selectors_agents import account_links, own_link, represented_link
from xinyipi.applications.selectors_documents import document_verification
from xinyipi.applications.services import (
    application_credit_check,
    subject_agent_code_confirm,
    subject_agent_code_send,
    subject_agent_identity_verify,
    subject_agent_revoke,
)
from xinyipi.catalog.models import Matter
from xinyipi.catalog.selectors import departments_with_matters, matter_by_code, matter_guide, matter_page_public
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, NotFound
from xinyipi.core.paging import query_number
from xinyipi.notifications.selectors import in_app_message_links, in_app_messages_for, in_app_unread_count
from xinyipi.portal.forms import LinkCodeForm, LinkRequestForm, RegisterForm
from xinyipi.portal.services import applicant_link_request, applicant_register, applicant_register_errors
from xinyipi.records.selectors import credit_record_page
from xinyipi.records.services import credit_record_read_log

# The portal's own pages send a signed-out visitor to the applicants' login, not the staff one.
applicant_login_required = login_required(login_url="portal:login")


def home(request):
    query = request.GET.get("q", "").strip()[:100]
    department = request.GET.get("department", "").strip()[:50]
    number = query_number(request.GET.get("page", ""), digits=4) or 1
    page = matter_page_public(query=query, department_code=department, number=number)
    context = {"guides": page.items, "page": page, "query": query, "department": department}
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        return render(request, "portal/_guide_list.html", context)
    context["departments"] = departments_with_matters()
    return render(request, "portal/home.html", context)


def guide(request, code: str):
    """The public service guide of one matter (办事指南), with its commitment and tolerance rules."""
    try:
        matter = matter_by_code(code, public=True)
    except NotFound as exc:
        raise Http404 from exc
    context = matter_guide(matter)
    context["workflow_policy"] = workflow_policy_on(clock.today())
    return render(request, "portal/guide.html", context)


def blacklist(request):
    """The city list published (R12): entries in effect, persons' names masked, the list's basis and effects."""
    from xinyipi.supervision.policy import listing_policy_on
    from xinyipi.supervision.selectors import blacklist_public_page

    query = request.GET.get("q", "").strip()[:100]
    try:
        page = blacklist_public_page(query=query, cursor=request.GET.get("cursor") or None)
    except DomainError:
        page = blacklist_public_page(query=query)
    context = {"page": page, "query": query, "policy": listing_policy_on(clock.today())}
    return render(request, "portal/blacklist.html", context)


def about(request):
    return render(request, "portal/about.html")


def integrity(request):
    """诚信建设: public credit information, the credit check, commitments and tolerance with their verification,
    what a breach costs and how credit is repaired (R12, the notice's task 7); every period from the policy in
    force today."""
    from xinyipi.supervision.policy import listing_policy_on, repair_policy_on

    today = clock.today()
    repair = repair_policy_on(today)
    context = {
        "workflow_policy": workflow_policy_on(today),
        "listing_policy": listing_policy_on(today),
        "repair_policy": repair,
        "severities": list(repair.severities.values()),
    }
    return render(request, "portal/integrity.html", context)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    return render(request, "500.html", status=500)


# ---------------------------------------------------------------------------------------------------
# Applicants: registration, applying online, their cases and messages, and public document verification


def _portal_case(request, pk: int, action: str = "view"):
    """A case of a subject the signed-in applicant acts for; any other case is "not found" here, whatever
    the account may see in the console."""
    return case_for(request.user, pk, action=action, applicant_only=True)


def register(request):
    if request.user.is_authenticated:
        return redirect("portal:my_cases")
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if not form.is_valid():
            form.add_errors_not_shown(applicant_register_errors(**form.register_fields()))
        else:
            try:
                user = applicant_register(**form.register_fields())
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request,
                    _("注册成功。您与申请主体的关联待核验，核验通过后才能查看和办理该主体的办件。"),
                )
                target = request.POST.get("next", "")
                if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                    return redirect(target)
                return redirect("portal:my_cases")
    return render(request, "portal/register.html", {"form": form, "next": request.GET.get("next", "")}, status=status)


@applicant_login_required
def my_cases(request):
    subjects = list(subjects_for_actor(request.user))
    cursor = request.GET.get("cursor") or None
    try:
        page = (
            application_page(actor=request.user, cursor=cursor, limit=20, table=True, applicant_only=True)
            if subjects
            else None
        )
        error = None
    except DomainError as exc:
        page, error = None, str(exc.message)
    return render(
        request,
        "portal/my_cases.html",
        {
            "subjects": subjects,
            "pending_links": SubjectAgent.objects.filter(user=request.user, status=SubjectAgent.Status.PENDING)
            .select_related("subject")
            .order_by("id"),
            "page": page,
            "rows": case_rows(page.items, url_name="portal:my_case") if page else [],
            "error": error,
            "unread": in_app_unread_count(user=request.user),
        },
    )


def _my_links_page(request, *, status: int = 200, form=None, errors: dict | None = None, code_forms=None):
    return render(
        request,
        "portal/my_links.html",
        {
            **account_links(user=request.user),
            "form": form or LinkRequestForm(),
            "errors": errors or {},
            "code_forms": code_forms or {},
            "unread": in_app_unread_count(user=request.user),
        },
        status=status,
    )


@applicant_login_required
def my_links(request):
    """我的账户与关联: the subjects the account acts for or asked to, how a pending link gets verified (window,
    the legal representative's code, the identity platform), giving a link up, and — for an enterprise's
    legal representative — the enterprise's agents, whose links they may withdraw (R9a)."""
    return _my_links_page(request)


@applicant_login_required
@require_POST
def my_link_request(request):
    form = LinkRequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        person = data["kind"] == "person"
        try:
            link = applicant_link_request(
                actor=request.user,
                kind=data["kind"],
                code=data["id_number"] if person else data["uscc"],
                name=request.user.display_name if person else data["enterprise_name"],
                relation="legal_representative" if person else data["relation"],
                authorisation="" if person else data["authorisation"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request, _("已申请关联“%(subject)s”，请按下方提示完成核验。") % {"subject": link.subject.name}
            )
            return redirect(reverse("portal:my_links") + f"#link-{link.pk}")
    return _my_links_page(request, status=422, form=form)


def _link_action(request, pk: int, call, done: str, *, code_form=None):
    try:
        link = own_link(user=request.user, link_id=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    try:
        message = call(link)
    except DomainError as exc:
        return _my_links_page(
            request,
            status=exc.status,
            errors={link.pk: str(exc.message)},
            code_forms={link.pk: code_form} if code_form is not None else None,
        )
    messages.success(request, message or done)
    return redirect(reverse("portal:my_links") + f"#link-{link.pk}")


@applicant_login_required
@require_POST
def my_link_code_send(request, pk: int):
    def call(link):
        row = subject_agent_code_send(actor=request.user, link=link)
        return _("验证码已发送至该企业登记的法定代表人手机 %(phone)s，请向其获取。") % {"phone": row.phone_masked}

    return _link_action(request, pk, call, "")


@applicant_login_required
@require_POST
def my_link_code_confirm(request, pk: int):
    form = LinkCodeForm(request.POST)

    def call(link):
        if not form.is_valid():
            raise DomainError("code_required", _("请填写短信验证码。"), "code")
        subject_agent_code_confirm(actor=request.user, link=link, code=form.cleaned_data["code"])
        return _("关联已确认，现在可以为“%(subject)s”在网上办理。") % {"subject": link.subject.name}

    return _link_action(request, pk, call, "", code_form=form)


@applicant_login_required
@require_POST
def my_link_identity(request, pk: int):
    def call(link):
        subject_agent_identity_verify(actor=request.user, link=link)
        return _("统一身份认证平台核验通过，关联已生效。")

    return _link_action(request, pk, call, "")


@applicant_login_required
@require_POST
def my_link_give_up(request, pk: int):
    def call(link):
        subject_agent_revoke(actor=request.user, link=link, reason=_("本人放弃关联"))
        return _("已解除与“%(subject)s”的关联。") % {"subject": link.subject.name}

    return _link_action(request, pk, call, "")


@applicant_login_required
@require_POST
def my_link_revoke_agent(request, pk: int):
    """The enterprise's legal representative withdraws another account's link to the enterprise."""
    try:
        link = represented_link(user=request.user, link_id=pk)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    reason = (request.POST.get("reason") or "").strip()[:2000] or _("法定代表人撤回授权")
    try:
        subject_agent_revoke(actor=request.user, link=link, reason=reason)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("已解除 %(user)s 与“%(subject)s”的关联。")
            % {"user": link.user.display_name or link.user.get_username(), "subject": link.subject.name},
        )
    return redirect(reverse("portal:my_links") + "#agents")


@applicant_login_required
def my_record(request):
    """我的信用记录: the credit record of each subject the account acts for (R8), one subject at a time."""
    subjects = list(subjects_for_actor(request.user))
    wanted = request.GET.get("subject", "")
    subject = next((s for s in subjects if str(s.pk) == wanted), subjects[0] if subjects else None)
    page = None
    if subject is not None:
        try:
            page = credit_record_page(subject=subject, cursor=request.GET.get("cursor") or None, limit=30)
        except DomainError:
            page = credit_record_page(subject=subject, limit=30)
        credit_record_read_log(actor=request.user, subject=subject, via="portal")
    context = {"subjects": subjects, "subject": subject, "page": page}
    return render(request, "portal/my_record.html", context)


@applicant_login_required
def my_messages(request):
    unread_only = request.GET.get("unread") == "1"
    rows, next_before = in_app_messages_for(
        user=request.user, unread_only=unread_only, before=query_number(request.GET.get("before", ""))
    )
    return render(
        request,
        "portal/messages.html",
        {
            "rows": in_app_message_links(rows, portal=True),
            "next_before": next_before,
            "unread_only": unread_only,
            "unread": in_app_unread_count(user=request.user),
        },
    )


def _apply_parts(request, code: str):
    try:
        matter = matter_by_code(code, public=True)
    except NotFound as exc:
        raise Http404 from exc
    subjects = list(subjects_for_actor(request.user))
    wanted = request.POST.get("subject") or request.GET.get("subject") or ""
    subject = next((s for s in subjects if str(s.pk) == wanted), None)
    if wanted and subject is None:
        raise Http404(_("您未关联该主体。"))
    if subject is None and len(subjects) == 1:
        subject = subjects[0]
    return matter, subjects, subject


@applicant_login_required
def apply(request, code: str):
    """Apply online: the applicant's own credit result (R1), the modes offered, materials, the letter or
    pledge accepted, then the case page."""
    matter, subjects, subject = _apply_parts(request, code)
    context = {"matter": matter, "subjects": subjects, "subject": subject}
    if matter.status != Matter.Status.IN_USE:
        context["closed"] = True
        return render(request, "portal/apply.html", context)
    if subject is None:
        return render(request, "portal/apply.html", context)
    try:
        check = application_credit_check(actor=request.user, subject=subject)
    except DomainError as exc:
        context["error"] = str(exc.message)
        return render(request, "portal/apply.html", context, status=422)
    return filing_page(
        request,
        matter=matter,
        subject=subject,
        check=check,
        window=False,
        template="portal/apply.html",
        extra={
            **context,
            "preview_url": reverse("portal:apply_preview", args=[matter.code]) + f"?subject={subject.pk}",
            **upload_limits(),
        },
        case_url=lambda a: reverse("portal:my_case", args=[a.pk]),
    )


@applicant_login_required
@require_POST
def apply_preview(request, code: str):
    matter, _subjects, subject = _apply_parts(request, code)
    if subject is None:
        raise Http404
    try:
        check = application_credit_check(actor=request.user, subject=subject)
    except DomainError as exc:
        return render(request, "applications/_letter_preview.html", {"preview": None, "error": str(exc.message)})
    return filing_preview(request, matter=matter, subject=subject, check=check, window=False)


def _portal_detail(request, application, *, status: int = 200, **forms):
    return render_case_page(request, application, console=False, template="portal/case.html", status=status, **forms)


@applicant_login_required
def my_case(request, pk: int):
    return _portal_detail(request, _portal_case(request, pk))


@applicant_login_required
@require_POST
def my_case_supplement(request, pk: int):
    application = _portal_case(request, pk, "supplement")
    done, status, form = supplement_action(request, application)
    if done:
        return redirect("portal:my_case", pk=application.pk)
    return _portal_detail(request, application, status=status, supplement_form=form)


@applicant_login_required
@require_POST
def my_case_correction(request, pk: int):
    application = _portal_case(request, pk, "supplement")
    done, status, form = correction_answer_action(request, application)
    if done:
        return redirect("portal:my_case", pk=application.pk)
    return _portal_detail(request, application, status=status, correction_answer_form=form)


@applicant_login_required
@require_POST
def my_case_withdraw(request, pk: int):
    application = _portal_case(request, pk, "withdraw")
    withdraw_action(request, application)
    return redirect("portal:my_case", pk=application.pk)


@applicant_login_required
def my_case_material_file(request, pk: int, code: str):
    return material_file_response(request, pk, code, applicant_only=True)


_DOCUMENT_VIEWS = {"case_view": "portal:my_case", "pdf_view": "portal:my_case_document_pdf", "applicant_only": True}


@applicant_login_required
def my_case_document(request, pk: int, ref: str):
    return document_response(request, pk, ref, pdf=False, **_DOCUMENT_VIEWS)


@applicant_login_required
def my_case_document_pdf(request, pk: int, ref: str):
    return document_response(request, pk, ref, pdf=True, **_DOCUMENT_VIEWS)


def verify(request, token: str):
    """Public: whether a printed document is genuine and in force (status and SM3 hash, no personal data)."""
    found = document_verification(token[:80])
    return render(request, "portal/verify.html", {"found": found}, status=200 if found else 404)
