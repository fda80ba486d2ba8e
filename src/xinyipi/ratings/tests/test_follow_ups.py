"""The 差评 follow-up queue: a department sees its own follow-ups open, overdue (due day ended, in working days)
and closed, and answers them in three steps; the bureau sees every department's and answers none."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from xinyipi.accounts import roles
from xinyipi.applications.tests.factories import standard_case
from xinyipi.audit.models import AuditEntry
from xinyipi.catalog.tests.factories import MaterialFactory, MatterFactory
from xinyipi.core import clock
from xinyipi.core.errors import InvalidTransition
from xinyipi.ratings.models import FollowUp
from xinyipi.ratings.services import follow_up_answer, rating_record

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _bad(clerk, matter, subject, comment="态度差") -> FollowUp:
    application = standard_case(clerk, matter, subject)
    return rating_record(actor=clerk, application=application, score=1, comment=comment, source="window").follow_up


@pytest.fixture
def other_matter(other_department):
    matter = MatterFactory(department=other_department, name="其他部门事项")
    for order, code in enumerate(("A1", "A2")):
        MaterialFactory(matter=matter, order=order, code=code, name=code)
    return matter


def test_queue_splits_open_overdue_and_closed(clerk, reviewer, standard_matter, make_enterprise):
    fresh = _bad(clerk, standard_matter, make_enterprise(), "新差评")
    late = _bad(clerk, standard_matter, make_enterprise(), "逾期差评")
    FollowUp.objects.filter(pk=late.pk).update(due_date=clock.today() - dt.timedelta(days=1))
    done = _bad(clerk, standard_matter, make_enterprise(), "已整改差评")
    FollowUp.objects.filter(pk=done.pk).update(status=FollowUp.Status.ANSWERED, answered_at=clock.now())
    client = client_for(reviewer)
    for state, expected in (("open", fresh), ("overdue", late), ("closed", done)):
        page = client.get(reverse("ratings:follow_ups"), {"state": state}).content.decode()
        shown = {f.pk for f in (fresh, late, done) if f'data-follow-up="{f.pk}"' in page}
        assert shown == {expected.pk}, state
    assert "（1）" in page


def test_department_sees_only_its_own_the_bureau_every_department(
    clerk, reviewer, other_reviewer, bureau_admin, standard_matter, other_matter, enterprise
):
    mine = _bad(clerk, standard_matter, enterprise)
    theirs = _bad(clerk, other_matter, enterprise)
    page = client_for(reviewer).get(reverse("ratings:follow_ups"), {"state": "open"}).content.decode()
    assert f'data-follow-up="{mine.pk}"' in page and f'data-follow-up="{theirs.pk}"' not in page
    page = client_for(bureau_admin).get(reverse("ratings:follow_ups"), {"state": "open"}).content.decode()
    assert f'data-follow-up="{mine.pk}"' in page and f'data-follow-up="{theirs.pk}"' in page
    assert client_for(other_reviewer).get(reverse("ratings:follow_up", args=[mine.pk])).status_code == 404


def test_department_answers_call_back_fix_report_back(clerk, reviewer, standard_matter, enterprise):
    follow_up = _bad(clerk, standard_matter, enterprise)
    url = reverse("ratings:follow_up", args=[follow_up.pk])
    client = client_for(reviewer)
    assert 'data-testid="follow-up-form"' in client.get(url).content.decode()
    response = client.post(url, {"call_back": "", "rectification": "", "answer": "已整改"})
    assert response.status_code == 422 and 'data-field="call_back"' in response.content.decode()
    assert FollowUp.objects.get().status == "open"
    response = client.post(url, {"call_back": "电话回访属实", "rectification": "窗口增配人员", "answer": "已整改"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.call_back, follow_up.rectification, follow_up.answer) == (
        "answered",
        "电话回访属实",
        "窗口增配人员",
        "已整改",
    )
    assert follow_up.answered_by_id == reviewer.pk
    assert AuditEntry.objects.filter(action="rating.follow_up_answer").count() == 1
    again = client.post(url, {"call_back": "再次", "answer": "再次"})
    assert again.status_code == 409 and FollowUp.objects.get().answer == "已整改"


def test_bureau_reads_a_follow_up_but_does_not_answer_it(clerk, bureau_admin, standard_matter, enterprise):
    follow_up = _bad(clerk, standard_matter, enterprise)
    url = reverse("ratings:follow_up", args=[follow_up.pk])
    page = client_for(bureau_admin).get(url)
    assert page.status_code == 200 and 'data-testid="follow-up-form"' not in page.content.decode()
    assert client_for(bureau_admin).post(url, {"call_back": "x", "answer": "y"}).status_code == 403
    assert FollowUp.objects.get().status == "open"


def test_menu_shows_the_queue_to_reviewers_and_the_export_to_the_bureau(reviewer, clerk, bureau_admin):
    queue, export = reverse("ratings:follow_ups"), reverse("ratings:export")
    home = client_for(reviewer).get(reverse("console:home")).content.decode()
    assert queue in home and export not in home
    home = client_for(bureau_admin).get(reverse("console:home")).content.decode()
    assert queue in home and export in home
    home = client_for(clerk).get(reverse("console:home")).content.decode()
    assert queue not in home and export not in home


def test_two_answers_of_one_follow_up_keep_the_first(
    clerk, reviewer, make_user, department, standard_matter, enterprise
):
    stale = _bad(clerk, standard_matter, enterprise)
    colleague = make_user(roles.REVIEWER, department)
    follow_up_answer(actor=reviewer, follow_up=FollowUp.objects.get(pk=stale.pk), call_back="甲回访", answer="甲反馈")
    with pytest.raises(InvalidTransition):
        follow_up_answer(actor=colleague, follow_up=stale, call_back="乙回访", answer="乙反馈")
    kept = FollowUp.objects.get()
    assert (kept.answer, kept.answered_by_id) == ("甲反馈", reviewer.pk)
    assert AuditEntry.objects.filter(action="rating.follow_up_answer").count() == 1
