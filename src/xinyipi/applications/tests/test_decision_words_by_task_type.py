"""What the applicant reads about a decision follows the matter's task type (事项类型), like its documents:
only an administrative licence is 准予许可/不予许可. The status code stays the same (API contract)."""

import pytest
from django.urls import reverse

from xinyipi.applications.models import decision_words
from xinyipi.applications.services import application_decide
from xinyipi.applications.tests.factories import standard_case
from xinyipi.catalog.models import Matter
from xinyipi.notifications.models import Notification
from xinyipi.records.models import CreditRecordEvent

pytestmark = pytest.mark.django_db

T = Matter.TaskType
WORDS = {
    (T.LICENSING, "approve"): "准予许可",
    (T.LICENSING, "reject"): "不予许可",
    (T.PUBLIC_SERVICE, "approve"): "办结",
    (T.PUBLIC_SERVICE, "reject"): "不予办理",
    (T.OTHER, "approve"): "准予办理",
    (T.OTHER, "reject"): "不予办理",
}


@pytest.mark.parametrize(("task_type", "outcome"), list(WORDS))
def test_decision_notice_record_and_status_follow_the_task_type(
    client, clerk, reviewer, standard_matter, enterprise, applicant_for, task_type, outcome
):
    standard_matter.task_type = task_type
    standard_matter.save(update_fields=["task_type"])
    application = standard_case(clerk, standard_matter, enterprise)
    application_decide(actor=reviewer, application=application, outcome=outcome, reason="材料与实际不符")
    application.refresh_from_db()
    words = WORDS[(task_type, outcome)]

    assert application.status == ("approved" if outcome == "approve" else "rejected")
    assert application.status_label == words
    bodies = list(Notification.objects.filter(subject=enterprise, kind="decision").values_list("body", flat=True))
    assert bodies and all(words in body for body in bodies)
    summary = CreditRecordEvent.objects.get(subject=enterprise, type="decision").summary
    assert summary.startswith(f"{words}：")
    if task_type != T.LICENSING:
        assert all("许可" not in body for body in bodies) and "许可" not in summary

    client.force_login(applicant_for(enterprise))
    detail = client.get(reverse("portal:my_case", args=[application.pk])).content.decode()
    listing = client.get(reverse("portal:my_cases")).content.decode()
    assert f'data-testid="status">{words}<' in detail
    history = detail.split('data-to="' + application.status + '"')[1].split("</li>")[0]
    assert words in history and (task_type == T.LICENSING or "许可" not in history)
    assert f">{words}</span>" in listing


@pytest.mark.parametrize("task_type", T.values)
def test_every_task_type_names_its_approval_and_refusal_apart(task_type):
    approval, refusal = decision_words(task_type)
    assert approval != refusal
    assert ("许可" in approval) == (task_type == T.LICENSING)


@pytest.mark.parametrize("task_type", [T.LICENSING, T.PUBLIC_SERVICE, T.OTHER])
def test_the_reviewers_decision_buttons_name_the_decision_of_the_task_type(
    client, clerk, reviewer, standard_matter, enterprise, task_type
):
    standard_matter.task_type = task_type
    standard_matter.save(update_fields=["task_type"])
    application = standard_case(clerk, standard_matter, enterprise)
    client.force_login(reviewer)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    approval, refusal = WORDS[(task_type, "approve")], WORDS[(task_type, "reject")]
    assert f'data-testid="approve-submit">{approval}<' in page
    assert f'data-testid="reject-submit">{refusal}<' in page
    assert ("许可" in page.split('data-testid="approve-form"')[1].split("</section>")[0]) == (task_type == T.LICENSING)
