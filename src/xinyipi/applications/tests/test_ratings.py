"""好差评 (``POST /api/v1/applications/{id}/rating``): five levels, one rating per case and service event, a 差评
followed up by the department within working days, reminders of overdue follow-ups sent once."""

import datetime as dt

import pytest

from xinyipi.applications.tests.factories import standard_case
from xinyipi.core import clock
from xinyipi.notifications.models import Notification
from xinyipi.ratings.models import FollowUp, Rating
from xinyipi.ratings.services import follow_up_answer, follow_ups_remind
from xinyipi.workdays.calendar import add_working_days

pytestmark = pytest.mark.django_db


def url(application) -> str:
    return f"/api/v1/applications/{application.pk}/rating"


def test_rating_answers_201_with_the_contract_fields(api_as, clerk, applicant_for, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    response = api_as(applicant_for(enterprise)).post(url(application), {"score": 5, "comment": "很快"})
    assert response.status_code == 201, response.json()
    data = response.json()
    assert {k: data[k] for k in ("score", "comment", "follow_up_due")} == {
        "score": 5,
        "comment": "很快",
        "follow_up_due": None,
    }
    rating = Rating.objects.get(pk=data["id"])
    assert rating.event == "filing" and rating.source == "online"


def test_one_rating_per_case_and_event_second_is_409(api_as, clerk, applicant_for, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    client = api_as(applicant_for(enterprise))
    assert client.post(url(application), {"score": 4, "comment": ""}).status_code == 201
    again = client.post(url(application), {"score": 1, "comment": "改评"})
    assert again.status_code == 409 and again.json()["code"] == "rating_exists"
    assert Rating.objects.filter(application=application).count() == 1
    assert not FollowUp.objects.exists()


def test_bad_score_is_422_naming_the_field(api_as, clerk, applicant_for, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    response = api_as(applicant_for(enterprise)).post(url(application), {"score": 6, "comment": ""})
    assert response.status_code == 422 and response.json()["field"] == "score"
    response = api_as(applicant_for(enterprise)).post(url(application), {"score": 3, "event": "decision"})
    assert response.status_code == 422 and response.json()["field"] == "event"
    assert not Rating.objects.exists()


def test_bad_rating_opens_a_follow_up_due_in_working_days(
    api_as, clerk, applicant_for, standard_matter, enterprise, settings
):
    settings.RATING_FOLLOW_UP_DAYS = 5
    application = standard_case(clerk, standard_matter, enterprise)
    response = api_as(applicant_for(enterprise)).post(url(application), {"score": 2, "comment": "排队太久"})
    assert response.status_code == 201, response.json()
    due = add_working_days(clock.today(), 5).date
    assert response.json()["follow_up_due"] == due.isoformat()
    follow_up = FollowUp.objects.get()
    assert follow_up.department_id == application.department_id and follow_up.due_date == due


def test_staff_with_access_records_a_window_rating(api_as, clerk, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    response = api_as(clerk).post(url(application), {"score": 3, "comment": "评价器"})
    assert response.status_code == 201, response.json()
    assert Rating.objects.get().source == "window"


def test_another_subjects_case_is_404(api_as, clerk, applicant_for, standard_matter, enterprise, make_enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    stranger = applicant_for(make_enterprise())
    response = api_as(stranger).post(url(application), {"score": 1, "comment": "x"})
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_staff_of_another_department_gets_404(api_as, clerk, other_reviewer, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    assert api_as(other_reviewer).post(url(application), {"score": 1, "comment": "x"}).status_code == 404


def test_sweep_reminds_overdue_follow_ups_once_a_day(
    api_as, clerk, reviewer, applicant_for, standard_matter, enterprise
):
    application = standard_case(clerk, standard_matter, enterprise)
    api_as(applicant_for(enterprise)).post(url(application), {"score": 1, "comment": "态度差"})
    follow_up = FollowUp.objects.get()
    late = follow_up.due_date + dt.timedelta(days=1)
    assert follow_ups_remind(today=follow_up.due_date) == 0
    assert follow_ups_remind(today=late) == 1
    assert follow_ups_remind(today=late) == 0
    reminders = Notification.objects.filter(kind="rating_follow_up_overdue")
    assert reminders.count() == reminders.values("user").distinct().count() >= 2
    follow_up_answer(actor=reviewer, follow_up=follow_up, call_back="已致电核实", answer="已致电道歉并增设窗口")
    assert follow_ups_remind(today=late + dt.timedelta(days=1)) == 0


def test_answered_follow_up_tells_the_applicant(api_as, clerk, reviewer, applicant_for, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    applicant = applicant_for(enterprise)
    api_as(applicant).post(url(application), {"score": 2, "comment": "材料退回无说明"})
    follow_up_answer(actor=reviewer, follow_up=FollowUp.objects.get(), call_back="已电话回访", answer="已补发说明")
    assert FollowUp.objects.get().status == "answered"
    assert Notification.objects.filter(kind="rating_follow_up", user=applicant).exists()
