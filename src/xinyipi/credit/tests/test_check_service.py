"""credit_check_run through the local sources: every category's effect, the city list, the incentive card,
records out of effect, what is recorded (R8), and reuse."""

import datetime as dt

import pytest

from xinyipi.audit.models import AuditEntry
from xinyipi.core import clock
from xinyipi.core.errors import DomainError
from xinyipi.credit.models import CreditCheck, CreditRecord
from xinyipi.credit.selectors import credit_check_reusable
from xinyipi.credit.services import credit_check_run, incentive_card_revoke, incentive_card_save
from xinyipi.records.models import CreditRecordEvent
from xinyipi.supervision.models import BlacklistEntry

ALL_SIX = {"green_channel", "instant_approval", "commitment", "tolerance", "onsite_service", "assisted_service"}

pytestmark = pytest.mark.django_db


def run(subject, actor=None, purpose="window_enquiry", card=None):
    return credit_check_run(subject=subject, purpose=purpose, actor=actor, incentive_card=card)


def test_r3_clean_enterprise_is_good_with_every_entitlement(enterprise, clerk):
    check = run(enterprise, clerk)
    assert check.level == "good"
    assert set(check.entitlements) == ALL_SIX
    assert check.complete is True
    assert [s["name"] for s in check.sources] == ["local_store", "city_blacklist", "incentive_card"]
    assert {s["status"] for s in check.sources} == {"ok", "not_applicable"}
    assert check.policy_version == "2026.1"
    assert any("未发现影响信用等级的记录" in s for s in check.explanation)


@pytest.mark.parametrize(
    ("category", "fields", "level", "entitlements"),
    [
        ("abnormal_operations", {}, "ordinary", {"commitment"}),
        ("serious_violation", {}, "dishonest", set()),
        ("serious_dishonesty", {}, "dishonest", set()),
        ("administrative_penalty", {"severity": "general"}, "ordinary", {"commitment"}),
        ("administrative_penalty", {"severity": "serious"}, "ordinary", set()),
        ("dishonest_judgment_debtor", {}, "dishonest", set()),
        ("major_tax_violation", {}, "dishonest", set()),
        ("tax_credit_grade", {"grade": "A"}, "exemplary", ALL_SIX),
        ("tax_credit_grade", {"grade": "B"}, "good", ALL_SIX),
        ("tax_credit_grade", {"grade": "M"}, "good", ALL_SIX),
        ("tax_credit_grade", {"grade": "C"}, "ordinary", {"commitment"}),
        ("tax_credit_grade", {"grade": "D"}, "ordinary", set()),
    ],
)
def test_r3_each_store_category_under_the_default_policy(
    enterprise, store_record, category, fields, level, entitlements
):
    store_record(enterprise, category, **fields)
    check = run(enterprise)
    assert (check.level, set(check.entitlements)) == (level, entitlements)
    assert check.findings[0]["category"] == category
    # each finding names the rule it met; a grade no rule takes into account names none
    if level == "good":
        assert check.findings[0]["rule"] is None
    else:
        assert check.findings[0]["rule"]
    assert check.findings[0]["source"] == "local_store"


def test_r3_dishonest_subject_gets_key_review_in_the_explanation(enterprise, store_record):
    store_record(enterprise, "dishonest_judgment_debtor", document_number="（2026）内0783执77号")
    check = run(enterprise)
    text = "".join(check.explanation)
    assert "（2026）内0783执77号" in text
    assert "重点审查" in text
    assert not check.allows("tolerance")


def _blacklist(subject, status, reason="pledge_breached"):
    now = clock.now()
    return BlacklistEntry.objects.create(
        subject=subject,
        reason=reason,
        status=status,
        proposed_at=now - dt.timedelta(days=20),
        objection_due=clock.today(),
        listed_at=now - dt.timedelta(days=5) if status != "proposed" else None,
        publicity_until=clock.today() + dt.timedelta(days=365),
    )


def test_r3_city_list_entry_in_effect_is_dishonest(enterprise):
    _blacklist(enterprise, BlacklistEntry.Status.LISTED)
    check = run(enterprise)
    assert check.level == "dishonest"
    assert check.entitlements == []
    assert check.findings[0]["category"] == "city_blacklist"


@pytest.mark.parametrize("status", ["proposed", "withdrawn", "repaired", "expired"])
def test_r3_city_list_entry_not_in_effect_does_not_count(enterprise, status):
    _blacklist(enterprise, status)
    assert run(enterprise).level == "good"


@pytest.mark.parametrize("status", ["proposed", "listed"])
def test_r3_false_commitment_counts_from_the_breach_until_repaired(enterprise, status):
    # A false commitment counts from the moment the breach is recorded (its listing still only proposed).
    entry = _blacklist(enterprise, status, reason="commitment_breached")
    check = run(enterprise)
    assert (check.level, check.findings[0]["category"], check.findings[0]["rule"]) == (
        "dishonest",
        "false_commitment",
        "false_commitment",
    )
    assert check.required_mode() == "key_review"
    entry.status = BlacklistEntry.Status.REPAIRED
    entry.save(update_fields=["status"])
    assert run(enterprise).level == "good"


@pytest.mark.parametrize("status", ["withdrawn", "repaired", "expired"])
def test_r3_false_commitment_ends_with_withdrawal_repair_or_expiry(enterprise, status):
    _blacklist(enterprise, status, reason="commitment_breached")
    check = run(enterprise)
    assert (check.level, check.findings) == ("good", [])


def test_r3_records_out_of_effect_do_not_count(enterprise, store_record):
    today = clock.today()
    store_record(enterprise, "abnormal_operations", status=CreditRecord.Status.ENDED)
    store_record(enterprise, "administrative_penalty", severity="general", publicity_until=today - dt.timedelta(days=1))
    store_record(enterprise, "serious_violation", ends_on=today - dt.timedelta(days=1))
    store_record(enterprise, "dishonest_judgment_debtor", decided_on=today + dt.timedelta(days=3))
    check = run(enterprise)
    assert check.level == "good"
    assert check.findings == []


def test_r3_only_the_newest_tax_grade_counts(enterprise, store_record):
    today = clock.today()
    store_record(enterprise, "tax_credit_grade", grade="D", decided_on=today - dt.timedelta(days=400))
    store_record(enterprise, "tax_credit_grade", grade="A", decided_on=today - dt.timedelta(days=30))
    check = run(enterprise)
    assert check.level == "exemplary"
    assert [f["grade"] for f in check.findings] == ["A"]


def test_r3_records_are_found_for_a_person_by_blind_index(person, store_record):
    store_record(person, "dishonest_judgment_debtor")
    check = run(person)
    assert check.level == "dishonest"
    assert "*" in check.subject.code_display


# -- incentive card (R1, R3) ---------------------------------------------------------------------------


def _card(subject, number="NMJL2026000001", **overrides):
    today = clock.today()
    values = {
        "actor": None,
        "number": number,
        "holder_code": subject.code_plain(),
        "holder_name": subject.name,
        "grade_year": today.year - 1,
        "valid_from": today - dt.timedelta(days=100),
        "valid_until": today + dt.timedelta(days=200),
    }
    values.update(overrides)
    return incentive_card_save(**values)


def test_r1_valid_card_counts_as_the_check_and_makes_the_holder_exemplary(enterprise, clerk):
    _card(enterprise)
    check = run(enterprise, clerk, purpose="application", card=" nmjl2026000001 ")
    assert check.level == "exemplary"
    assert set(check.entitlements) == ALL_SIX
    assert check.card_counted is True
    assert check.incentive_card == "NMJL2026000001"
    assert "视同完成信用核查" in "".join(check.explanation)
    event = CreditRecordEvent.objects.get(subject=enterprise, type="credit_check")
    assert event.payload["card_counted"] is True
    assert event.payload["incentive_card"] == "NMJL2026000001"


def test_r3_dishonest_finding_overrides_a_valid_card(enterprise, store_record):
    _card(enterprise)
    store_record(enterprise, "major_tax_violation")
    check = run(enterprise, card="NMJL2026000001")
    assert check.level == "dishonest"
    assert check.card_counted is True  # the card was valid; the finding overrode it


def test_r3_card_benefit_ends_when_the_tax_grade_falls(enterprise, store_record):
    _card(enterprise)
    store_record(enterprise, "tax_credit_grade", grade="C")
    check = run(enterprise, card="NMJL2026000001")
    assert check.level == "ordinary"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"valid_until": dt.date(2020, 1, 1), "valid_from": dt.date(2019, 1, 1)}, "card_expired"),
        ({"valid_from": dt.date(2099, 1, 1), "valid_until": dt.date(2099, 12, 31)}, "card_not_yet_valid"),
    ],
)
def test_r1_card_outside_its_validity_is_refused(enterprise, overrides, code):
    _card(enterprise, **overrides)
    with pytest.raises(DomainError) as caught:
        run(enterprise, card="NMJL2026000001")
    assert caught.value.code == code
    assert caught.value.field == "incentive_card"
    assert not CreditCheck.objects.exists()  # a refused card records nothing


def test_r1_revoked_card_is_refused_with_its_reason(enterprise):
    card = _card(enterprise)
    incentive_card_revoke(actor=None, card=card, on=clock.today(), reason="纳税信用复评调整为 B 级")
    with pytest.raises(DomainError) as caught:
        run(enterprise, card=card.number)
    assert caught.value.code == "card_revoked"
    assert "纳税信用复评调整为 B 级" in str(caught.value.message)


def test_r1_someone_elses_card_is_refused(enterprise, make_enterprise):
    holder = make_enterprise("持卡企业")
    _card(holder)
    with pytest.raises(DomainError) as caught:
        run(enterprise, card="NMJL2026000001")
    assert caught.value.code == "card_holder_mismatch"


def test_r1_unknown_card_is_refused(enterprise):
    with pytest.raises(DomainError) as caught:
        run(enterprise, card="NMJL0000000000")
    assert caught.value.code == "card_not_found"


# -- what a check records (R8) --------------------------------------------------------------------------


def test_r8_check_records_who_when_why_sources_findings_outcome(enterprise, clerk, store_record):
    store_record(enterprise, "abnormal_operations")
    check = run(enterprise, clerk, purpose="application")
    check.refresh_from_db()
    assert (check.actor, check.actor_label, check.purpose) == (clerk, clerk.username, "application")
    assert abs((clock.now() - check.checked_at).total_seconds()) < 60
    assert {s["name"]: s["status"] for s in check.sources}["local_store"] == "ok"
    assert check.findings[0]["document_number"]
    entry = AuditEntry.objects.get(action="credit.check.run", object_id=str(check.pk))
    assert entry.actor == clerk
    assert entry.after["level"] == "ordinary"
    event = CreditRecordEvent.objects.get(subject=enterprise, type="credit_check")
    assert event.source_id == str(check.pk)
    assert event.payload["level"] == "ordinary"
    assert event.payload["sources"][0] == {"name": "local_store", "status": "ok"}
    assert "一般" in event.summary


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_r8_check_summary_names_the_level_and_the_granted_entitlements_in_the_site_language(
    enterprise, make_enterprise, store_record, language
):
    from django.utils import translation

    from xinyipi.credit.categories import Entitlement

    dishonest = make_enterprise()
    store_record(dishonest, "dishonest_judgment_debtor")
    with translation.override(language):  # the request's language does not change the recorded line
        good, bad = run(enterprise), run(dishonest)
    with translation.override("zh-hans"):
        granted = "、".join(str(Entitlement(name).label) for name in good.entitlements)
        assert len(good.entitlements) == len(ALL_SIX)
        assert good.record_summary == f"信用核查（窗口查询）：信用良好；便利措施：{granted}"
        assert granted in "".join(good.explanation)
        assert bad.record_summary == "信用核查（窗口查询）：失信；便利措施：无"


def test_r8_bad_purpose_is_refused_and_nothing_recorded(enterprise):
    with pytest.raises(DomainError) as caught:
        run(enterprise, purpose="curiosity")
    assert (caught.value.code, caught.value.field) == ("invalid_purpose", "purpose")
    assert not CreditCheck.objects.exists()
    assert not CreditRecordEvent.objects.exists()


def test_check_allows_names_glossary_entitlements_only(enterprise):
    check = run(enterprise)
    assert check.allows("green_channel")
    with pytest.raises(ValueError):
        check.allows("fast_lane")


# -- reuse ---------------------------------------------------------------------------------------------


def test_r1_recent_complete_check_is_reusable_with_the_same_card_only(enterprise):
    _card(enterprise)
    plain = run(enterprise)
    with_card = run(enterprise, card="NMJL2026000001")
    assert credit_check_reusable(subject=enterprise, max_age_seconds=300) == plain
    assert credit_check_reusable(subject=enterprise, max_age_seconds=300, incentive_card="nmjl2026000001") == with_card
    assert credit_check_reusable(subject=enterprise, max_age_seconds=300, incentive_card="NMJL2026999999") is None


def test_r1_old_check_is_not_reusable(enterprise):
    with clock.acting_at(clock.now() - dt.timedelta(minutes=10)):
        run(enterprise)
    assert credit_check_reusable(subject=enterprise, max_age_seconds=300) is None


def test_r9_listing_after_a_check_makes_it_stale(enterprise):
    run(enterprise)
    entry = _blacklist(enterprise, BlacklistEntry.Status.LISTED)
    entry.listed_at = clock.now()
    entry.save(update_fields=["listed_at"])
    assert credit_check_reusable(subject=enterprise, max_age_seconds=300) is None


def test_r3_policy_version_follows_the_check_date(enterprise, store_record):
    store_record(enterprise, "administrative_penalty", severity="serious", decided_on=dt.date(2026, 1, 5))
    with clock.acting_at(dt.datetime(2026, 3, 31, 12, tzinfo=clock.BEIJING)):
        before = run(enterprise)
    with clock.acting_at(dt.datetime(2026, 4, 1, 9, tzinfo=clock.BEIJING)):
        after = run(enterprise)
    assert (before.policy_version, before.entitlements) == ("2024.1", ["commitment"])
    assert (after.policy_version, after.entitlements) == ("2026.1", [])
