"""The auditor's page: plain words, filters by action, actor, object and Beijing dates, refusals naming the field."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from xinyipi.audit.models import AuditEntry
from xinyipi.audit.selectors import AuditFilter, audit_entry_page
from xinyipi.audit.services import audit_record
from xinyipi.core import clock

pytestmark = pytest.mark.django_db


def write(actor, action: str, object_type: str = "subjects.subject", object_id: str = "1") -> AuditEntry:
    with transaction.atomic():
        audit_record(actor=actor, action=action, object_type=object_type, object_id=object_id)
    return AuditEntry.objects.latest("seq")


def at(entry: AuditEntry, day: dt.date, hour: int) -> None:
    AuditEntry.objects.filter(pk=entry.pk).update(at=dt.datetime.combine(day, dt.time(hour), tzinfo=clock.BEIJING))


def seqs(**filters) -> set[int]:
    page, _next = audit_entry_page(found=AuditFilter(**filters))
    return {e.seq for e in page}


@pytest.fixture
def trail(clerk, credit_officer):
    return {
        "view": write(clerk, "credit.check.view", "credit.creditcheck", "7"),
        "list": write(credit_officer, "supervision.blacklist.list", "supervision.blacklistentry", "3"),
        "system": write(None, "supervision.blacklist.expire", "supervision.blacklistentry", "3"),
    }


def test_filter_by_action_code_or_family(trail):
    assert seqs(action="credit.check.view") == {trail["view"].seq}
    assert seqs(action="supervision.") >= {trail["list"].seq, trail["system"].seq}
    assert trail["view"].seq not in seqs(action="supervision.")


def test_filter_by_actor(trail, clerk):
    assert seqs(actor=clerk.username) == {trail["view"].seq}
    assert trail["system"].seq in seqs(actor="system")
    assert trail["view"].seq not in seqs(actor="system")


def test_filter_by_object(trail):
    assert seqs(object_type="supervision.blacklistentry", object_id="3") == {trail["list"].seq, trail["system"].seq}
    assert seqs(object_type="credit.creditcheck") == {trail["view"].seq}


def test_filter_by_beijing_dates(trail):
    day = dt.date(2026, 3, 2)
    at(trail["view"], day, 0)  # 1 March in UTC, 2 March in Beijing
    at(trail["list"], day, 23)
    at(trail["system"], day + dt.timedelta(days=1), 0)
    assert seqs(at_from=day, at_to=day) == {trail["view"].seq, trail["list"].seq}
    assert seqs(at_from=day + dt.timedelta(days=1), at_to=day + dt.timedelta(days=1)) == {trail["system"].seq}


def test_page_shows_plain_words(client, auditor, clerk):
    write(clerk, "credit.check.view", "credit.creditcheck", "7")
    client.force_login(auditor)
    page = client.get(reverse("audit:entries")).content.decode()
    assert "查看信用核查结果" in page and ">credit.check.view<" not in page
    assert "信用核查" in page  # the object's kind in words


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"at_from": "2026-02-30"}, "at_from", "日期（起）"),
        ({"at_from": "2026-03-05", "at_to": "2026-03-01"}, "at_from", "日期（起）"),
        ({"object_type": "nope.model"}, "object_type", "对象类型"),
    ],
)
def test_bad_filter_is_refused_naming_the_field(client, auditor, params, field, words):
    client.force_login(auditor)
    response = client.get(reverse("audit:entries"), params)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'data-field="{field}"' in body and words in body
