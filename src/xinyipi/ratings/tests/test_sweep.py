"""The worker's deadline sweep reminds departments of overdue 差评 follow-ups, once per overdue day."""

import datetime as dt

import pytest
from django.core.management import call_command

from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.applications.tasks import sweep_deadlines_task
from xinyipi.applications.tests.factories import standard_case
from xinyipi.core import clock
from xinyipi.notifications.models import Notification
from xinyipi.ratings.models import FollowUp, Rating
from xinyipi.ratings.services import rating_record

pytestmark = pytest.mark.django_db


def _bad_rating(clerk, reviewer, matter, subject) -> FollowUp:
    application = standard_case(clerk, matter, subject)
    rating = rating_record(actor=clerk, application=application, score=1, comment="态度差", source=Rating.Source.WINDOW)
    return rating.follow_up


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=clock.BEIJING)


def test_worker_sweep_reminds_an_overdue_follow_up(clerk, reviewer, standard_matter, enterprise):
    follow_up = _bad_rating(clerk, reviewer, standard_matter, enterprise)
    late = follow_up.due_date + dt.timedelta(days=1)
    with clock.acting_at(_moment(late)):
        result = sweep_deadlines_task.call()
    assert result["follow_ups_reminded"] == 1
    assert Notification.objects.filter(kind="rating_follow_up_overdue", user=reviewer).count() == 1
    follow_up.refresh_from_db()
    assert follow_up.reminded_on == late


def test_sweep_reminds_once_per_overdue_day_and_not_before_due(clerk, reviewer, standard_matter, enterprise):
    follow_up = _bad_rating(clerk, reviewer, standard_matter, enterprise)
    assert deadlines_sweep(now=_moment(follow_up.due_date)).follow_ups_reminded == 0
    late = follow_up.due_date + dt.timedelta(days=1)
    assert deadlines_sweep(now=_moment(late)).follow_ups_reminded == 1
    assert deadlines_sweep(now=_moment(late)).follow_ups_reminded == 0
    assert deadlines_sweep(now=_moment(late + dt.timedelta(days=1))).follow_ups_reminded == 1
    reminders = Notification.objects.filter(kind="rating_follow_up_overdue", user=reviewer)
    assert reminders.count() == 2


def test_command_prints_the_reminder_count_from_the_report(clerk, reviewer, standard_matter, enterprise, capsys):
    follow_up = _bad_rating(clerk, reviewer, standard_matter, enterprise)
    late = follow_up.due_date + dt.timedelta(days=1)
    call_command("sweep_deadlines", "--now", _moment(late).isoformat())
    assert "rating_follow_ups_reminded (差评整改催办): 1" in capsys.readouterr().out
