"""Special circumstances (the notice: "非特殊情况不享受上门服务、帮办代办"): a credit officer lets a subject its
credit does not entitle book 上门服务 or 帮办代办 once, with a written reason; audited; the booking uses it up."""

import pytest

from xinyipi.audit.models import AuditEntry
from xinyipi.bookings.models import ServiceBooking, SpecialGrant
from xinyipi.bookings.selectors import booking_offers
from xinyipi.bookings.services import booking_credit_check, booking_request, special_grant_give
from xinyipi.bookings.tests.conftest import onsite
from xinyipi.core.errors import DomainError, NotPermitted, ValidationFailed
from xinyipi.notifications.models import Notification

pytestmark = pytest.mark.django_db

REASON = "申请人年逾八旬，行动不便，无法到大厅办理"


def test_r10_special_grant_lets_a_non_entitled_subject_book_once(applicant, enterprise, make_dishonest, credit_officer):
    make_dishonest(enterprise)
    grant = special_grant_give(actor=credit_officer, subject=enterprise, kind="onsite_service", reason=REASON)
    offers = {o.kind: o for o in booking_offers(check=booking_credit_check(actor=applicant, subject=enterprise))}
    assert offers["onsite_service"].allowed and not offers["assisted_service"].allowed

    booking = booking_request(actor=applicant, subject=enterprise, **onsite())
    assert booking.special_grant == grant and booking.credit_check.level == "dishonest"
    grant.refresh_from_db()
    assert grant.status == "used" and grant.used_at is not None
    assert AuditEntry.objects.get(action="bookings.service_booking.request").after["special_grant_id"] == grant.pk

    with pytest.raises(DomainError) as again:
        booking_request(actor=applicant, subject=enterprise, **onsite(slot="afternoon"))
    assert again.value.code == "entitlement_missing"
    assert ServiceBooking.objects.count() == 1


def test_r10_special_grant_is_audited_and_told_to_the_subject(applicant, enterprise, credit_officer):
    grant = special_grant_give(actor=credit_officer, subject=enterprise, kind="assisted_service", reason=REASON)
    entry = AuditEntry.objects.get(action="bookings.special_grant.give")
    assert entry.object_id == str(grant.pk) and entry.after["reason"] == REASON
    assert Notification.objects.filter(subject=enterprise, dedupe_key__startswith=f"special_grant:{grant.pk}:").exists()


def test_r10_an_entitled_subject_books_on_its_credit_and_keeps_the_grant(applicant, enterprise, credit_officer):
    grant = special_grant_give(actor=credit_officer, subject=enterprise, kind="onsite_service", reason=REASON)
    booking = booking_request(actor=applicant, subject=enterprise, **onsite())
    assert booking.special_grant is None
    grant.refresh_from_db()
    assert grant.status == "open"


@pytest.mark.parametrize(
    ("kind", "reason", "fields"),
    [("express", REASON, {"kind"}), ("onsite_service", " ", {"reason"}), ("x", "", {"kind", "reason"})],
)
def test_r10_special_grant_bad_input_names_the_field_and_writes_nothing(
    enterprise, credit_officer, kind, reason, fields
):
    with pytest.raises(ValidationFailed) as refused:
        special_grant_give(actor=credit_officer, subject=enterprise, kind=kind, reason=reason)
    assert {e.field for e in refused.value.errors} == fields
    assert not SpecialGrant.objects.exists() and not AuditEntry.objects.filter(action__startswith="bookings.").exists()


def test_r10_one_open_grant_per_subject_and_kind(enterprise, credit_officer):
    special_grant_give(actor=credit_officer, subject=enterprise, kind="onsite_service", reason=REASON)
    with pytest.raises(DomainError) as refused:
        special_grant_give(actor=credit_officer, subject=enterprise, kind="onsite_service", reason=REASON)
    assert refused.value.code == "grant_exists"
    assert SpecialGrant.objects.count() == 1


def test_r10_only_credit_officers_grant(enterprise, clerk, reviewer, applicant, bureau_admin):
    for actor in (clerk, reviewer, applicant, bureau_admin):
        with pytest.raises(NotPermitted):
            special_grant_give(actor=actor, subject=enterprise, kind="onsite_service", reason=REASON)
    assert not SpecialGrant.objects.exists()


def test_r10_special_grant_page_grants_and_lists(client, credit_officer, enterprise, clerk):
    client.force_login(credit_officer)
    page = client.get("/console/bookings/special-grants/")
    assert page.status_code == 200 and "特殊情况准予预约" in page.content.decode()
    bad = client.post(
        "/console/bookings/special-grants/",
        {"subject_code": "91150783MA0A0000XX", "kind": "onsite_service", "reason": REASON},
    )
    assert bad.status_code == 422 and 'data-field="subject_code"' in bad.content.decode()
    done = client.post(
        "/console/bookings/special-grants/",
        {"subject_code": enterprise.code_display, "kind": "onsite_service", "reason": REASON},
    )
    assert done.status_code == 302 and SpecialGrant.objects.get().subject == enterprise
    assert REASON in client.get("/console/bookings/special-grants/").content.decode()
    client.force_login(clerk)
    assert client.get("/console/bookings/special-grants/").status_code == 403
