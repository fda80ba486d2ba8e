"""Pages of bookings: the applicant's "预约服务" beside "我的办件", and the service center's queue in the staff
console. Views parse, authorise, call the services and selectors, and render; a refusal is shown next to
the field it names (or above the row it concerns) and changes nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyipi.accounts.access import subjects_for_actor
from xinyipi.bookings.forms import BookingForm, SpecialGrantForm
from xinyipi.bookings.models import Kind, Status
from xinyipi.bookings.policy import booking_policy_on
from xinyipi.bookings.selectors import (
    HANDLE,
    VIEW,
    booking_by_id,
    booking_matter,
    booking_matters,
    booking_offers,
    booking_page,
    bookings_of_applicant,
    special_grants_recent,
)
from xinyipi.bookings.services import (
    booking_cancel,
    booking_confirm,
    booking_credit_check,
    booking_done,
    booking_request,
    special_grant_give,
)
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, NotFound, NotPermitted
from xinyipi.credit.selectors import credit_subject_for_code

# ---------------------------------------------------------------------------------------------------
# The applicant


def _chosen_subject(request, subjects):
    wanted = request.POST.get("subject") or request.GET.get("subject") or ""
    if not wanted:
        return subjects[0] if subjects else None
    subject = next((s for s in subjects if str(s.pk) == wanted), None)
    if subject is None:
        raise Http404(_("您未关联该主体。"))
    return subject


@login_required(login_url="portal:login")
def my_bookings(request):
    """Book 上门服务 or 帮办代办 for a subject one acts for: whether it holds each entitlement and why not,
    the form, and the bookings of every subject one acts for (with cancel)."""
    subjects = list(subjects_for_actor(request.user))
    subject = _chosen_subject(request, subjects)
    today = clock.today()
    first, last = booking_policy_on(today).window(today)
    context = {"subjects": subjects, "subject": subject, "first_day": first, "last_day": last}
    status = 200
    check = None
    if subject is not None:
        try:
            check = booking_credit_check(actor=request.user, subject=subject)
        except DomainError as exc:
            context["check_error"] = str(exc.message)
    form = BookingForm(request.POST or None, initial={"phone": getattr(request.user, "phone", "")})
    if check is not None:
        offers = booking_offers(check=check)
        context.update(check=check, offers=offers, bookable=any(o.allowed for o in offers))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                booking = booking_request(
                    actor=request.user,
                    subject=subject,
                    kind=data["kind"],
                    date=data["date"],
                    slot=data["slot"],
                    phone=data["phone"],
                    address=data["address"],
                    note=data["note"],
                    matter=booking_matter(data["matter"]),
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request,
                    _("预约已提交：%(kind)s，%(date)s %(slot)s。工作人员将与您联系确认。")
                    % {
                        "kind": booking.get_kind_display(),
                        "date": booking.preferred_date.isoformat(),
                        "slot": booking.get_slot_display(),
                    },
                )
                return redirect(reverse("bookings:my_bookings") + f"?subject={subject.pk}")
    if request.method == "POST":
        status = 422
    context.update(
        form=form,
        matters=booking_matters() if check is not None else [],
        bookings=bookings_of_applicant(user=request.user),
        kinds=Kind.choices,
    )
    return render(request, "bookings/my_bookings.html", context, status=status)


@login_required(login_url="portal:login")
@require_POST
def my_booking_cancel(request, pk: int):
    try:
        booking = booking_by_id(actor=request.user, booking_id=pk, action="cancel")
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except NotPermitted as exc:
        raise PermissionDenied(str(exc.message)) from exc
    try:
        booking_cancel(actor=request.user, booking=booking, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("预约已取消。"))
    return redirect(reverse("bookings:my_bookings") + f"?subject={booking.subject_id}")


# ---------------------------------------------------------------------------------------------------
# The service center


def _queue_page(request, *, status_code: int = 200, error: str = "", error_booking: int | None = None):
    status = request.GET.get("status", request.POST.get("status", Status.REQUESTED))
    status = status if status in Status.values else ""
    cursor = request.GET.get("cursor") or None
    try:
        page = booking_page(actor=request.user, status=status or None, cursor=cursor)
    except DomainError as exc:
        page, error = None, str(exc.message)
    return render(
        request,
        "bookings/queue.html",
        {
            "page": page,
            "status": status,
            "statuses": Status.choices,
            "error": error,
            "error_booking": error_booking,
            "may_handle": request.user.has_perm(HANDLE),
        },
        status=status_code,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def queue(request):
    """Bookings by the day and half-day asked for; requested ones first shown (the work to confirm)."""
    return _queue_page(request)


def _act(request, pk: int, action: str, service, done_message: str, **arguments):
    try:
        booking = booking_by_id(actor=request.user, booking_id=pk, action=action)
        service(actor=request.user, booking=booking, **arguments)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as exc:
        return _queue_page(request, status_code=exc.status, error=str(exc.message), error_booking=pk)
    messages.success(request, done_message)
    status = request.POST.get("status", "")
    return redirect(reverse("bookings:queue") + (f"?status={status}" if status in Status.values else ""))


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_POST
def confirm(request, pk: int):
    return _act(request, pk, "confirm", booking_confirm, _("预约已确认，已通知申请人。"))


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_POST
def done(request, pk: int):
    return _act(request, pk, "done", booking_done, _("已登记服务完成。"))


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_POST
def cancel(request, pk: int):
    return _act(
        request, pk, "cancel", booking_cancel, _("预约已取消，已通知申请人。"), reason=request.POST.get("reason", "")
    )


@login_required
@permission_required("bookings.view_specialgrant", raise_exception=True)
def special_grants(request):
    """Special circumstances: a credit officer lets a subject its credit does not entitle book 上门服务 or 帮办代办
    once, with the written reason; the list shows the newest grants and whether each was used."""
    may_grant = request.user.has_perm("bookings.add_specialgrant")
    form = SpecialGrantForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_grant:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                subject = credit_subject_for_code(data["subject_code"])
                special_grant_give(actor=request.user, subject=subject, kind=data["kind"], reason=data["reason"])
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                messages.success(request, _("已准予“%(name)s”因特殊情况预约一次。") % {"name": subject.name})
                return redirect("bookings:special_grants")
        else:
            status = 400
    context = {"form": form, "grants": special_grants_recent(), "may_grant": may_grant}
    return render(request, "bookings/special_grants.html", context, status=status)
