"""退回: the reviewer sends a case back to the window before any decision; the window sends it on to review
again or closes it as not accepted (行政许可法 Art. 32(2)), with a termination notice to the applicant."""

import pytest
from django.urls import reverse

from xinyipi.applications.models import Application, CaseDocument, LetterKind, Status
from xinyipi.applications.selectors import application_queue_window
from xinyipi.applications.services import application_decide, application_return, application_return_resolve
from xinyipi.applications.tests.factories import standard_case
from xinyipi.audit.models import AuditEntry
from xinyipi.core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from xinyipi.notifications.models import Notification

pytestmark = pytest.mark.django_db


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def test_reviewer_returns_to_the_window_and_the_window_resubmits(clerk, reviewer, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    due = application.decision_due
    application_return(actor=reviewer, application=application, reason="应由卫健委受理的事项")
    application = fresh(application)
    assert application.status == Status.RETURNED
    assert application.decision_due == due  # the department's own time runs on
    assert application.pk in [a.pk for a in application_queue_window(actor=clerk).items]
    assert "应由卫健委受理的事项" in application.transitions.order_by("-id").first().reason
    assert AuditEntry.objects.filter(action="applications.application.return", object_id=str(application.pk)).exists()
    told = Notification.objects.get(channel="in_app", user=clerk, dedupe_key__contains=":returned:")
    assert application.number in told.body and "应由卫健委受理的事项" in told.body

    with pytest.raises(InvalidTransition):  # no decision on a case the window holds
        application_decide(actor=reviewer, application=application, outcome="reject", reason="x")

    application_return_resolve(actor=clerk, application=application, outcome="resubmit", reason="经核实事项无误")
    assert fresh(application).status == Status.UNDER_REVIEW


def test_window_closes_a_returned_case_as_not_accepted_with_a_notice(clerk, reviewer, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    application_return(actor=reviewer, application=application, reason="不属于本部门职权")
    application_return_resolve(
        actor=clerk, application=fresh(application), outcome="not_accept", reason="请向扎兰屯市卫生健康委员会申请"
    )
    application = fresh(application)
    assert application.status == Status.TERMINATED
    notice = CaseDocument.objects.get(application=application, kind=LetterKind.TERMINATION_NOTICE)
    assert "不予受理" in notice.text and "卫生健康委员会" in notice.text
    assert Notification.objects.filter(dedupe_key__contains=":not_accepted:").exists()


def test_return_needs_a_reason_and_the_right_state_and_scope(
    clerk, reviewer, other_reviewer, standard_matter, enterprise
):
    application = standard_case(clerk, standard_matter, enterprise)
    with pytest.raises(DomainError) as refused:
        application_return(actor=reviewer, application=application, reason=" ")
    assert (refused.value.code, refused.value.field) == ("reason_required", "reason")
    with pytest.raises(NotFound):
        application_return(actor=other_reviewer, application=application, reason="x")
    with pytest.raises(NotPermitted):  # the window does not return cases to itself
        application_return(actor=clerk, application=application, reason="x")
    with pytest.raises(InvalidTransition):  # only a returned case is resolved
        application_return_resolve(actor=clerk, application=application, outcome="not_accept", reason="x")
    application_decide(actor=reviewer, application=application, outcome="approve", reason="")
    with pytest.raises(InvalidTransition):
        application_return(actor=reviewer, application=fresh(application), reason="x")


def test_return_and_resolution_through_the_api(api_as, clerk, reviewer, other_reviewer, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    url = f"/api/v1/applications/{application.pk}"
    assert api_as(other_reviewer).post(f"{url}/return", {"reason": "x"}).status_code == 404
    assert api_as(reviewer).post(f"{url}/return", {"reason": ""}).json()["field"] == "reason"
    response = api_as(reviewer).post(f"{url}/return", {"reason": "事项选择有误"})
    assert response.status_code == 200 and response.json()["status"] == "returned"
    assert response.json()["history"][-1]["to"] == "returned"
    again = api_as(reviewer).post(f"{url}/return", {"reason": "事项选择有误"})
    assert again.status_code == 409
    response = api_as(clerk).post(f"{url}/return-resolution", {"outcome": "resubmit", "reason": "已核实"})
    assert response.status_code == 200 and response.json()["status"] == "under_review"


def test_window_resolves_on_the_case_page(client, clerk, reviewer, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    client.force_login(reviewer)
    assert client.post(reverse("applications:return", args=[application.pk]), {"reason": "事项有误"}).status_code == 302
    client.force_login(clerk)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert 'data-testid="return-resolution-form"' in page
    url = reverse("applications:return_resolution", args=[application.pk])
    response = client.post(url, {"outcome": "not_accept", "reason": ""})
    assert response.status_code == 422 and 'data-field="reason"' in response.content.decode()
    assert client.post(url, {"outcome": "resubmit", "reason": "已核实"}).status_code == 302
    assert fresh(application).status == Status.UNDER_REVIEW
