"""Console pages: the clerk's check (code or card in, result out), a check's page and the list (each read
recorded, R8), the policy page, manual entry, the subject page's panel, and who may see what."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xinyipi.audit.models import AuditEntry
from xinyipi.core import clock
from xinyipi.credit.models import CreditCheck, ManualEntry
from xinyipi.credit.services import credit_check_run, incentive_card_save

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_clerk_checks_by_code_and_sees_level_entitlements_explanation_and_sources(clerk, enterprise, store_record):
    store_record(enterprise, "abnormal_operations", document_number="扎市监异〔2026〕7号")
    client = client_for(clerk)
    assert client.get("/console/credit/").status_code == 200
    page = client.post("/console/credit/", {"query": enterprise.code_plain(), "purpose": "window_enquiry"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-level="ordinary"' in html
    assert 'data-entitlement="commitment"' in html
    assert "扎市监异〔2026〕7号" in html
    assert 'data-source="local_store" data-status="ok"' in html
    assert "data-print" in html
    assert CreditCheck.objects.get().actor == clerk


def test_htmx_request_gets_only_the_result(clerk, enterprise):
    page = client_for(clerk).post(
        "/console/credit/", {"query": enterprise.code_plain(), "purpose": "window_enquiry"}, HTTP_HX_REQUEST="true"
    )
    html = page.content.decode()
    assert 'data-level="good"' in html
    assert "<html" not in html


def test_r1_card_number_alone_finds_its_holder(clerk, enterprise):
    incentive_card_save(
        actor=None,
        number="NMJL2026000077",
        holder_code=enterprise.code_plain(),
        holder_name=enterprise.name,
        grade_year=2025,
        valid_from=clock.today() - dt.timedelta(days=5),
        valid_until=clock.today() + dt.timedelta(days=5),
    )
    html = client_for(clerk).post("/console/credit/", {"query": "nmjl2026000077", "purpose": "application"}).content
    assert b'data-level="exemplary"' in html
    check = CreditCheck.objects.get()
    assert (check.subject, check.incentive_card, check.card_counted) == (enterprise, "NMJL2026000077", True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("NMJL0000000000", "未找到纳税信用联合激励卡"),
        ("91150783MA0T99999X", "校验位错误"),
        ("", "请输入统一社会信用代码"),
    ],
)
def test_clerk_sees_why_a_check_could_not_run(clerk, query, message):
    html = client_for(clerk).post("/console/credit/", {"query": query, "purpose": "window_enquiry"}).content.decode()
    assert message in html
    assert 'id="credit-check-errors"' in html
    assert not CreditCheck.objects.exists()


def test_r8_viewing_a_check_page_is_recorded(reviewer, enterprise):
    check = credit_check_run(subject=enterprise, purpose="application", actor=None)
    page = client_for(reviewer).get(f"/console/credit/checks/{check.pk}/")
    assert page.status_code == 200
    assert enterprise.name in page.content.decode()
    entry = AuditEntry.objects.get(action="credit.check.view")
    assert (entry.actor, entry.object_id, entry.after["channel"]) == (reviewer, str(check.pk), "console")


def test_r8_listing_checks_is_recorded_and_paginated_by_keyset(reviewer, enterprise):
    for _ in range(3):
        credit_check_run(subject=enterprise, purpose="application", actor=None)
    client = client_for(reviewer)
    page = client.get("/console/credit/checks/", {"code": enterprise.code_plain(), "level": "good"})
    assert page.status_code == 200
    assert page.content.decode().count('<span class="badge level-good">') == 3
    assert AuditEntry.objects.filter(action="credit.check.list", actor=reviewer).exists()
    assert client.get("/console/credit/checks/999999/").status_code == 404


def test_bureau_sees_the_policy_in_force_and_earlier_versions(bureau_admin):
    client = client_for(bureau_admin)
    html = client.get("/console/credit/policy/").content.decode()
    assert "2026.1" in html and 'data-testid="policy-in-force"' in html
    assert 'data-testid="policy-file"' in html and "administrative_penalty_serious" in html
    assert "国办发〔2020〕42号" in html
    older = client.get("/console/credit/policy/", {"version": "2024.1"}).content.decode()
    assert "非现行版本" in older
    assert "administrative_penalty_serious" not in older


def test_credit_officer_reads_the_policy_in_words_without_the_file(credit_officer):
    html = client_for(credit_officer).get("/console/credit/policy/").content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    assert 'data-testid="policy-in-force"' in html and 'data-testid="policy-file"' not in html
    # Levels, findings, entitlements, legal references and dates, in words.
    for words in ("失信", "失信被执行人", "容缺受理", "法释〔2017〕7号", "自 2026-04-01 起"):
        assert words in text, words
    assert "dishonest_judgment_debtor" not in text and "local_store" not in text and "valid_from" not in text


def test_an_earlier_policy_version_shows_when_it_ended(credit_officer):
    html = client_for(credit_officer).get("/console/credit/policy/", {"version": "2024.1"}).content.decode()
    assert re.search(r'data-testid="policy-dates">2024-01-01 至 2026-03-31<', html)


def test_manual_entry_is_saved_with_its_evidence_hash(clerk, enterprise):
    client = client_for(clerk)
    url = f"/console/credit/manual/{enterprise.pk}/"
    assert client.get(url).status_code == 200
    evidence = SimpleUploadedFile("report.pdf", b"%PDF-1.7\nreport", content_type="application/pdf")
    response = client.post(
        url,
        {"site": "credit_china", "category": "administrative_penalty", "severity": "general",
         "document_number": "扎罚〔2026〕1号", "decided_on": "2026-02-01", "evidence": evidence},
    )  # fmt: skip
    assert response.status_code == 302
    entry = ManualEntry.objects.get()
    assert entry.findings[0]["document_number"] == "扎罚〔2026〕1号"
    assert entry.evidence_size == len(b"%PDF-1.7\nreport")
    refused = client.post(url, {"site": "credit_china", "evidence": SimpleUploadedFile("a.txt", b"plain")})
    assert "证据文件应为 PDF、PNG 或 JPEG" in refused.content.decode()
    assert ManualEntry.objects.count() == 1


def test_subject_page_lists_its_past_checks(clerk, enterprise):
    check = credit_check_run(subject=enterprise, purpose="application", actor=clerk)
    html = client_for(clerk).get(f"/console/subjects/{enterprise.pk}/").content.decode()
    assert 'id="subject-panel-credit_checks"' in html
    assert f"/console/credit/checks/{check.pk}/" in html
    assert "立即核查" in html
    access = AuditEntry.objects.get(action="credit.check.list", actor=clerk)
    assert access.after == {"subject_id": enterprise.pk, "via": "subject_page"}


@pytest.mark.parametrize(
    ("role", "check_page", "list_page", "policy_page"),
    [
        ("window_clerk", 200, 200, 200),
        ("credit_officer", 200, 200, 200),
        ("reviewer", 403, 200, 200),
        ("bureau_admin", 403, 403, 200),
        ("auditor", 403, 403, 403),
    ],
)
def test_console_pages_by_role(make_user, department, role, check_page, list_page, policy_page):
    client = client_for(make_user(role, department))
    assert client.get("/console/credit/").status_code == check_page
    assert client.get("/console/credit/checks/").status_code == list_page
    assert client.get("/console/credit/policy/").status_code == policy_page
    nav = client.get("/console/").content.decode()
    assert ('href="/console/credit/"' in nav) == (check_page == 200)
    assert ('href="/console/credit/policy/"' in nav) == (policy_page == 200)


def test_bureau_keeps_the_local_card_table_in_admin_with_audit(superuser, enterprise):
    client = client_for(superuser)
    form = {
        "number": "nmjl2026000500",
        "holder_code": "91150783MA0T99999X",
        "holder_name": enterprise.name,
        "grade_year": 2025,
        "valid_from": "2026-04-20",
        "valid_until": "2027-04-30",
        "revoked_on": "",
        "revoked_reason": "",
    }
    refused = client.post("/admin/credit/incentivecard/add/", form)
    assert "校验位错误" in refused.content.decode()
    form["holder_code"] = enterprise.code_plain()
    response = client.post("/admin/credit/incentivecard/add/", form)
    assert response.status_code == 302
    from xinyipi.credit.models import IncentiveCard

    card = IncentiveCard.objects.get(number="NMJL2026000500")
    assert card.holder_code_hash == enterprise.code_hash
    assert AuditEntry.objects.filter(action="credit.card.save", object_id=str(card.pk)).exists()
