"""A case's decision documents follow its matter's task type (事项类型): 行政许可 → 准予/不予行政许可决定书,
公共服务 → 办结通知书/不予办理通知书, any other administrative power → 准予/不予办理决定书."""

import pytest

from xinyipi.applications.letters import decision_kinds
from xinyipi.applications.services import application_decide, application_file
from xinyipi.applications.tests.factories import standard_case
from xinyipi.catalog.models import Matter
from xinyipi.catalog.tests.factories import MatterFactory

pytestmark = pytest.mark.django_db

T = Matter.TaskType


def of_type(matter: Matter, task_type: str) -> Matter:
    matter.task_type = task_type
    matter.save(update_fields=["task_type"])
    return matter


def decided(clerk, reviewer, matter, subject, outcome: str):
    application = standard_case(clerk, matter, subject)
    application_decide(actor=reviewer, application=application, outcome=outcome, reason="材料与实际不符")
    return {d.kind: d.text for d in application.documents.all()}


def test_a_public_service_approval_never_yields_a_licensing_decision(clerk, reviewer, standard_matter, enterprise):
    documents = decided(clerk, reviewer, of_type(standard_matter, T.PUBLIC_SERVICE), enterprise, "approve")
    assert list(documents) == ["completion_notice"]
    assert "办结通知书" in documents["completion_notice"] and "行政许可决定书" not in documents["completion_notice"]


def test_a_public_service_refusal_is_a_refusal_notice(clerk, reviewer, standard_matter, enterprise):
    documents = decided(clerk, reviewer, of_type(standard_matter, T.PUBLIC_SERVICE), enterprise, "reject")
    assert list(documents) == ["service_refusal_notice"]
    assert (
        "不予办理通知书" in documents["service_refusal_notice"]
        and "材料与实际不符" in documents["service_refusal_notice"]
    )
    assert "行政许可决定书" not in documents["service_refusal_notice"]


@pytest.mark.parametrize("outcome", ["approve", "reject"])
def test_another_administrative_power_gets_its_own_decision_with_remedies(
    clerk, reviewer, standard_matter, enterprise, outcome
):
    documents = decided(clerk, reviewer, of_type(standard_matter, T.OTHER), enterprise, outcome)
    kind = "handling_decision" if outcome == "approve" else "handling_refusal"
    assert list(documents) == [kind] and "行政许可决定书" not in documents[kind]
    if outcome == "reject":
        assert "行政复议" in documents[kind] and "行政诉讼" in documents[kind]


def test_a_licence_keeps_its_licensing_decisions(clerk, reviewer, standard_matter, enterprise):
    assert list(decided(clerk, reviewer, standard_matter, enterprise, "approve")) == ["approval_decision"]


def test_an_instant_public_service_is_completed_with_a_completion_notice(clerk, instant_matter, enterprise):
    of_type(instant_matter, T.PUBLIC_SERVICE)
    application = application_file(
        actor=clerk, matter=instant_matter, subject=enterprise, mode="instant", materials=["A1"], channel="window"
    )
    assert application.status == "approved"
    assert list(application.documents.values_list("kind", flat=True)) == ["completion_notice"]


@pytest.mark.parametrize("task_type", T.values)
def test_every_task_type_has_an_approval_and_a_refusal_document(task_type):
    approval, refusal = decision_kinds(MatterFactory.build(task_type=task_type))
    assert approval != refusal
    assert (approval == "approval_decision") == (task_type == T.LICENSING)
