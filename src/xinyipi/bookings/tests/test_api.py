"""``/api/v1/bookings``: book, read, cancel (the applicant); list, confirm, complete, cancel (staff). Errors
in the one shape ``{code, message, field}``; a refused request changes nothing."""

import pytest

from xinyipi.accounts import roles
from xinyipi.bookings.models import ServiceBooking
from xinyipi.bookings.tests.conftest import onsite, rest_day, working_day

pytestmark = pytest.mark.django_db


def body(subject, **overrides) -> dict:
    values = onsite(**overrides)
    return {
        "subject_code": subject.code_plain(),
        "kind": values["kind"],
        "date": values["date"].isoformat() if hasattr(values["date"], "isoformat") else values["date"],
        "slot": values["slot"],
        "address": values["address"],
        "phone": values["phone"],
        "note": values["note"],
    }


def test_r10_applicant_books_through_the_api(api_as, applicant, enterprise, standard_matter):
    answer = api_as(applicant).post("/api/v1/bookings", body(enterprise) | {"matter_code": standard_matter.code})
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["status"] == "requested" and data["kind"] == "onsite_service"
    assert data["subject_code"] == enterprise.code_display and data["matter_code"] == standard_matter.code
    assert data["date"] == working_day().isoformat() and data["slot"] == "morning" and data["phone"] == "13947000001"
    assert data["credit_check_id"] and data["requested_at"].endswith("+08:00")
    again = api_as(applicant).get(f"/api/v1/bookings/{data['id']}")
    assert again.status_code == 200 and again.json() == data


def test_r10_ordinary_subject_refused_with_entitlement_missing(api_as, applicant, enterprise, make_ordinary):
    make_ordinary(enterprise)
    answer = api_as(applicant).post("/api/v1/bookings", body(enterprise))
    assert answer.status_code == 422
    data = answer.json()
    assert data["code"] == "entitlement_missing" and data["field"] == "kind"
    assert data["entitlement"] == "onsite_service" and data["level"] == "ordinary"
    assert not ServiceBooking.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"date": "weekend"}, "not_working_day", "date"),
        ({"date": "2020-01-06"}, "date_too_early", "date"),
        ({"address": ""}, "address_required", "address"),
        ({"phone": "13947"}, "invalid_mobile", "phone"),
        ({"date": "tomorrow-ish"}, "invalid_input", "date"),
    ],
)
def test_bad_input_is_422_naming_the_field(api_as, applicant, enterprise, overrides, code, field):
    if overrides.get("date") == "weekend":
        overrides = {"date": rest_day().isoformat()}
    answer = api_as(applicant).post("/api/v1/bookings", body(enterprise) | overrides)
    assert answer.status_code == 422
    assert (answer.json()["code"], answer.json()["field"]) == (code, field)
    assert not ServiceBooking.objects.exists()


def test_unknown_subject_or_matter_is_404(api_as, applicant, enterprise):
    client = api_as(applicant)
    unknown = client.post("/api/v1/bookings", body(enterprise) | {"subject_code": "91150783MA0A999997"})
    assert unknown.status_code in (404, 422) and unknown.json()["field"] == "subject_code"
    answer = client.post("/api/v1/bookings", body(enterprise) | {"matter_code": "NO-SUCH-MATTER"})
    assert answer.status_code == 404 and answer.json() == {
        "code": "matter_not_found",
        "message": "未找到该事项。",
        "field": "matter_code",
    }


def test_only_accounts_acting_for_the_subject_book(api_as, api, enterprise, make_enterprise, applicant_for, clerk):
    assert api_as(applicant_for(make_enterprise())).post("/api/v1/bookings", body(enterprise)).status_code == 403
    assert api_as(clerk).post("/api/v1/bookings", body(enterprise)).status_code == 403
    assert api.post("/api/v1/bookings", body(enterprise)).status_code == 401
    assert not ServiceBooking.objects.exists()


def test_another_subjects_booking_is_not_found(api_as, book, make_enterprise, applicant_for, reviewer):
    booking = book()
    stranger = api_as(applicant_for(make_enterprise()))
    assert stranger.get(f"/api/v1/bookings/{booking.pk}").status_code == 404
    assert stranger.post(f"/api/v1/bookings/{booking.pk}/cancellation", {"reason": ""}).status_code == 404
    assert api_as(reviewer).get(f"/api/v1/bookings/{booking.pk}").status_code == 404
    assert ServiceBooking.objects.get(pk=booking.pk).status == "requested"


def test_applicant_cancels_and_a_second_cancel_is_409(api_as, applicant, book):
    booking = book()
    client = api_as(applicant)
    answer = client.post(f"/api/v1/bookings/{booking.pk}/cancellation", {"reason": "时间有变"})
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    assert answer.json()["cancellation_reason"] == "时间有变" and answer.json()["cancelled_at"]
    again = client.post(f"/api/v1/bookings/{booking.pk}/cancellation", {"reason": ""})
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_applicant_cannot_confirm_through_the_api(api_as, applicant, book):
    booking = book()
    assert api_as(applicant).post(f"/api/v1/bookings/{booking.pk}/confirmation").status_code == 403
    assert api_as(applicant).get("/api/v1/bookings").status_code == 403
    assert ServiceBooking.objects.get(pk=booking.pk).status == "requested"


def test_clerk_lists_confirms_completes_and_cancels_with_a_reason(api_as, clerk, book):
    first, second = book(), book(slot="afternoon")
    client = api_as(clerk)
    confirmed = client.post(f"/api/v1/bookings/{first.pk}/confirmation")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert client.post(f"/api/v1/bookings/{first.pk}/confirmation").status_code == 409
    assert client.post(f"/api/v1/bookings/{first.pk}/completion").json()["status"] == "done"
    no_reason = client.post(f"/api/v1/bookings/{second.pk}/cancellation", {"reason": ""})
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    assert ServiceBooking.objects.get(pk=second.pk).status == "requested"
    cancelled = client.post(f"/api/v1/bookings/{second.pk}/cancellation", {"reason": "申请人电话联系不上"})
    assert cancelled.json()["status"] == "cancelled"


def test_staff_list_is_ordered_by_the_day_asked_for_in_keyset_pages(api_as, clerk, book, enterprise):
    late_afternoon = book(date=working_day(2), slot="afternoon")
    late_morning = book(date=working_day(2), slot="morning")
    early = book(date=working_day(0), slot="afternoon")
    client = api_as(clerk)
    data = client.get("/api/v1/bookings", {"status": "requested"}).json()
    assert set(data) == {"items", "next"} and data["next"] is None
    assert [b["id"] for b in data["items"]] == [early.pk, late_morning.pk, late_afternoon.pk]
    seen, cursor = [], None
    while True:
        page = client.get("/api/v1/bookings", {"limit": 1, **({"cursor": cursor} if cursor else {})}).json()
        seen += [b["id"] for b in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert seen == [early.pk, late_morning.pk, late_afternoon.pk]
    assert client.get("/api/v1/bookings", {"subject_code": enterprise.code_plain()}).json()["items"]
    assert client.get("/api/v1/bookings", {"subject_code": "91150783MA0A999997"}).json()["items"] == []
    bad = client.get("/api/v1/bookings", {"cursor": "nonsense"})
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"


@pytest.mark.parametrize(
    ("role", "status"),
    [(roles.WINDOW_CLERK, 200), (roles.CREDIT_OFFICER, 200), (roles.BUREAU_ADMIN, 200), (roles.REVIEWER, 403)],
)
def test_staff_list_by_role(api_as, make_user, department, role, status):
    assert api_as(make_user(role, department)).get("/api/v1/bookings").status_code == status


def test_credit_officer_reads_but_does_not_confirm(api_as, make_user, book):
    booking = book()
    officer = api_as(make_user(roles.CREDIT_OFFICER))
    assert officer.get(f"/api/v1/bookings/{booking.pk}").status_code == 200
    assert officer.post(f"/api/v1/bookings/{booking.pk}/confirmation").status_code == 403
