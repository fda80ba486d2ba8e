"""好差评 on the case pages: the applicant rates each service event online, once; staff serving at a window record
the rating device's level; the applicant sees the department's answer to a 差评 and is told of it."""

import pytest
from django.test import Client
from django.urls import reverse

from xinyipi.accounts import roles
from xinyipi.applications.services import application_decide, application_supplement
from xinyipi.applications.tests.factories import standard_case, tolerance_case
from xinyipi.notifications.models import Notification
from xinyipi.ratings.models import FollowUp, Rating
from xinyipi.ratings.services import follow_up_answer, rating_record

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_portal_offers_the_filing_event_and_records_an_online_rating(clerk, applicant_for, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    client = client_for(applicant_for(enterprise))
    page = client.get(reverse("portal:my_case", args=[application.pk])).content.decode()
    assert 'data-testid="rating-form"' in page and 'value="filing"' in page and 'value="decision"' not in page
    response = client.post(
        reverse("ratings:my_case_rating", args=[application.pk]),
        {"event": "filing", "score": "5", "comment": "指引清楚"},
        follow=True,
    )
    rating = Rating.objects.get(application=application)
    assert (rating.event, rating.score, rating.source) == ("filing", 5, "online")
    body = response.content.decode()
    assert "感谢您的评价" in body and "指引清楚" in body and 'data-testid="rating-form"' not in body


def test_portal_offers_each_service_event_not_yet_rated(clerk, reviewer, applicant_for, tolerance_matter, enterprise):
    application = tolerance_case(clerk, tolerance_matter, enterprise)
    applicant = applicant_for(enterprise)
    rating_record(actor=applicant, application=application, score=4, event="filing", source="online")
    application_supplement(actor=applicant, application=application, materials=["B1", "B2"])
    page = client_for(applicant).get(reverse("portal:my_case", args=[application.pk])).content.decode()
    assert 'value="supplement"' in page and 'value="decision"' in page and 'value="filing"' not in page


def test_portal_bad_input_names_the_field_and_changes_nothing(clerk, applicant_for, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    client = client_for(applicant_for(enterprise))
    url = reverse("ratings:my_case_rating", args=[application.pk])
    response = client.post(url, {"event": "filing", "score": "9", "comment": ""})
    assert response.status_code == 422
    assert 'data-field="score"' in response.content.decode()
    response = client.post(url, {"event": "decision", "score": "3", "comment": ""})
    assert response.status_code == 422 and 'data-field="event"' in response.content.decode()
    assert not Rating.objects.exists()


def test_portal_second_rating_of_an_event_is_refused(clerk, applicant_for, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    applicant = applicant_for(enterprise)
    rating_record(actor=applicant, application=application, score=4, event="filing", source="online")
    response = client_for(applicant).post(
        reverse("ratings:my_case_rating", args=[application.pk]), {"event": "filing", "score": "1"}
    )
    assert response.status_code == 422  # no longer a choice: the form says it was rated already
    assert Rating.objects.get().score == 4


def test_applicant_sees_the_follow_up_answer_and_gets_a_message(
    clerk, reviewer, applicant_for, standard_matter, enterprise
):
    application = standard_case(clerk, standard_matter, enterprise)
    applicant = applicant_for(enterprise)
    rating = rating_record(actor=applicant, application=application, score=1, comment="排队太久", source="online")
    page = client_for(applicant).get(reverse("portal:my_case", args=[application.pk])).content.decode()
    assert 'data-status="open"' in page and "前向您反馈" in page
    follow_up_answer(
        actor=reviewer,
        follow_up=rating.follow_up,
        call_back="12 月 4 日电话回访，属实",
        rectification="增开一个窗口",
        answer="已增开窗口，高峰期等候缩短",
    )
    page = client_for(applicant).get(reverse("portal:my_case", args=[application.pk])).content.decode()
    assert "已增开窗口，高峰期等候缩短" in page and "增开一个窗口" in page
    assert "电话回访" not in page  # the call-back note is the department's working record
    assert Notification.objects.filter(kind="rating_follow_up", user=applicant).exists()


def test_window_clerk_records_the_rating_device_level_on_the_console(clerk, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    client = client_for(clerk)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert 'data-testid="rating-form"' in page
    response = client.post(reverse("ratings:case_rating", args=[application.pk]), {"event": "filing", "score": "2"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.source, rating.score, rating.recorded_by_id) == ("window", 2, clerk.pk)
    assert FollowUp.objects.get().department_id == application.department_id


def test_reviewer_records_for_own_department_only(clerk, reviewer, other_reviewer, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    url = reverse("ratings:case_rating", args=[application.pk])
    assert client_for(other_reviewer).post(url, {"event": "filing", "score": "3"}).status_code == 404
    assert client_for(reviewer).post(url, {"event": "filing", "score": "3"}).status_code == 302
    assert Rating.objects.get().recorded_by_id == reviewer.pk


def test_credit_officer_and_bureau_read_the_case_but_record_no_rating(
    make_user, api_as, clerk, bureau_admin, standard_matter, enterprise
):
    officer = make_user(roles.CREDIT_OFFICER)
    application = standard_case(clerk, standard_matter, enterprise)
    for user in (officer, bureau_admin):
        page = client_for(user).get(reverse("applications:detail", args=[application.pk]))
        assert page.status_code == 200 and 'data-testid="rating-form"' not in page.content.decode()
        url = reverse("ratings:case_rating", args=[application.pk])
        assert client_for(user).post(url, {"event": "filing", "score": "5"}).status_code == 403
        response = api_as(user).post(f"/api/v1/applications/{application.pk}/rating", {"score": 5, "comment": ""})
        assert response.status_code == 403
    assert not Rating.objects.exists()


def test_decision_is_rated_after_the_case_is_decided(clerk, reviewer, applicant_for, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    application_decide(actor=reviewer, application=application, outcome="approve", reason="")
    applicant = applicant_for(enterprise)
    response = client_for(applicant).post(
        reverse("ratings:my_case_rating", args=[application.pk]), {"event": "decision", "score": "5"}
    )
    assert response.status_code == 302
    assert Rating.objects.get().event == "decision"
