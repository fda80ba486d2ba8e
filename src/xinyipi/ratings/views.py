"""好差评 pages: the rating forms on the case pages (portal: online; console: the window's rating device), the
department's 差评 follow-up queue, and the bureau's national export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xinyipi.accounts.access import (
    access_follow_up_by_id,
    access_ratings_export,
    follow_ups_for_actor,
)
from xinyipi.applications.pages import case_for, page_access, render_case_page, run_case_action
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, InvalidTransition
from xinyipi.ratings.exporting import CONTENT_TYPES, export_filename, ratings_export_bytes
from xinyipi.ratings.forms import FollowUpAnswerForm, RatingForm, RatingsExportForm
from xinyipi.ratings.models import FollowUp, Rating
from xinyipi.ratings.selectors import FOLLOW_UP_STATES, case_ratings, follow_up_counts, follow_up_queue
from xinyipi.ratings.services import follow_up_answer, rating_record

# A department's queue holds a few dozen follow-ups at most; the cap keeps a page bounded all the same.
QUEUE_LIMIT = 500


def _rate(request, application, *, source: str, console: bool):
    form = RatingForm(request.POST, events=case_ratings(application)["unrated"])

    def call(f):
        rating_record(
            actor=request.user,
            application=application,
            score=f.cleaned_data["score"],
            comment=f.cleaned_data["comment"],
            event=f.cleaned_data["event"],
            source=source,
        )

    done, status = run_case_action(request, application, action="rate", form=form, call=call)
    if done:
        messages.success(
            request,
            _("评价已记录。") if console else _("感谢您的评价！如评价为不满意，部门将回访核实并向您反馈整改结果。"),
        )
        return redirect("applications:detail" if console else "portal:my_case", pk=application.pk)
    template = "applications/detail.html" if console else "portal/case.html"
    return render_case_page(request, application, console=console, template=template, status=status, rating_form=form)


@login_required
@require_POST
def my_case_rating(request, pk: int):
    application = case_for(request.user, pk, action="rate", applicant_only=True)
    return _rate(request, application, source=Rating.Source.ONLINE, console=False)


@login_required
@permission_required("ratings.add_rating", raise_exception=True)
@require_POST
def case_rating(request, pk: int):
    application = case_for(request.user, pk, action="rate")
    return _rate(request, application, source=Rating.Source.WINDOW, console=True)


@login_required
@permission_required("ratings.view_followup", raise_exception=True)
def follow_up_list(request):
    """Open (due today or later), overdue (due day ended, in working days from the 差评) and closed follow-ups."""
    state = request.GET.get("state") if request.GET.get("state") in FOLLOW_UP_STATES else "overdue"
    scoped = page_access(follow_ups_for_actor, request.user)
    today = clock.today()
    rows = list(follow_up_queue(scoped, state=state, today=today)[: QUEUE_LIMIT + 1])
    labels = {"open": _("待整改"), "overdue": _("已逾期"), "closed": _("已办结")}
    counts = follow_up_counts(scoped, today=today)
    return render(
        request,
        "ratings/follow_ups.html",
        {
            "state": state,
            "tabs": [(s, labels[s], counts[s]) for s in FOLLOW_UP_STATES],
            "rows": rows[:QUEUE_LIMIT],
            "truncated": len(rows) > QUEUE_LIMIT,
            "today": today,
            "all_departments": request.user.has_perm("ratings.view_all_followups"),
        },
    )


def _may_answer(user, follow_up) -> bool:
    if follow_up.status != FollowUp.Status.OPEN or not user.has_perm("ratings.change_followup"):
        return False
    return user.is_superuser or follow_up.department_id == user.department_id


@login_required
@permission_required("ratings.view_followup", raise_exception=True)
@require_http_methods(["GET", "POST"])
def follow_up_detail(request, pk: int):
    """One follow-up with its case and rating; the department answers it here (call back, fix, report back)."""
    action = "answer" if request.method == "POST" else "view"
    follow_up = page_access(access_follow_up_by_id, request.user, pk, action=action)
    form, status = None, 200
    if request.method == "POST":
        form = FollowUpAnswerForm(request.POST)
        if form.is_valid():
            try:
                follow_up_answer(actor=request.user, follow_up=follow_up, **form.cleaned_data)
            except InvalidTransition as exc:
                form.add_error(None, str(exc.message))
                status = 409
            except DomainError as exc:
                form.add_domain_error(exc)
                status = 422
            else:
                messages.success(request, _("整改反馈已提交，申请人已收到通知。"))
                return redirect("ratings:follow_up", pk=follow_up.pk)
        else:
            status = 422
        follow_up.refresh_from_db()
    may_answer = _may_answer(request.user, follow_up)
    if may_answer and form is None:
        form = FollowUpAnswerForm()
    return render(
        request,
        "ratings/follow_up.html",
        {
            "follow_up": follow_up,
            "rating": follow_up.rating,
            "application": follow_up.rating.application,
            "form": form if may_answer or status != 200 else None,
            "today": clock.today(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def export(request):
    """The form (GET); the file of the period's ratings in the national upload's fields (POST)."""
    try:
        access_ratings_export(request.user)
    except DomainError as exc:
        raise PermissionDenied(str(exc.message)) from exc
    today = clock.today()
    form = RatingsExportForm(request.POST or None, initial={"start": today.replace(day=1), "end": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            content, count = ratings_export_bytes(
                start=data["start"], end=data["end"], format=data["format"], actor=request.user, via="console"
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            response = HttpResponse(content, content_type=CONTENT_TYPES[data["format"]])
            filename = export_filename(start=data["start"], end=data["end"], format=data["format"])
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            response["X-Ratings"] = str(count)
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "ratings/export.html",
        {"form": form},
        status=422 if form.errors else 200,
    )
