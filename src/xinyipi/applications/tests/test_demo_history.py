"""The demo history is made through the services (R8, R13): every credit-record event and every case status
of the lifecycle turns up, dated over the months, and the story subjects carry a full credit record."""

import datetime as dt

import pytest
from django.db import transaction

from xinyipi.accounts import roles
from xinyipi.accounts.models import User
from xinyipi.applications.demo_history import STORY_COMPANY, STORY_PERSON, load_demo_history
from xinyipi.applications.models import Application, Status, Transition
from xinyipi.bookings.models import ServiceBooking, SpecialGrant
from xinyipi.catalog.demo import load_demo_catalog
from xinyipi.catalog.models import Matter
from xinyipi.core import clock
from xinyipi.core.demo import load_demo
from xinyipi.records.models import CreditRecordEvent
from xinyipi.supervision.models import BlacklistEntry
from xinyipi.workdays.calendar import add_working_days

pytestmark = pytest.mark.django_db

STORY = [
    "credit_check",
    "commitment_letter",
    "supplement_pledge",
    "blacklist_proposed",
    "blacklist_listed",
    "credit_repair_requested",
    "credit_repair_decided",
    "blacklist_repaired",
]


def _load_small_history() -> dict:
    with transaction.atomic():
        load_demo()
    return load_demo_history(per_day=(1, 3), enterprises=16, persons=8)


def test_r8_demo_history_produces_every_record_event_and_case_status():
    report = _load_small_history()
    events = set(CreditRecordEvent.objects.values_list("type", flat=True))
    assert events == set(CreditRecordEvent.Type.values)
    # Filing is one transaction from submitted to the first resting state, so no case is ever saved as a draft.
    reached = set(Transition.objects.values_list("to_status", flat=True))
    assert reached == set(Status.values) - {Status.DRAFT}
    assert {Status.UNDER_REVIEW, Status.APPROVED, Status.REJECTED, Status.TERMINATED} <= set(
        Application.objects.values_list("status", flat=True)
    )
    assert set(BlacklistEntry.objects.values_list("status", flat=True)) >= {
        "listed",
        "withdrawn",
        "repaired",
        "expired",
    }
    assert SpecialGrant.objects.exists() and ServiceBooking.objects.filter(status="done").exists()
    # Dated over the months, not today: the earliest case was filed on the first day of the history.
    first = Application.objects.order_by("created_at").first()
    assert clock.to_beijing(first.created_at).date() <= report["from"] + dt.timedelta(days=3)
    # Deadlines are counted in working days from the day acted at.
    case = (
        Application.objects.filter(matter__promised_days__gt=0, matter__promised_day_unit="working")
        .filter(correction__isnull=True)
        .order_by("created_at")
        .first()
    )
    filed_on = clock.to_beijing(case.created_at).date()
    assert case.decision_due == add_working_days(filed_on, case.matter.promised_days).date


def test_r8_demo_story_subjects_have_a_full_credit_record_and_a_login():
    report = _load_small_history()
    for _kind, _code, name in (STORY_COMPANY, STORY_PERSON):
        types = list(
            CreditRecordEvent.objects.filter(subject__name=name).order_by("at", "id").values_list("type", flat=True)
        )
        assert all(t in types for t in STORY), (name, types)
        assert "commitment_breached" in types or "pledge_breached" in types
    assert {row["username"] for row in report["logins"]} == {"linhai", "zhaoshufen"}
    assert User.objects.get(username="linhai").groups.filter(name=roles.APPLICANT).exists()


def test_r10_no_demo_matter_needing_an_in_person_visit_is_instant():
    """秒批 only where the system checks the conditions itself: a matter whose applicants must come to the hall
    (到办事现场次数 > 0, or no online handling) is never instant — e.g. 内地居民婚姻登记, both parties in person."""
    load_demo_catalog()
    instant = Matter.objects.filter(instant=True)
    assert instant.exists()
    for matter in instant:
        assert matter.limit_scene_num == 0, matter.name
        assert {"2", "3"} & set(matter.handle_type or []), matter.name
    marriage = Matter.objects.get(name="内地居民婚姻登记")
    assert not marriage.instant and marriage.limit_scene_num >= 1
    assert Matter.objects.get(name="就业创业证申领").task_type == Matter.TaskType.PUBLIC_SERVICE


def test_demo_has_a_reviewer_for_every_department_with_matters():
    with transaction.atomic():
        load_demo()
    reviewers = set(User.objects.filter(groups__name=roles.REVIEWER).values_list("department_id", flat=True))
    assert set(Matter.objects.values_list("department_id", flat=True)) <= reviewers
