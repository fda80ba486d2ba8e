"""The window's queue of account links asked for online (R9a): who waits longest first; one link with the
verification form (the written authorisation's scan, the identity document seen) and the refusal; revocation
of a verified link. Views parse, authorise, call the services and selectors, and render."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinyipi.applications.models import IdentityDocument, SubjectAgent
from xinyipi.applications.selectors_agents import agent_link_by_id, agent_link_page
from xinyipi.applications.services import subject_agent_refuse, subject_agent_revoke, subject_agent_verify_window
from xinyipi.applications.services.agents import VERIFY, may_revoke
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from xinyipi.core.forms import LabelledErrors


class LinkVerifyForm(LabelledErrors, forms.Form):
    authorisation_file = forms.FileField(label=gettext_lazy("授权委托书扫描件（PDF、JPEG 或 PNG）"), required=False)
    identity_document = forms.ChoiceField(
        label=gettext_lazy("所见身份证件"),
        choices=[("", gettext_lazy("（请选择）")), *IdentityDocument.choices],
        required=False,
    )
    identity_last4 = forms.CharField(label=gettext_lazy("证件号码后四位"), max_length=4, required=False)
    identity_checked = forms.BooleanField(label=gettext_lazy("已核验身份证件"), required=False)

    def add_domain_error(self, exc) -> None:
        for error in getattr(exc, "errors", None) or [exc]:
            field = (error.field or "").split(".")[-1]
            self.add_error(field if field in self.fields else None, str(error.message))


class LinkRefuseForm(LabelledErrors, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("不予核验的原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def add_domain_error(self, exc) -> None:
        self.add_error("reason" if exc.field == "reason" else None, str(exc.message))


def _may_view(user) -> bool:
    return user.has_perm(VERIFY) or user.has_perm("applications.view_subjectagent")


def _link(request, pk: int) -> SubjectAgent:
    try:
        return agent_link_by_id(actor=request.user, link_id=pk)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@login_required
def agent_queue(request):
    """Pending links, oldest first (or verified / revoked ones, newest first, to find one to revoke)."""
    if not _may_view(request.user):
        raise PermissionDenied
    status = request.GET.get("status", SubjectAgent.Status.PENDING)
    status = status if status in SubjectAgent.Status.values else SubjectAgent.Status.PENDING
    error = None
    try:
        page = agent_link_page(actor=request.user, status=status, cursor=request.GET.get("cursor") or None)
    except DomainError as exc:
        page, error = None, str(exc.message)
    now = clock.now()
    rows = [{"link": link, "waited": now - link.created_at} for link in (page.items if page else [])]
    return render(
        request,
        "applications/agents_queue.html",
        {"page": page, "rows": rows, "status": status, "statuses": SubjectAgent.Status.choices, "error": error},
        status=400 if error else 200,
    )


def _detail(request, link: SubjectAgent, *, status: int = 200, verify_form=None, refuse_form=None, conflict=""):
    pending = link.status == SubjectAgent.Status.PENDING
    may_verify = request.user.has_perm(VERIFY) and link.user_id != request.user.pk
    return render(
        request,
        "applications/agents_detail.html",
        {
            "link": link,
            "pending": pending,
            "may_verify": pending and may_verify,
            "may_revoke": link.status != SubjectAgent.Status.REVOKED and not pending and may_revoke(request.user, link),
            "verify_form": verify_form or LinkVerifyForm(),
            "refuse_form": refuse_form or LinkRefuseForm(),
            "waited": clock.now() - link.created_at,
            "conflict": conflict,
        },
        status=status,
    )


@login_required
def agent_detail(request, pk: int):
    if not _may_view(request.user):
        raise PermissionDenied
    return _detail(request, _link(request, pk))


def _decide(request, link, form, call, done: str, form_name: str):
    if not form.is_valid():
        return _detail(request, link, status=422, **{form_name: form})
    try:
        call(form.cleaned_data)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except InvalidTransition as exc:
        link.refresh_from_db()
        return _detail(request, link, status=409, conflict=str(exc.message))
    except DomainError as exc:
        form.add_domain_error(exc)
        return _detail(request, link, status=422, **{form_name: form})
    messages.success(request, done)
    return redirect("applications:agent_queue")


@login_required
@require_POST
def agent_verify(request, pk: int):
    if not request.user.has_perm(VERIFY):
        raise PermissionDenied
    link = _link(request, pk)
    form = LinkVerifyForm(request.POST, request.FILES)

    def call(data):
        subject_agent_verify_window(
            actor=request.user,
            link=link,
            authorisation_file=data.get("authorisation_file"),
            identity_document=data.get("identity_document") or "",
            identity_last4=data.get("identity_last4") or "",
            identity_checked=bool(data.get("identity_checked")),
        )

    done = _("已核验：%(user)s 现在可以代“%(subject)s”办理。") % {
        "user": link.user.display_name or link.user.get_username(),
        "subject": link.subject.name,
    }
    return _decide(request, link, form, call, done, "verify_form")


@login_required
@require_POST
def agent_refuse(request, pk: int):
    if not request.user.has_perm(VERIFY):
        raise PermissionDenied
    link = _link(request, pk)
    form = LinkRefuseForm(request.POST)

    def call(data):
        subject_agent_refuse(actor=request.user, link=link, reason=data["reason"])

    return _decide(request, link, form, call, _("已不予核验，已通知申请人。"), "refuse_form")


@login_required
@require_POST
def agent_revoke(request, pk: int):
    if not _may_view(request.user):
        raise PermissionDenied
    link = _link(request, pk)
    try:
        subject_agent_revoke(actor=request.user, link=link, reason=request.POST.get("reason", ""))
    except NotPermitted as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("applications:agent_detail", pk=link.pk)
    messages.success(request, _("关联已解除。"))
    return redirect(reverse("applications:agent_queue") + "?status=revoked")


@login_required
def agent_file(request, pk: int):
    """The scan of the written authorisation the window kept, as a download."""
    if not _may_view(request.user):
        raise PermissionDenied
    link = _link(request, pk)
    if not link.authorisation_file:
        raise Http404(_("该关联没有授权委托书扫描件。"))
    try:
        handle = link.authorisation_file.open("rb")
    except OSError as exc:
        raise Http404(_("该关联没有授权委托书扫描件。")) from exc
    types = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
    return FileResponse(
        handle,
        as_attachment=True,
        filename=link.authorisation_file_name or f"authorisation-{link.pk}.{link.authorisation_file_type}",
        content_type=types.get(link.authorisation_file_type, "application/octet-stream"),
    )
