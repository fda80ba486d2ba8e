"""Pages of the city list: the credit officer's console (entries, proposals, objections, repair requests) and
the applicant's side ("我的信用": objections and repair requests; the public "信用修复" page). Views parse,
authorise, call the services and selectors, and render; a refusal is shown next to the field it names and
changes nothing."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinyipi.accounts.access import subjects_for_actor
from xinyipi.accounts.models import Department
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, NotFound
from xinyipi.core.paging import query_number
from xinyipi.credit.selectors import credit_subject_for_code
from xinyipi.notifications.selectors import notifications_for_source
from xinyipi.supervision.forms import ObjectionDecisionForm, ProposalForm, RepairDecisionForm, StatementForm
from xinyipi.supervision.models import BlacklistEntry, CreditRepair, CreditRepairFile, ObjectionFile
from xinyipi.supervision.policy import listing_policy_on, repair_policy_on
from xinyipi.supervision.selectors import (
    OBJECTION_DECIDE,
    OBJECTION_RECORD,
    PROPOSE,
    REPAIR_DECIDE,
    REPAIR_RECORD,
    REPAIR_VIEW,
    VIEW,
    blacklist_page,
    entries_of_subjects,
    entry_by_id,
    entry_for_subject_side,
    entry_history,
    objection_current,
    repair_by_id,
    repair_queue,
)
from xinyipi.supervision.services import blacklist_propose
from xinyipi.supervision.services.objections import objection_decide, objection_file
from xinyipi.supervision.services.repairs import credit_repair_decide, credit_repair_request, repair_earliest_date

_FILE_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def _periods(today: dt.date) -> dict:
    """The publicity periods per class of dishonesty information, as the policy in force today says."""
    repair = repair_policy_on(today)
    listing = listing_policy_on(today)
    return {"repair_policy": repair, "listing_policy": listing, "severities": list(repair.severities.values())}


def _file_response(row):
    try:
        handle = row.file.open("rb")
    except OSError as exc:
        raise Http404(_("文件不存在。")) from exc
    return FileResponse(
        handle, as_attachment=True, filename=row.file_name, content_type=_FILE_TYPES.get(row.file_type, "")
    )


# ---------------------------------------------------------------------------------------------------
# The credit officer's console


def _parse_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
@permission_required(VIEW, raise_exception=True)
def entry_list(request):
    """Entries newest first, filtered; keyset pages."""
    filters = {
        "status": request.GET.get("status", "")
        if request.GET.get("status", "") in BlacklistEntry.Status.values
        else "",
        "reason": request.GET.get("reason", "")
        if request.GET.get("reason", "") in BlacklistEntry.Reason.values
        else "",
        "department": query_number(request.GET.get("department", ""), digits=9),
        "due_by": _parse_day(request.GET.get("due_by", "")),
        "pending": request.GET.get("pending") == "1",
    }
    error = ""
    try:
        page = blacklist_page(
            actor=request.user,
            status=filters["status"],
            reason=filters["reason"],
            department_id=filters["department"],
            objection_due_by=filters["due_by"],
            pending_objection=filters["pending"],
            cursor=request.GET.get("cursor") or None,
        )
    except DomainError as exc:
        page, error = None, str(exc.message)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "page": page,
        "error": error,
        "filters": filters,
        "query": query.urlencode(),
        "statuses": BlacklistEntry.Status.choices,
        "reasons": BlacklistEntry.Reason.choices,
        "departments": Department.objects.order_by("name").only("pk", "name"),
        "today": clock.today(),
        **_periods(clock.today()),
    }
    return render(request, "supervision/entry_list.html", context)


@login_required
@permission_required(PROPOSE, raise_exception=True)
def entry_propose(request):
    """A credit officer's own proposal (R9): the same due process as a proposal from a case."""
    form = ProposalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                subject = credit_subject_for_code(data["subject_code"])
                entry = blacklist_propose(
                    subject=subject,
                    reason=data["reason"],
                    reason_text=data["reason_text"],
                    basis=data["basis"],
                    severity=data["severity"],
                    evidence=data["evidence"],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request, _("已提出拟列入，告知书已发送，异议期至 %(due)s。") % {"due": entry.objection_due}
                )
                return redirect("supervision:entry_detail", pk=entry.pk)
        status = 422
    context = {"form": form, **_periods(clock.today())}
    return render(request, "supervision/entry_propose.html", context, status=status)


_ACTION_LABELS = {  # gettext_lazy: labels are read per request, in its language
    "supervision.blacklist.propose": gettext_lazy("提出拟列入，送达告知书"),
    "supervision.blacklist.list": gettext_lazy("列入生效，送达列入决定书和信用修复告知书"),
    "supervision.blacklist.expire": gettext_lazy("公示期满移出"),
    "supervision.blacklist.withdraw": gettext_lazy("撤回拟列入"),
    "supervision.blacklist.repair": gettext_lazy("信用修复移出"),
    "supervision.objection.file": gettext_lazy("提出异议"),
    "supervision.objection.uphold": gettext_lazy("异议成立"),
    "supervision.objection.dismiss": gettext_lazy("异议不成立"),
    "supervision.repair.request": gettext_lazy("申请信用修复"),
    "supervision.repair.approve": gettext_lazy("准予信用修复"),
    "supervision.repair.refuse": gettext_lazy("不予信用修复"),
}


def _entry_page(request, entry: BlacklistEntry, *, status: int = 200, **forms):
    objection = objection_current(entry=entry)
    history = entry_history(entry)
    for row in history:
        row.label = _ACTION_LABELS.get(row.action, "")
    context = {
        "entry": entry,
        "objection": objection,
        "repairs": list(entry.repairs.order_by("-id")),
        "history": history,
        "notices": notifications_for_source(entry),
        "today": clock.today(),
        "may_decide": request.user.has_perm(OBJECTION_DECIDE),
        "window_may_object": (
            request.user.has_perm(OBJECTION_RECORD)
            and entry.status == BlacklistEntry.Status.PROPOSED
            and clock.today() <= entry.objection_due
            and not (objection and objection.status == objection.Status.PENDING)
        ),
        "may_record_repair": request.user.has_perm(REPAIR_RECORD),
        "may_see_case": request.user.has_perm("applications.view_application"),
        "decision_form": forms.get("decision_form") or ObjectionDecisionForm(),
        "objection_form": forms.get("objection_form") or StatementForm(),
        "repair_form": forms.get("repair_form") or StatementForm(),
        **_periods(clock.today()),
    }
    return render(request, "supervision/entry_detail.html", context, status=status)


def _decision(request, form, decide, *, again, done: str, then: str):
    """An officer's decision (outcome and reason): ``decide`` it, then say ``done`` and go on to ``then``; a
    form or a refusal that is not right shows the page ``again`` with the form and its errors."""
    if not form.is_valid():
        return again(422, form)
    try:
        decide(outcome=form.cleaned_data["outcome"], reason=form.cleaned_data["reason"])
    except DomainError as exc:
        form.add_domain_error(exc)
        return again(exc.status, form)
    messages.success(request, done)
    return redirect(then)


def _console_entry(request, pk: int, perm: str = VIEW) -> BlacklistEntry:
    try:
        return entry_by_id(actor=request.user, entry_id=pk, perm=perm)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@login_required
@permission_required(VIEW, raise_exception=True)
def entry_detail(request, pk: int):
    return _entry_page(request, _console_entry(request, pk))


@login_required
@permission_required(OBJECTION_DECIDE, raise_exception=True)
@require_POST
def entry_objection_decision(request, pk: int):
    entry = _console_entry(request, pk, OBJECTION_DECIDE)
    return _decision(
        request,
        ObjectionDecisionForm(request.POST),
        lambda **answer: objection_decide(entry=entry, actor=request.user, **answer),
        again=lambda status, form: _entry_page(request, entry, status=status, decision_form=form),
        done=_("异议已处理，已告知当事人。"),
        then=reverse("supervision:entry_detail", args=[entry.pk]),
    )


@login_required
@permission_required(OBJECTION_RECORD, raise_exception=True)
@require_POST
def entry_objection_record(request, pk: int):
    """The window records an objection for a subject who comes in person."""
    entry = _console_entry(request, pk)
    form = StatementForm(request.POST)
    if form.is_valid():
        try:
            objection_file(
                entry=entry,
                actor=request.user,
                statement=form.cleaned_data["statement"],
                files=request.FILES.getlist("files"),
                at_window=True,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            return _entry_page(request, entry, status=exc.status, objection_form=form)
        messages.success(request, _("异议已登记，待信用管理人员处理。"))
        return redirect("supervision:entry_detail", pk=entry.pk)
    return _entry_page(request, entry, status=422, objection_form=form)


@login_required
@permission_required(REPAIR_RECORD, raise_exception=True)
@require_POST
def entry_repair_record(request, pk: int):
    """The window records a repair request (with the signed commitment) for a subject who comes in person."""
    entry = _console_entry(request, pk)
    form = StatementForm(request.POST)
    if form.is_valid():
        if request.POST.get("accept") != "1":
            form.add_error(None, _("请当事人签署信用承诺书后再提交。"))
        else:
            try:
                repair = credit_repair_request(
                    subject=entry.subject,
                    entry=entry,
                    actor=request.user,
                    statement=form.cleaned_data["statement"],
                    files=request.FILES.getlist("files"),
                    at_window=True,
                )
            except DomainError as exc:
                form.add_domain_error(exc)
                return _entry_page(request, entry, status=exc.status, repair_form=form)
            messages.success(request, _("信用修复申请已登记，办理期限至 %(due)s。") % {"due": repair.due})
            return redirect("supervision:entry_detail", pk=entry.pk)
    return _entry_page(request, entry, status=422, repair_form=form)


@login_required
@permission_required(VIEW, raise_exception=True)
def entry_file(request, pk: int, kind: str, file_id: int):
    entry = _console_entry(request, pk)
    if kind == "objection":
        row = ObjectionFile.objects.filter(pk=file_id, objection__entry=entry).first()
    else:
        row = CreditRepairFile.objects.filter(pk=file_id, repair__entry=entry).first()
    if row is None:
        raise Http404(_("文件不存在。"))
    return _file_response(row)


@login_required
@permission_required(REPAIR_VIEW, raise_exception=True)
def repair_list(request):
    """Repair requests by due date, earliest first: the work to decide within 10 working days."""
    status = request.GET.get("status", CreditRepair.Status.REQUESTED)
    status = status if status in CreditRepair.Status.values else ""
    error = ""
    try:
        page = repair_queue(actor=request.user, status=status, cursor=request.GET.get("cursor") or None)
    except DomainError as exc:
        page, error = None, str(exc.message)
    context = {
        "page": page,
        "status": status,
        "statuses": CreditRepair.Status.choices,
        "error": error,
        "today": clock.today(),
        **_periods(clock.today()),
    }
    return render(request, "supervision/repair_list.html", context)


def _repair_page(request, repair: CreditRepair, *, status: int = 200, form=None):
    context = {
        "repair": repair,
        "entry": repair.entry,
        "files": list(repair.files.all()),
        "form": form or RepairDecisionForm(),
        "may_decide": request.user.has_perm(REPAIR_DECIDE),
        "today": clock.today(),
    }
    return render(request, "supervision/repair_detail.html", context, status=status)


def _console_repair(request, pk: int, perm: str = REPAIR_VIEW) -> CreditRepair:
    try:
        return repair_by_id(actor=request.user, repair_id=pk, perm=perm)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@login_required
@permission_required(REPAIR_VIEW, raise_exception=True)
def repair_detail(request, pk: int):
    return _repair_page(request, _console_repair(request, pk))


@login_required
@permission_required(REPAIR_DECIDE, raise_exception=True)
@require_POST
def repair_decision(request, pk: int):
    repair = _console_repair(request, pk, REPAIR_DECIDE)
    return _decision(
        request,
        RepairDecisionForm(request.POST),
        lambda **answer: credit_repair_decide(repair=repair, actor=request.user, **answer),
        again=lambda status, form: _repair_page(request, repair, status=status, form=form),
        done=_("信用修复决定已作出，已告知当事人。"),
        then=reverse("supervision:repair_list"),
    )


# ---------------------------------------------------------------------------------------------------
# The applicant


def _my_credit_page(request, *, status: int = 200, failed: int | None = None, form=None):
    subjects = list(subjects_for_actor(request.user))
    today = clock.today()
    entries = entries_of_subjects(subject_ids=[s.pk for s in subjects])
    for entry in entries:
        entry.may_object = (
            entry.status == BlacklistEntry.Status.PROPOSED
            and today <= entry.objection_due
            and not (entry.objection and entry.objection.status == "pending")
        )
        entry.form = form if failed == entry.pk else StatementForm()
        if entry.status == BlacklistEntry.Status.LISTED:
            entry.repair_from, _periods_of = repair_earliest_date(entry, today)
    context = {"subjects": subjects, "entries": entries, "today": today, **_periods(today)}
    return render(request, "supervision/my_credit.html", context, status=status)


@login_required(login_url="portal:login")
def my_credit(request):
    """ "我的信用": the listings of every subject one acts for, with the objection and repair each allows."""
    return _my_credit_page(request)


def _subject_side_entry(request, pk: int) -> BlacklistEntry:
    try:
        entry, _at_window = entry_for_subject_side(actor=request.user, entry_id=pk, applicant_only=True)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    return entry


@login_required(login_url="portal:login")
@require_POST
def my_objection(request, pk: int):
    entry = _subject_side_entry(request, pk)
    form = StatementForm(request.POST)
    if form.is_valid():
        try:
            objection_file(
                entry=entry,
                actor=request.user,
                statement=form.cleaned_data["statement"],
                files=request.FILES.getlist("files"),
                at_window=False,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            return _my_credit_page(request, status=exc.status, failed=entry.pk, form=form)
        messages.success(request, _("异议已提交。异议处理完毕前不作出列入决定，处理结果将通过短信和站内消息告知。"))
        return redirect("supervision:my_credit")
    return _my_credit_page(request, status=422, failed=entry.pk, form=form)


def repair_guide(request):
    """The public "信用修复" page: who may ask, when, the steps, and that it is free of charge (R11, R12)."""
    context = _periods(clock.today())
    if request.user.is_authenticated:
        subject_ids = list(subjects_for_actor(request.user).values_list("pk", flat=True))
        context["listed"] = [e for e in entries_of_subjects(subject_ids=subject_ids) if e.status == "listed"]
    return render(request, "supervision/repair_guide.html", context)


@login_required(login_url="portal:login")
def my_repair(request, pk: int):
    """Ask for repair of one listing of a subject one acts for: statement, proof files, the credit commitment."""
    from xinyipi.supervision.services.repairs import repair_commitment_text

    entry = _subject_side_entry(request, pk)
    today = clock.today()
    form = StatementForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and request.POST.get("accept") != "1":
            form.add_error(None, _("请阅读并签署信用承诺书。"))
        elif form.is_valid():
            try:
                repair = credit_repair_request(
                    subject=entry.subject,
                    entry=entry,
                    actor=request.user,
                    statement=form.cleaned_data["statement"],
                    files=request.FILES.getlist("files"),
                    at_window=False,
                )
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("信用修复申请已提交，将于 %(due)s 前作出决定。修复不收取任何费用。") % {"due": repair.due},
                )
                return redirect("supervision:my_credit")
        status = status if status != 200 else 422
    listed = entry.status == BlacklistEntry.Status.LISTED
    context = {
        "entry": entry,
        "form": form,
        "listed": listed,
        "earliest": repair_earliest_date(entry, today)[0] if listed else None,
        "commitment": repair_commitment_text(entry, today),
        "open_repair": entry.repairs.filter(status=CreditRepair.Status.REQUESTED).first(),
        "today": today,
        **_periods(today),
    }
    return render(request, "supervision/my_repair.html", context, status=status)
