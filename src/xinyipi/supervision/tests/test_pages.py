"""The city list's pages: the credit officer's console (list with filters, entry, proposal, objection and repair
decisions) and the applicant's side ("我的信用", objection online, repair request, the public repair page)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xinyipi.accounts import roles
from xinyipi.core import clock
from xinyipi.supervision.models import BlacklistEntry, CreditRepair, Objection
from xinyipi.supervision.policy import add_months
from xinyipi.supervision.services import blacklist_entry_list, blacklist_propose
from xinyipi.supervision.services.objections import objection_file
from xinyipi.supervision.services.repairs import credit_repair_request

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF"


def moment(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.BEIJING)


@pytest.fixture
def officer(make_user):
    return make_user(roles.CREDIT_OFFICER)


def _listed(subject):
    entry = blacklist_propose(subject=subject, reason="pledge_breached", case=None, evidence="", actor=None)
    with clock.acting_at(moment(entry.objection_due + dt.timedelta(days=1), 0)):
        return blacklist_entry_list(entry_id=entry.pk)


def test_r9_console_list_filters_by_pending_objection(client, officer, applicant_for, make_enterprise):
    quiet, objected = make_enterprise(), make_enterprise()
    blacklist_propose(subject=quiet, reason="pledge_breached", case=None, evidence="", actor=None)
    entry = blacklist_propose(subject=objected, reason="commitment_breached", case=None, evidence="", actor=None)
    objection_file(entry=entry, actor=applicant_for(objected), statement="异议", at_window=False)
    client.force_login(officer)
    page = client.get(reverse("supervision:entry_list")).content.decode()
    assert quiet.name in page and objected.name in page and "一般失信信息" in page
    page = client.get(reverse("supervision:entry_list"), {"pending": "1"}).content.decode()
    assert objected.name in page and quiet.name not in page
    page = client.get(reverse("supervision:entry_list"), {"reason": "pledge_breached"}).content.decode()
    assert quiet.name in page and objected.name not in page


def test_r9_console_list_pages_by_keyset(client, officer, make_enterprise):
    for _ in range(3):
        blacklist_propose(subject=make_enterprise(), reason="pledge_breached", case=None, evidence="", actor=None)
    client.force_login(officer)
    response = client.get(reverse("supervision:entry_list"), {"status": "proposed"})
    assert response.status_code == 200 and response.context["page"].next is None
    assert len(response.context["page"].items) == 3


def test_r9_console_is_for_staff_who_read_the_list(client, applicant_for, enterprise):
    client.force_login(applicant_for(enterprise))
    assert client.get(reverse("supervision:entry_list")).status_code == 403
    assert client.get(reverse("supervision:repair_list")).status_code == 403


def test_r9_officer_proposes_through_the_form(client, officer, enterprise):
    client.force_login(officer)
    response = client.post(
        reverse("supervision:entry_propose"),
        {
            "subject_code": enterprise.code_plain(),
            "reason": "other",
            "reason_text": "以欺骗手段取得许可",
            "severity": "general",
            "basis": "",
            "evidence": "调查笔录",
        },
    )
    entry = BlacklistEntry.objects.get(subject=enterprise)
    assert response.status_code == 302 and response["Location"] == reverse("supervision:entry_detail", args=[entry.pk])
    assert entry.reason_text == "以欺骗手段取得许可" and entry.proposed_by == officer and entry.status == "proposed"


def test_r9_proposal_form_refusal_is_shown_and_changes_nothing(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("supervision:entry_propose"),
        {"subject_code": "91150783MA0A999997", "reason": "other", "severity": "general", "evidence": "x"},
    )
    assert response.status_code == 422 and BlacklistEntry.objects.count() == 0


def test_r9_entry_page_shows_objection_files_and_decides(client, officer, applicant_for, enterprise):
    entry = blacklist_propose(subject=enterprise, reason="pledge_breached", case=None, evidence="催告回执", actor=None)
    upload = SimpleUploadedFile("情况说明.pdf", PDF, content_type="application/pdf")
    objection_file(
        entry=entry, actor=applicant_for(enterprise), statement="已按期补交", files=[upload], at_window=False
    )
    client.force_login(officer)
    page = client.get(reverse("supervision:entry_detail", args=[entry.pk])).content.decode()
    for needed in ("已按期补交", "情况说明.pdf", "催告回执", "拟列入黑名单告知", "supervision.objection.file"):
        assert needed in page, needed
    file_row = Objection.objects.get(entry=entry).files.get()
    download = client.get(reverse("supervision:entry_file", args=[entry.pk, "objection", file_row.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    refused = client.post(reverse("supervision:entry_objection_decision", args=[entry.pk]), {"outcome": "dismiss"})
    assert refused.status_code == 422 and "须写明理由" in refused.content.decode()
    response = client.post(
        reverse("supervision:entry_objection_decision", args=[entry.pk]), {"outcome": "uphold", "reason": "属实"}
    )
    assert response.status_code == 302
    assert BlacklistEntry.objects.get(pk=entry.pk).status == "withdrawn"


def test_r9_applicant_objects_from_my_credit(client, applicant_for, enterprise):
    entry = blacklist_propose(subject=enterprise, reason="pledge_breached", case=None, evidence="", actor=None)
    agent = applicant_for(enterprise)
    client.force_login(agent)
    page = client.get(reverse("supervision:my_credit")).content.decode()
    assert 'data-testid="objection-form"' in page and entry.objection_due.isoformat() in page
    empty = client.post(reverse("supervision:my_objection", args=[entry.pk]), {"statement": ""})
    assert empty.status_code == 422 and not Objection.objects.exists()
    upload = SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("supervision:my_objection", args=[entry.pk]), {"statement": "材料已按期提交", "files": [upload]}
    )
    assert response.status_code == 302
    objection = Objection.objects.get(entry=entry)
    assert objection.filed_by == agent and not objection.at_window and objection.files.count() == 1
    page = client.get(reverse("supervision:my_credit")).content.decode()
    assert 'data-testid="objection-form"' not in page and "待处理" in page


def test_r9_my_credit_shows_only_subjects_one_acts_for(client, applicant_for, enterprise, make_enterprise):
    other = make_enterprise()
    entry = blacklist_propose(subject=other, reason="pledge_breached", case=None, evidence="", actor=None)
    client.force_login(applicant_for(enterprise))
    assert other.name not in client.get(reverse("supervision:my_credit")).content.decode()
    response = client.post(reverse("supervision:my_objection", args=[entry.pk]), {"statement": "冒名"})
    assert response.status_code == 404 and not Objection.objects.exists()


def test_r11_repair_guide_is_public_and_says_free_of_charge(client):
    page = client.get(reverse("supervision:repair_guide")).content.decode()
    assert "不收取任何费用" in page and "令2025年第36号" in page and "10 个工作日" in page


def test_r11_applicant_asks_for_repair_online(client, applicant_for, enterprise):
    entry = _listed(enterprise)
    client.force_login(applicant_for(enterprise))
    with clock.acting_at(moment(add_months(clock.to_beijing(entry.listed_at).date(), 1))):
        page = client.get(reverse("supervision:my_credit")).content.decode()
        assert 'data-testid="repair-link"' not in page and "最早可于" in page
        early = client.post(reverse("supervision:my_repair", args=[entry.pk]), {"statement": "已补齐", "accept": "1"})
        assert early.status_code == 422 and "最早可于" in early.content.decode()
    with clock.acting_at(moment(add_months(clock.to_beijing(entry.listed_at).date(), 3))):
        page = client.get(reverse("supervision:my_repair", args=[entry.pk])).content.decode()
        assert enterprise.name in page and "信用承诺书" in page and "不收取任何费用" in page
        unsigned = client.post(reverse("supervision:my_repair", args=[entry.pk]), {"statement": "已补齐"})
        assert unsigned.status_code == 422 and not CreditRepair.objects.exists()
        done = client.post(reverse("supervision:my_repair", args=[entry.pk]), {"statement": "已补齐", "accept": "1"})
        assert done.status_code == 302
    assert CreditRepair.objects.get(entry=entry).status == "requested"


def test_r11_officer_decides_a_repair_from_the_queue(client, officer, enterprise):
    entry = _listed(enterprise)
    with clock.acting_at(moment(add_months(clock.to_beijing(entry.listed_at).date(), 4))):
        repair = credit_repair_request(subject=enterprise, actor=None, statement="已纠正", at_window=True)
        client.force_login(officer)
        queue = client.get(reverse("supervision:repair_list")).content.decode()
        assert enterprise.name in queue and repair.due.isoformat() in queue
        page = client.get(reverse("supervision:repair_detail", args=[repair.pk])).content.decode()
        assert repair.commitment_sm3 in page
        response = client.post(reverse("supervision:repair_decision", args=[repair.pk]), {"outcome": "approve"})
    assert response.status_code == 302
    assert BlacklistEntry.objects.get(pk=entry.pk).status == "repaired"


def test_r11_navigation_shows_the_console_pages_to_credit_officers(client, officer, clerk):
    client.force_login(officer)
    page = client.get(reverse("console:home")).content.decode()
    assert reverse("supervision:entry_list") in page and reverse("supervision:repair_list") in page
    client.force_login(clerk)
    page = client.get(reverse("console:home")).content.decode()
    assert reverse("supervision:entry_list") in page and reverse("supervision:repair_list") not in page


def test_r11_window_records_a_repair_request_with_the_signed_commitment(client, clerk, enterprise):
    entry = _listed(enterprise)
    client.force_login(clerk)
    url = reverse("supervision:entry_repair_record", args=[entry.pk])
    with clock.acting_at(moment(add_months(clock.to_beijing(entry.listed_at).date(), 5))):
        page = client.get(reverse("supervision:entry_detail", args=[entry.pk])).content.decode()
        assert 'data-testid="repair-form"' in page
        unsigned = client.post(url, {"statement": "已缴清"})
        assert unsigned.status_code == 422 and not CreditRepair.objects.exists()
        proof = SimpleUploadedFile("凭证.pdf", PDF, content_type="application/pdf")
        response = client.post(url, {"statement": "已缴清", "accept": "1", "files": [proof]})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    repair = CreditRepair.objects.get(entry=entry)
    assert repair.at_window and repair.requested_by == clerk and repair.files.count() == 1


def test_r9_console_list_reads_a_page_in_a_fixed_number_of_queries(
    client, officer, applicant_for, make_enterprise, django_assert_max_num_queries
):
    for _ in range(4):
        subject = make_enterprise()
        entry = blacklist_propose(subject=subject, reason="pledge_breached", case=None, evidence="", actor=None)
        objection_file(entry=entry, actor=applicant_for(subject), statement="异议", at_window=False)
    client.force_login(officer)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("supervision:entry_list"))
    assert len(response.context["page"].items) == 4
