"""The applicant's booking page (whether the subject holds each entitlement and why not, the form, the own
bookings with cancel) and the service center's queue in the staff console, role by role."""

import re

import pytest
from django.urls import reverse

from xinyipi.accounts import roles
from xinyipi.bookings.models import ServiceBooking
from xinyipi.bookings.tests.conftest import rest_day, working_day

pytestmark = pytest.mark.django_db

MY = reverse("bookings:my_bookings")
QUEUE = reverse("bookings:queue")


def page_of(response) -> str:
    return response.content.decode()


def field_errors(response, field: str) -> list[str]:
    return re.findall(rf'<p class="field-error" data-field="{re.escape(field)}">([^<]*)</p>', page_of(response))


def form(subject, **overrides) -> dict:
    data = {
        "subject": subject.pk,
        "kind": "onsite_service",
        "date": working_day().isoformat(),
        "slot": "morning",
        "address": "扎兰屯市河西街道中央北路 6 号",
        "phone": "13947000002",
        "note": "",
        "matter": "",
    }
    data.update(overrides)
    return data


# The applicant ----------------------------------------------------------------------------------------------


def test_my_cases_links_to_the_booking_page(client, applicant):
    client.force_login(applicant)
    assert MY in page_of(client.get(reverse("portal:my_cases")))


def test_r10_page_shows_the_entitlement_and_books(client, applicant, enterprise, standard_matter):
    client.force_login(applicant)
    page = page_of(client.get(MY))
    assert 'data-kind="onsite_service" data-allowed="true"' in page
    assert 'data-testid="booking-form"' in page and standard_matter.name in page
    response = client.post(MY, form(enterprise, matter=standard_matter.code))
    assert response.status_code == 302
    booking = ServiceBooking.objects.get()
    assert booking.subject == enterprise and booking.matter == standard_matter and booking.requested_by == applicant
    page = page_of(client.get(response["Location"]))
    assert "预约已提交" in page and f'data-booking="{booking.pk}" data-status="requested"' in page


def test_r10_ordinary_subject_sees_why_not_and_gets_no_form(client, applicant, enterprise, make_ordinary):
    make_ordinary(enterprise)
    client.force_login(applicant)
    page = page_of(client.get(MY))
    assert 'data-kind="onsite_service" data-allowed="false"' in page
    assert 'data-kind="assisted_service" data-allowed="false"' in page
    assert "按信用政策不享受" in page and "一般" in page
    assert 'data-testid="booking-form"' not in page
    response = client.post(MY, form(enterprise))
    assert response.status_code == 422 and not ServiceBooking.objects.exists()


def test_bad_input_is_shown_next_to_each_field_and_nothing_is_booked(client, applicant, enterprise):
    client.force_login(applicant)
    response = client.post(MY, form(enterprise, date=rest_day().isoformat(), address="", phone="0470"))
    assert response.status_code == 422
    assert field_errors(response, "date") and field_errors(response, "address") and field_errors(response, "phone")
    assert not ServiceBooking.objects.exists()


def test_applicant_cancels_own_booking_but_not_anothers(client, applicant, book, make_enterprise, applicant_for):
    booking = book()
    stranger = applicant_for(make_enterprise())
    client.force_login(stranger)
    assert client.post(reverse("bookings:my_booking_cancel", args=[booking.pk])).status_code == 404
    assert f'data-booking="{booking.pk}"' not in page_of(client.get(MY))
    client.force_login(applicant)
    assert client.post(reverse("bookings:my_booking_cancel", args=[booking.pk])).status_code == 302
    assert ServiceBooking.objects.get(pk=booking.pk).status == "cancelled"


def test_a_subject_one_does_not_act_for_is_not_found(client, applicant, make_enterprise):
    client.force_login(applicant)
    assert client.get(MY, {"subject": make_enterprise().pk}).status_code == 404


def test_account_without_subject_is_told_to_link_one(client, make_user):
    client.force_login(make_user(roles.APPLICANT))
    assert "尚未关联申请主体" in page_of(client.get(MY))


# The service center ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.WINDOW_CLERK, 200),
        (roles.CREDIT_OFFICER, 200),
        (roles.BUREAU_ADMIN, 200),
        (roles.REVIEWER, 403),
        (roles.AUDITOR, 403),
        (roles.APPLICANT, 403),
    ],
)
def test_queue_by_role_and_its_navigation_entry(client, make_user, department, role, status):
    client.force_login(make_user(role, department))
    assert client.get(QUEUE).status_code == status
    if role != roles.APPLICANT:
        assert (QUEUE in page_of(client.get(reverse("console:home")))) == (status == 200)


def test_clerk_confirms_and_records_done_from_the_queue(client, clerk, book, enterprise):
    booking = book()
    client.force_login(clerk)
    page = page_of(client.get(QUEUE))
    assert f'data-booking="{booking.pk}" data-status="requested"' in page and enterprise.name in page
    assert client.post(reverse("bookings:confirm", args=[booking.pk]), {"status": "requested"}).status_code == 302
    assert ServiceBooking.objects.get(pk=booking.pk).status == "confirmed"
    again = client.post(reverse("bookings:confirm", args=[booking.pk]))
    assert again.status_code == 409 and "不能变更" in page_of(again)
    assert client.post(reverse("bookings:done", args=[booking.pk])).status_code == 302
    assert ServiceBooking.objects.get(pk=booking.pk).status == "done"


def test_clerk_cancel_without_a_reason_is_refused_and_changes_nothing(client, clerk, book):
    booking = book()
    client.force_login(clerk)
    response = client.post(reverse("bookings:cancel", args=[booking.pk]), {"reason": ""})
    assert response.status_code == 422 and "请填写取消原因" in page_of(response)
    assert ServiceBooking.objects.get(pk=booking.pk).status == "requested"
    client.post(reverse("bookings:cancel", args=[booking.pk]), {"reason": "服务地址超出范围"})
    stored = ServiceBooking.objects.get(pk=booking.pk)
    assert stored.status == "cancelled" and stored.cancellation_reason == "服务地址超出范围"


@pytest.mark.parametrize("role", [roles.CREDIT_OFFICER, roles.REVIEWER, roles.APPLICANT])
def test_only_window_staff_act_from_the_console(client, make_user, department, book, role):
    booking = book()
    client.force_login(make_user(role, department))
    for name in ("bookings:confirm", "bookings:done", "bookings:cancel"):
        assert client.post(reverse(name, args=[booking.pk]), {"reason": "x"}).status_code == 403
    assert ServiceBooking.objects.get(pk=booking.pk).status == "requested"
