"""R12 and the notice's task 7 (诚信宣传教育): the public integrity page, the breach consequences on each guide
and the public blacklist search. Every period shown comes from the policy in force, not the template."""

import dataclasses
import datetime as dt

import pytest
from django.urls import reverse

from xinyipi.applications import policy as workflow_policy
from xinyipi.catalog.demo import load_demo_catalog
from xinyipi.catalog.models import Matter
from xinyipi.core import clock
from xinyipi.supervision import policy as supervision_policy
from xinyipi.supervision.selectors import mask_person_name
from xinyipi.supervision.services import blacklist_entry_list, blacklist_propose

pytestmark = pytest.mark.django_db


def _get(client, name, *args, **query) -> str:
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


def _listed(subject):
    entry = blacklist_propose(subject=subject, reason="pledge_breached", case=None, evidence="", actor=None)
    effective = dt.datetime.combine(entry.objection_due + dt.timedelta(days=1), dt.time(9), tzinfo=clock.BEIJING)
    with clock.acting_at(effective):
        return blacklist_entry_list(entry_id=entry.pk)


@pytest.fixture
def changed_policies(monkeypatch):
    """Policy versions with unusual values, so a number typed into a template cannot pass for one read."""
    today = clock.today()
    workflow = dataclasses.replace(
        workflow_policy.workflow_policy_on(today), grace_days=7, rectification_days=23, verification_sample_rate=0.35
    )
    listing = dataclasses.replace(
        supervision_policy.listing_policy_on(today), objection_days=9, publicity_months=11, list_name="测试名单"
    )
    repair = supervision_policy.repair_policy_on(today)
    repair = dataclasses.replace(repair, decision_days=13)
    monkeypatch.setattr(workflow_policy, "_versions", lambda: (workflow,))
    monkeypatch.setattr(supervision_policy, "_versions", lambda: (listing,))
    monkeypatch.setattr(supervision_policy, "_repair_versions", lambda: (repair,))
    return workflow, listing, repair


def test_r12_integrity_page_explains_each_topic_with_its_legal_basis(client):
    page = _get(client, "portal:integrity")
    for heading in ("什么是公共信用信息", "应查尽查", "告知承诺", "核查", "容缺受理", "列入黑名单", "信用修复"):
        assert heading in page, heading
    for basis in (
        "国办发〔2020〕42号",
        "国发〔2021〕7号",
        "国办发〔2020〕49号",
        "国家发展改革委令2025年第36号",
        "国办发〔2025〕22号",
        "《全国公共信用信息基础目录》",
    ):
        assert basis in page, basis
    assert "不收取任何费用" in page
    assert f'href="{reverse("supervision:repair_guide")}"' in page
    assert f'href="{reverse("portal:blacklist")}"' in page


def test_r12_integrity_page_shows_the_periods_of_the_policy_in_force(client):
    today = clock.today()
    workflow = workflow_policy.workflow_policy_on(today)
    listing = supervision_policy.listing_policy_on(today)
    repair = supervision_policy.repair_policy_on(today)
    page = _get(client, "portal:integrity")
    assert f"再给 {workflow.grace_days} 个工作日" in page
    assert f"在 {workflow.rectification_days} 个工作日内整改" in page
    assert f"在 {listing.objection_days} 个工作日内提出异议" in page
    assert f"一般失信信息公示 {listing.publicity_months} 个月" in page
    assert f"在 {repair.decision_days} 个工作日内作出决定" in page
    assert listing.effects in page
    for periods in repair.severities.values():
        assert f'data-severity="{periods.severity}"' in page


def test_r12_integrity_page_reads_its_numbers_from_the_policy_files_not_the_template(client, changed_policies):
    page = _get(client, "portal:integrity")
    for text in (
        "再给 7 个工作日",
        "在 23 个工作日内整改",
        "抽查比例 35%",
        "在 9 个工作日内提出异议",
        "一般失信信息公示 11 个月",
        "11 个月（本名单）",
        "在 13 个工作日内作出决定",
        "“测试名单”",
    ):
        assert text in page, text


def test_r12_integrity_page_is_linked_from_the_footer_and_from_about(client):
    target = f'href="{reverse("portal:integrity")}"'
    assert target in _get(client, "portal:home")
    about = _get(client, "portal:about")
    assert about.count(target) == 2  # the footer and the text of "什么是信易批"


def test_r4_r7_commitment_guide_says_verification_rectification_and_revocation(client, changed_policies):
    load_demo_catalog()
    matter = Matter.objects.get(name="公共场所卫生许可（新办）")
    page = _get(client, "portal:guide", matter.code)
    assert f"部门在作出决定后 {matter.verification_days} 个工作日内" in page
    assert "在 23 个工作日内整改" in page
    assert "撤销" in page and "黑名单" in page
    assert f'href="{reverse("portal:integrity")}#breach"' in page


def test_r6_r7_tolerance_guide_says_deadline_reminder_grace_and_termination(client, changed_policies):
    load_demo_catalog()
    matter = Matter.objects.filter(tolerance=True).first()
    page = _get(client, "portal:guide", matter.code)
    assert f"受理之日起 {matter.supplement_days} 个工作日内" in page
    assert "催告并再给予 7 个工作日的宽限期" in page
    assert "终止办理" in page and "黑名单" in page


def test_r12_guide_without_commitment_or_tolerance_has_no_breach_links(client):
    load_demo_catalog()
    matter = Matter.objects.filter(commitment_kind="none", tolerance=False).first()
    page = _get(client, "portal:guide", matter.code)
    assert 'data-testid="integrity-links"' not in page


def test_r12_blacklist_finds_an_enterprise_by_part_of_its_name(client, enterprise, make_enterprise):
    other = make_enterprise("扎兰屯市远方物流有限公司")
    _listed(enterprise)
    _listed(other)
    page = _get(client, "portal:blacklist", q="诚信商贸")
    assert enterprise.name in page and other.name not in page


def test_r12_blacklist_finds_an_enterprise_by_its_uscc_as_typed(client, enterprise, make_enterprise):
    other = make_enterprise()
    _listed(enterprise)
    _listed(other)
    code = enterprise.code_display
    for typed in (code, code.lower(), f" {code} "):
        page = _get(client, "portal:blacklist", q=typed)
        assert enterprise.name in page and other.name not in page, typed


def test_r12_blacklist_finds_a_person_by_full_id_number_only_and_keeps_the_name_masked(client, person):
    _listed(person)
    page = _get(client, "portal:blacklist", q=person.code_plain())
    assert mask_person_name(person.name) in page
    assert person.name not in page
    for miss in (person.name, mask_person_name(person.name), person.code_display, person.code_plain()[:-1]):
        assert "目前没有公示中的名单" in _get(client, "portal:blacklist", q=miss), miss


def test_r12_blacklist_search_says_how_to_search_and_offers_the_full_list(client):
    page = _get(client, "portal:blacklist", q="无此企业")
    assert "个人仅可按完整的身份证号码查询" in page
    assert "目前没有公示中的名单" in page
    assert f'href="{reverse("portal:blacklist")}">显示全部' in page
