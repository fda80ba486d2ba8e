"""补正 (行政许可法 Art. 32(4)): one notice of everything to correct, the decision clock stopped while the
applicant corrects (in working days), the late notice (accepted from receipt, no clock stop), the answer online
or at the window, the lapse through the sweep, and every move the lifecycle does not allow refused with 409."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.applications.models import (
    Application,
    ApplicationMaterial,
    CaseDocument,
    CorrectionFile,
    CorrectionRequest,
    LetterKind,
    Status,
)
from xinyipi.applications.services import (
    application_correction_answer,
    application_correction_request,
    application_decide,
    application_file,
)
from xinyipi.applications.services.correction import correction_notice_due, correction_paused_days
from xinyipi.applications.tests.factories import standard_case
from xinyipi.applications.tests.test_deadlines import after, at
from xinyipi.audit.models import AuditEntry
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, InvalidTransition
from xinyipi.notifications.models import Notification
from xinyipi.records.models import CreditRecordEvent
from xinyipi.workdays.calendar import add_working_days

pytestmark = pytest.mark.django_db

# A week in March 2026 without holidays: Mon 2 … Fri 6, Mon 9 … Fri 13.
MON, TUE, THU, FRI = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 5), dt.date(2026, 3, 6)
ITEMS = [{"material_code": "A2", "reason": "营业执照复印件未加盖公章，请提交加盖公章的复印件"}]
DOCUMENT_NUMBER = re.compile(r"^扎.+许〔\d{4}〕\d+号$")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def filed_on(day, clerk, matter, subject) -> Application:
    with clock.acting_at(at(day)):
        return standard_case(clerk, matter, subject)


def request(actor, application, day, items=ITEMS, note="") -> Application:
    with clock.acting_at(at(day, 10)):
        return application_correction_request(actor=actor, application=application, items=items, note=note)


def answer(actor, application, day, **kwargs) -> Application:
    kwargs.setdefault("materials", ["A2"])
    with clock.acting_at(at(day, 15)):
        return application_correction_answer(actor=actor, application=application, **kwargs)


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


# The notice ---------------------------------------------------------------------------------------------


def test_correction_request_stops_the_case_issues_a_numbered_notice_tells_the_applicant_and_audits(
    clerk, reviewer, standard_matter, enterprise
):
    application = filed_on(MON, clerk, standard_matter, enterprise)
    request(reviewer, application, TUE, note="申请书第 3 页缺少法定代表人签字")
    application = fresh(application)

    assert application.status == Status.CORRECTING
    correction = CorrectionRequest.objects.get(application=application)
    assert correction.stage == "review" and correction.late is False
    assert [(i["code"], i["name"], i["reason"]) for i in correction.items] == [("A2", "营业执照", ITEMS[0]["reason"])]
    assert correction.due == add_working_days(TUE, 15).date == application.correction_due == application.due_date
    document = CaseDocument.objects.get(application=application, kind=LetterKind.CORRECTION_NOTICE)
    assert DOCUMENT_NUMBER.match(document.number), document.number
    for part in (
        application.number,
        standard_matter.code,
        "营业执照",
        ITEMS[0]["reason"],
        "法定代表人签字",
        "一次性告知",
    ):
        assert part in document.text
    assert "2026年3月24日" in document.text  # 15 working days after Tue 3 March
    assert Notification.objects.filter(subject=enterprise, dedupe_key__contains=":correction:").exists()
    assert AuditEntry.objects.filter(action="applications.correction.request", object_id=str(application.pk)).exists()
    assert application.transitions.order_by("-id").first().to_status == Status.CORRECTING


def test_correction_is_not_a_credit_fact(clerk, reviewer, standard_matter, enterprise):
    application = filed_on(MON, clerk, standard_matter, enterprise)
    before = CreditRecordEvent.objects.filter(subject=enterprise).count()
    request(reviewer, application, TUE)
    answer(clerk, fresh(application), FRI)
    assert CreditRecordEvent.objects.filter(subject=enterprise).count() == before


def test_only_one_correction_notice_per_case(clerk, reviewer, standard_matter, enterprise):
    application = filed_on(MON, clerk, standard_matter, enterprise)
    request(reviewer, application, TUE)
    answer(clerk, fresh(application), THU)
    with pytest.raises(InvalidTransition) as refused:
        request(reviewer, fresh(application), FRI)
    assert refused.value.code == "correction_already_requested"


@pytest.mark.parametrize(
    ("items", "note", "code", "field"),
    [
        ([], "", "items_required", "items"),
        ([{"material_code": "ZZ", "reason": "x"}], "", "unknown_material", "items[0].material_code"),
        ([{"material_code": "A1", "reason": " "}], "", "reason_required", "items[0].reason"),
        (
            [{"material_code": "A1", "reason": "x"}, {"material_code": "A1", "reason": "y"}],
            "",
            "duplicate_material",
            "items[1].material_code",
        ),
    ],
)
def test_correction_request_bad_input_names_the_field(
    clerk, reviewer, standard_matter, enterprise, items, note, code, field
):
    application = filed_on(MON, clerk, standard_matter, enterprise)
    with pytest.raises(DomainError) as refused:
        request(reviewer, application, TUE, items=items, note=note)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert fresh(application).status == Status.UNDER_REVIEW


# The clock ----------------------------------------------------------------------------------------------


def test_clock_stops_in_working_days_over_a_weekend(clerk, reviewer, standard_matter, enterprise):
    application = filed_on(MON, clerk, standard_matter, enterprise)
    promised = application.decision_due
    request(reviewer, application, THU)
    # Fri 6, Mon 9, Tue 10: three working days after Thursday up to the answer (the weekend does not count).
    assert correction_paused_days(matter=standard_matter, requested_on=THU, answered_on=dt.date(2026, 3, 10)) == 3
    answer(clerk, fresh(application), dt.date(2026, 3, 10))
    application = fresh(application)
    assert application.status == Status.UNDER_REVIEW
    assert application.decision_paused_days == 3
    assert application.decision_due == add_working_days(promised, 3).date
    assert application.due_date == application.decision_due
    correction = application.correction
    assert (correction.outcome, correction.paused_days, correction.accepted_on) == ("answered", 3, dt.date(2026, 3, 10))
    assert correction.answer_channel == "window"


def test_same_day_answer_stops_nothing(clerk, reviewer, standard_matter, enterprise):
    application = filed_on(MON, clerk, standard_matter, enterprise)
    promised = application.decision_due
    request(reviewer, application, TUE)
    answer(clerk, fresh(application), TUE)
    assert (fresh(application).decision_due, fresh(application).decision_paused_days) == (promised, 0)


def test_late_notice_counts_the_application_accepted_from_receipt_and_the_clock_runs_on(
    clerk, reviewer, standard_matter, enterprise
):
    application = filed_on(MON, clerk, standard_matter, enterprise)
    promised = application.decision_due
    assert correction_notice_due(MON) == dt.date(2026, 3, 9)  # the 5th working day after Monday 2 March
    request(reviewer, application, dt.date(2026, 3, 9))
    assert CorrectionRequest.objects.get(application=application).late is False  # the 5th day is still on time

    late_case = filed_on(MON, clerk, standard_matter, enterprise)
    request(reviewer, late_case, dt.date(2026, 3, 10))
    correction = CorrectionRequest.objects.get(application=late_case)
    assert correction.late is True and correction.accepted_on == MON
    notice = CaseDocument.objects.get(application=late_case, kind=LetterKind.CORRECTION_NOTICE)
    assert "自收到申请材料之日" in notice.text and "计入办理期限" in notice.text
    answer(clerk, fresh(late_case), dt.date(2026, 3, 13))
    late_case = fresh(late_case)
    assert late_case.decision_due == promised and late_case.decision_paused_days == 0
    assert "逾期告知" in late_case.transitions.order_by("-id").first().reason


def test_window_issues_only_within_the_notice_period(clerk, standard_matter, enterprise):
    application = filed_on(MON, clerk, standard_matter, enterprise)
    with pytest.raises(DomainError) as refused:
        request(clerk, application, dt.date(2026, 3, 10))
    assert refused.value.code == "correction_period_over"
    request(clerk, application, TUE)
    assert CorrectionRequest.objects.get(application=application).stage == "acceptance"


# The answer ---------------------------------------------------------------------------------------------


def test_answer_must_cover_every_listed_item(clerk, reviewer, standard_matter, enterprise):
    application = filed_on(MON, clerk, standard_matter, enterprise)
    items = [*ITEMS, {"material_code": "A1", "reason": "申请书未签字"}]
    request(reviewer, application, TUE, items=items)
    with pytest.raises(DomainError) as refused:
        answer(clerk, fresh(application), THU, materials=["A2"])
    assert refused.value.code == "correction_incomplete" and refused.value.extra["codes"] == ["A1"]
    with pytest.raises(DomainError) as refused:
        answer(clerk, fresh(application), THU, materials=["A1", "A2", "ZZ"])
    assert refused.value.code == "material_not_requested"
    assert fresh(application).status == Status.CORRECTING


def test_applicant_answers_online_with_files_and_the_case_returns_to_review(
    client, clerk, reviewer, standard_matter, enterprise, applicant_for
):
    applicant = applicant_for(enterprise)
    application = filed_on(MON, clerk, standard_matter, enterprise)
    request(reviewer, application, TUE)
    client.force_login(applicant)
    page = client.get(reverse("portal:my_case", args=[application.pk])).content.decode()
    assert 'data-testid="correction-answer-form"' in page and ITEMS[0]["reason"] in page
    upload = SimpleUploadedFile("营业执照.png", PNG, content_type="image/png")
    response = client.post(
        reverse("portal:my_case_correction", args=[application.pk]), {"note": "已加盖公章", "file_0": upload}
    )
    assert response.status_code == 302
    application = fresh(application)
    assert application.status == Status.UNDER_REVIEW
    correction = application.correction
    assert (correction.answer_channel, correction.answer_note) == ("online", "已加盖公章")
    kept = CorrectionFile.objects.get(correction=correction)
    row = ApplicationMaterial.objects.get(application=application, code="A2")
    assert kept.file_name == row.file_name == "营业执照.png" and kept.file_sm3 == row.file_sm3
    assert Notification.objects.filter(dedupe_key__contains=":correction_answered:").exists()


def test_answer_outside_correction_is_409(clerk, standard_matter, enterprise):
    application = filed_on(MON, clerk, standard_matter, enterprise)
    with pytest.raises(InvalidTransition) as refused:
        answer(clerk, application, TUE)
    assert refused.value.code == "not_correcting"


def test_no_decision_while_the_applicant_corrects(clerk, reviewer, standard_matter, enterprise):
    application = filed_on(MON, clerk, standard_matter, enterprise)
    request(reviewer, application, TUE)
    with pytest.raises(InvalidTransition):
        application_decide(actor=reviewer, application=fresh(application), outcome="approve", reason="")


# The lapse ----------------------------------------------------------------------------------------------


def test_unanswered_notice_lapses_through_the_sweep_as_withdrawn_with_a_notice(
    clerk, reviewer, standard_matter, enterprise
):
    application = filed_on(MON, clerk, standard_matter, enterprise)
    request(reviewer, application, MON)
    due = fresh(application).correction_due
    assert due == dt.date(2026, 3, 23)
    assert deadlines_sweep(now=at(due, 23, 59)).corrections_lapsed == []
    events = CreditRecordEvent.objects.filter(subject=enterprise).count()
    report = deadlines_sweep(now=after(due))
    assert report.corrections_lapsed == [application.number]
    application = fresh(application)
    assert application.status == Status.WITHDRAWN
    assert application.correction.outcome == "lapsed"
    notice = CaseDocument.objects.get(application=application, kind=LetterKind.TERMINATION_NOTICE)
    assert "视为撤回申请" in notice.text and DOCUMENT_NUMBER.match(notice.number)
    assert Notification.objects.filter(dedupe_key__contains=":correction_lapsed:").exists()
    assert CreditRecordEvent.objects.filter(subject=enterprise).count() == events  # not a credit fact
    assert deadlines_sweep(now=after(due)).corrections_lapsed == []  # idempotent


# Through the API ----------------------------------------------------------------------------------------


def test_api_correction_request_and_answer_show_in_history(api_as, clerk, reviewer, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    url = f"/api/v1/applications/{application.pk}"
    response = api_as(reviewer).post(f"{url}/correction-request", {"items": ITEMS, "note": "其他"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "correcting" and body["correction_due"]
    assert body["history"][-1]["to"] == "correcting"
    assert body["correction"]["items"][0]["material_code"] == "A2"
    assert DOCUMENT_NUMBER.match(body["correction"]["document_number"])
    assert body["correction"]["outcome"] == "pending" and body["correction"]["late"] is False

    again = api_as(reviewer).post(f"{url}/correction-request", {"items": ITEMS})
    assert again.status_code == 409 and again.json()["code"] == "correction_already_requested"

    response = api_as(clerk).post(f"{url}/correction", {"materials": ["A2"], "note": "已补正"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "under_review" and [h["to"] for h in body["history"][-2:]] == [
        "correcting",
        "under_review",
    ]
    assert body["correction"]["outcome"] == "answered"


def test_api_errors(api_as, clerk, reviewer, other_reviewer, standard_matter, instant_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    url = f"/api/v1/applications/{application.pk}"
    # A reviewer of another department does not see the case: 404, never 403.
    assert api_as(other_reviewer).post(f"{url}/correction-request", {"items": ITEMS}).status_code == 404
    bad = api_as(reviewer).post(f"{url}/correction-request", {"items": [{"material_code": "A1", "reason": ""}]})
    assert bad.status_code == 422 and bad.json()["field"] == "items[0].reason"
    empty = api_as(reviewer).post(f"{url}/correction-request", {"items": []})
    assert empty.status_code == 422 and empty.json()["code"] == "items_required"
    not_waiting = api_as(clerk).post(f"{url}/correction", {"materials": ["A2"]})
    assert not_waiting.status_code == 409 and not_waiting.json()["code"] == "not_correcting"
    approved = application_file(
        actor=clerk, matter=instant_matter, subject=enterprise, mode="instant", materials=["A1"], channel="window"
    )
    assert approved.status == "approved"
    illegal = api_as(reviewer).post(f"/api/v1/applications/{approved.pk}/correction-request", {"items": ITEMS})
    assert illegal.status_code == 409 and illegal.json()["code"] == "invalid_transition"


# The pages ----------------------------------------------------------------------------------------------


def test_reviewer_page_puts_the_facts_first_and_the_actions_after(client, clerk, reviewer, standard_matter, enterprise):
    application = standard_case(clerk, standard_matter, enterprise)
    client.force_login(reviewer)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    facts = [page.index(mark) for mark in ('data-testid="case-status"', 'data-testid="credit-summary"')]
    facts += [page.index('data-testid="case-materials"'), page.index('data-testid="history"')]
    actions = page.index('data-testid="case-actions"')
    assert max(facts) < actions
    for form in ("approve-form", "reject-form", "correction-request-form", "return-form"):
        assert page.index(f'data-testid="{form}"') > actions
    reject = page[page.index('data-testid="reject-form"') :]
    assert 'class="button danger"' in reject[: reject.index("</form>")]


def test_console_request_form_refuses_a_listed_material_without_reason(
    client, clerk, reviewer, standard_matter, enterprise
):
    application = standard_case(clerk, standard_matter, enterprise)
    client.force_login(reviewer)
    url = reverse("applications:correction_request", args=[application.pk])
    response = client.post(url, {"items": ["A2"], "reason_1": ""})
    assert response.status_code == 422 and 'data-field="reason_1"' in response.content.decode()
    response = client.post(url, {"items": ["A2"], "reason_1": "未盖章"})
    assert response.status_code == 302
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert 'data-testid="correction"' in page and "未盖章" in page and "补正期间停止计时" in page


def test_withdrawing_while_correcting_closes_the_notice(clerk, reviewer, standard_matter, enterprise):
    from xinyipi.applications.services import application_withdraw

    application = filed_on(MON, clerk, standard_matter, enterprise)
    request(reviewer, application, TUE)
    application_withdraw(actor=clerk, application=fresh(application), reason="申请人不再办理")
    application = fresh(application)
    assert application.status == Status.WITHDRAWN and application.correction.outcome == "withdrawn"
    assert deadlines_sweep(now=after(application.correction_due)).corrections_lapsed == []


def test_window_is_offered_the_notice_only_within_the_period(client, clerk, standard_matter, enterprise):
    application = filed_on(MON, clerk, standard_matter, enterprise)
    client.force_login(clerk)
    url = reverse("applications:detail", args=[application.pk])
    with clock.acting_at(at(dt.date(2026, 3, 9))):
        assert 'data-testid="correction-request-form"' in client.get(url).content.decode()
    with clock.acting_at(at(dt.date(2026, 3, 10))):
        assert 'data-testid="correction-request-form"' not in client.get(url).content.decode()


def test_policy_may_close_an_unanswered_notice_as_terminated(monkeypatch, clerk, reviewer, standard_matter, enterprise):
    import dataclasses

    from xinyipi.applications.services import correction as module

    real = module.workflow_policy_on
    monkeypatch.setattr(
        module, "workflow_policy_on", lambda on: dataclasses.replace(real(on), correction_lapse="terminated")
    )
    application = filed_on(MON, clerk, standard_matter, enterprise)
    request(reviewer, application, MON)
    deadlines_sweep(now=after(fresh(application).correction_due))
    application = fresh(application)
    assert application.status == Status.TERMINATED
    assert (
        "终止办理本申请" in CaseDocument.objects.get(application=application, kind=LetterKind.TERMINATION_NOTICE).text
    )


def test_policy_file_refuses_an_unknown_lapse_outcome():
    import dataclasses

    from xinyipi.applications.policy import _check, workflow_policy_on

    policy = workflow_policy_on(MON)
    assert _check(policy) is None and policy.correction_lapse == "withdrawn" and policy.correction_days == 15
    assert "correction_lapse" in _check(dataclasses.replace(policy, correction_lapse="approved"))


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_exactly_one_wins(clerk, reviewer, standard_matter, enterprise, applicant_for):
    from xinyipi.applications.tests.test_concurrency import run_together

    applicant = applicant_for(enterprise)
    application = standard_case(clerk, standard_matter, enterprise)
    application_correction_request(actor=reviewer, application=application, items=ITEMS)
    copies = [fresh(application) for _ in range(2)]
    results = run_together(
        lambda: application_correction_answer(actor=clerk, application=copies[0], materials=["A2"]),
        lambda: application_correction_answer(actor=applicant, application=copies[1], materials=["A2"], note="网上"),
    )
    assert sum(isinstance(r, Application) for r in results) == 1, results
    assert sum(isinstance(r, InvalidTransition) for r in results) == 1, results
    application = fresh(application)
    assert application.status == Status.UNDER_REVIEW
    assert application.transitions.filter(to_status=Status.UNDER_REVIEW).count() == 2  # filing + one answer
