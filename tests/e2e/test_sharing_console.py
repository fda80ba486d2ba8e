"""R8 in the browser: the delivery page shows how the sharing of the credit record keeps up, and a failed
batch with its error, at 1366 px and at 390 px (no sideways scrolling)."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from xinyipi.accounts import roles
from xinyipi.records.models import RecordShare, RecordShareBatch
from xinyipi.records.services import record_append
from xinyipi.subjects.tests.factories import SubjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_r8_bureau_admin_sees_the_sharing_lag_and_a_failing_batch_on_a_phone_and_a_desk(
    page, login, make_user, settings
):
    settings.CREDIT_PLATFORM = {**settings.CREDIT_PLATFORM, "URL": "http://127.0.0.1:9/credit-platform"}
    subject = SubjectFactory()
    with transaction.atomic():
        events = [record_append(subject=subject, type="credit_check", summary="信用核查：良好") for _ in range(3)]
    now = timezone.now()
    batch = RecordShareBatch.objects.create(
        status=RecordShareBatch.Status.FAILED,
        event_count=3,
        first_event_id=events[0].pk,
        last_event_id=events[-1].pk,
        attempts=2,
        next_attempt_at=now + dt.timedelta(seconds=40),
        last_error="HTTP 503: " + "the credit platform is down for maintenance " * 4,
        last_error_at=now,
        created_at=now,
    )
    RecordShare.objects.update(batch=batch)
    login(make_user(roles.BUREAU_ADMIN))
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.goto("/console/messages/")
        panel = page.locator("#sharing")
        expect(panel.get_by_role("heading", name="信用记录共享")).to_be_visible()
        expect(panel.get_by_text("重试中", exact=True)).to_be_visible()
        expect(panel.locator("[data-sharing-pending]")).to_have_text("3")
        expect(panel.get_by_text("HTTP 503").first).to_be_visible()
        assert fits(page), size
