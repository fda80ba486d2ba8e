"""R2 against the real registry server (started on a free port): answers, failures, time-outs, the circuit
breaker, retries, the cache, the card registry over HTTP, and manual entry standing in for a site."""

import datetime as dt
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinyipi.core.errors import DomainError
from xinyipi.credit.registry.server import registry_in_thread
from xinyipi.credit.services import credit_check_run, manual_entry_record
from xinyipi.credit.sources.base import SourceQuery
from xinyipi.credit.sources.registry import registry as sources
from xinyipi.credit.tests.conftest import configure, write_fixtures

pytestmark = pytest.mark.django_db

ALL_SIX = {"green_channel", "instant_approval", "commitment", "tolerance", "onsite_service", "assisted_service"}
LABELS = {"enterprise_publicity": "国家企业信用信息公示系统", "credit_china": "信用中国"}


@pytest.fixture
def served(tmp_path, enterprise):
    """A registry server whose fixtures hold records and a card of ``enterprise``."""
    path = tmp_path / "fixtures.yaml"
    write_fixtures(path, enterprise.code_plain())
    with registry_in_thread(fixtures=path, slow_seconds=1.5) as server:
        yield server


def statuses(check) -> dict:
    return {s["name"]: s["status"] for s in check.sources}


def run(subject, card=None):
    return credit_check_run(subject=subject, purpose="window_enquiry", actor=None, incentive_card=card)


def test_r2_unconfigured_sources_take_no_part(enterprise):
    check = run(enterprise)
    assert set(statuses(check)) == {"local_store", "city_blacklist", "incentive_card"}
    assert check.complete


def test_r2_configured_national_sources_are_asked(settings, served, enterprise):
    configure(settings, served.base_url)
    check = run(enterprise)
    assert statuses(check) == {
        "local_store": "ok",
        "city_blacklist": "ok",
        "enterprise_publicity": "ok",
        "credit_china": "ok",
        "incentive_card": "not_applicable",
    }
    assert check.complete
    assert {(f["source"], f["category"]) for f in check.findings} == {
        ("enterprise_publicity", "abnormal_operations"),
        ("credit_china", "dishonest_judgment_debtor"),
    }  # the penalty whose publicity ended 100 days ago is not counted
    assert check.level == "dishonest"


def test_r2_enterprise_publicity_does_not_apply_to_persons(settings, served, person):
    configure(settings, served.base_url)
    check = run(person)
    assert statuses(check)["enterprise_publicity"] == "not_applicable"
    assert statuses(check)["credit_china"] == "ok"
    assert check.complete


@pytest.mark.parametrize("source", ["enterprise_publicity", "credit_china"])
def test_r2_failing_source_makes_the_check_incomplete(settings, registry, enterprise, source):
    configure(settings, registry.base_url, **{source: "fail"})
    check = run(enterprise)
    assert statuses(check)[source] == "error"
    assert check.complete is False
    assert check.level == "good"  # what the other sources said...
    assert check.entitlements == []  # ...but nothing that depends on the missing source
    text = "".join(check.explanation)
    assert f"{LABELS[source]}未能查询（查询失败）" in text
    assert "本次核查不完整" in text


@pytest.mark.parametrize("source", ["enterprise_publicity", "credit_china"])
def test_r2_source_timing_out_makes_the_check_incomplete(settings, registry, enterprise, source):
    settings.CREDIT_HTTP["timeout"] = 0.3
    configure(settings, registry.base_url, **{source: "slow"})
    started = time.perf_counter()
    check = run(enterprise)
    assert time.perf_counter() - started < 1.4  # the hall does not wait for the slow source
    assert statuses(check)[source] == "timeout"
    assert check.complete is False
    assert check.entitlements == []
    assert "查询超时" in "".join(check.explanation)


def test_r2_slow_national_sources_are_asked_at_the_same_time(settings, registry, enterprise):
    settings.CREDIT_HTTP["timeout"] = 2.5
    configure(settings, registry.base_url, enterprise_publicity="slow", credit_china="slow")
    started = time.perf_counter()
    check = run(enterprise)
    elapsed = time.perf_counter() - started
    assert statuses(check)["enterprise_publicity"] == statuses(check)["credit_china"] == "ok"
    assert check.complete
    assert elapsed < 2.7  # each waits 1.5 s on the server: one after the other would take 3 s


@pytest.mark.parametrize("source", ["enterprise_publicity", "credit_china"])
def test_r2_circuit_opens_after_repeated_failures_and_spares_the_source(settings, registry, enterprise, source):
    configure(settings, registry.base_url, **{source: "fail"})
    assert statuses(run(enterprise))[source] == "error"
    assert statuses(run(enterprise))[source] == "error"  # second consecutive failure opens the circuit
    asked = len(registry.state.requests)
    check = run(enterprise)
    assert statuses(check)[source] == "circuit_open"
    assert check.complete is False and check.entitlements == []
    assert len(registry.state.requests) == asked + 1  # only the other source was asked
    assert "暂停查询（熔断）" in "".join(check.explanation)


def test_r2_open_circuit_tries_again_after_its_pause(settings, registry, enterprise):
    settings.CREDIT_HTTP["breaker_seconds"] = 0.2
    configure(settings, registry.base_url)
    registry.state.mode = "fail"
    run(enterprise)
    run(enterprise)
    assert statuses(run(enterprise))["credit_china"] == "circuit_open"
    registry.state.mode = "normal"
    time.sleep(0.25)
    check = run(enterprise)
    assert statuses(check)["credit_china"] == "ok"
    assert check.complete


def test_r2_retries_with_backoff_before_giving_up(settings, registry, enterprise):
    settings.CREDIT_HTTP["retries"] = 2
    configure(settings, registry.base_url, credit_china="fail")
    run(enterprise)
    credit_china_calls = [r for r in registry.state.requests if r["path"] == "/credit-china/records"]
    assert len(credit_china_calls) == 3


def test_r2_short_lived_cache_spares_repeated_queries(settings, served, enterprise):
    settings.CREDIT_HTTP["cache_seconds"] = 60
    configure(settings, served.base_url)
    run(enterprise)
    asked = len(served.state.requests)
    check = run(enterprise)
    assert len(served.state.requests) == asked
    cached = {s["name"]: s.get("cached", False) for s in check.sources}
    assert cached["enterprise_publicity"] and cached["credit_china"]
    assert check.level == "dishonest"


def test_r1_card_verified_against_the_http_registry(settings, served, make_enterprise, enterprise):
    configure(settings, served.base_url)
    settings.CREDIT_SOURCES["enterprise_publicity"] = {"url": ""}
    settings.CREDIT_SOURCES["credit_china"] = {"url": ""}
    check = run(enterprise, card="NMJL2099000001")
    assert check.card_counted and check.level == "exemplary"
    with pytest.raises(DomainError) as caught:
        run(make_enterprise(), card="NMJL2099000001")
    assert caught.value.code == "card_holder_mismatch"
    with pytest.raises(DomainError) as caught:
        run(enterprise, card="NMJL2099999999")
    assert caught.value.code == "card_not_found"


def test_r2_card_registry_failing_leaves_the_card_unverified(settings, registry, enterprise):
    configure(settings, registry.base_url, incentive_card="fail")
    settings.CREDIT_SOURCES["enterprise_publicity"] = {"url": ""}
    settings.CREDIT_SOURCES["credit_china"] = {"url": ""}
    check = run(enterprise, card="NMJL2099000001")
    assert statuses(check)["incentive_card"] == "error"
    assert check.card_counted is False
    assert check.level == "good"
    assert set(check.entitlements) == ALL_SIX  # a card can only add; its absence takes nothing away
    assert check.complete is False


def _evidence(name="report.pdf", content=b"%PDF-1.4\n% credit report\n"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_r2_manual_entry_stands_in_for_a_failing_site(settings, registry, enterprise, clerk):
    configure(settings, registry.base_url, credit_china="fail")
    manual_entry_record(subject=enterprise, site="credit_china", findings=[], evidence=_evidence(), actor=clerk)
    check = run(enterprise)
    assert statuses(check)["credit_china"] == "error"
    assert statuses(check)["manual_entry"] == "ok"
    assert check.complete is True
    assert set(check.entitlements) == ALL_SIX
    assert "采用窗口人工查询结果代替" in "".join(check.explanation)


def test_r2_manual_entry_findings_count(enterprise, clerk):
    entry = manual_entry_record(
        subject=enterprise,
        site="enterprise_publicity",
        findings=[
            {"category": "abnormal_operations", "document_number": "扎市监异〔2026〕88号", "decided_on": "2026-01-02"}
        ],
        evidence=_evidence("screen.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64),
        actor=clerk,
    )
    assert len(entry.evidence_sm3) == 64
    check = run(enterprise)
    assert check.level == "ordinary"
    assert check.findings[0]["source"] == "manual_entry"
    assert check.findings[0]["evidence_sm3"] == entry.evidence_sm3


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"evidence": None}, "evidence_required"),
        ({"evidence": SimpleUploadedFile("x.txt", b"hello")}, "evidence_type"),
        ({"site": "baidu"}, "invalid_site"),
        ({"findings": [{"category": "serious_dishonesty"}]}, "invalid_category"),
        ({"findings": [{"category": "abnormal_operations", "decided_on": "2026-13-40"}]}, "invalid_date"),
    ],
)
def test_r2_manual_entry_refuses_bad_input(enterprise, clerk, kwargs, code):
    values = {
        "subject": enterprise,
        "site": "enterprise_publicity",
        "findings": [],
        "evidence": _evidence(),
        "actor": clerk,
    }
    values.update(kwargs)
    with pytest.raises(DomainError) as caught:
        manual_entry_record(**values)
    assert caught.value.code == code
    assert not enterprise.credit_manual_entries.exists()


def _manual_finding(subject, clerk, number: str):
    """A fresh manual entry of ``subject`` with one finding, document number ``number``."""
    finding = {"category": "abnormal_operations", "document_number": number, "decided_on": "2026-01-02"}
    return manual_entry_record(
        subject=subject,
        site="enterprise_publicity",
        findings=[finding],
        evidence=_evidence("screen.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64),
        actor=clerk,
    )


def test_r2_the_local_sources_probes_run_in_one_statement(enterprise, clerk):
    with CaptureQueriesContext(connection) as captured:
        check = run(enterprise)
    probes = [
        q["sql"] for q in captured if "supervision_blacklistentry" in q["sql"] or "credit_manualentry" in q["sql"]
    ]
    assert len(probes) == 1 and "credit_manualentry" in probes[0] and "supervision_blacklistentry" in probes[0]
    assert "manual_entry" not in statuses(check)  # nothing fresh: manual entry takes no part

    _manual_finding(enterprise, clerk, "扎市监异〔2026〕89号")
    assert [f["source"] for f in run(enterprise).findings] == ["manual_entry"]


def test_r2_a_probing_source_asked_alone_probes_for_itself(enterprise, clerk):
    _manual_finding(enterprise, clerk, "扎市监异〔2026〕90号")
    query = SourceQuery(subject=enterprise, code=enterprise.code_plain(), code_hash=enterprise.code_hash,
                        kind=enterprise.kind, on=dt.date.today())  # fmt: skip
    answer = sources["manual_entry"].query(query)
    assert [f["document_number"] for f in answer.findings] == ["扎市监异〔2026〕90号"]
    assert sources["city_blacklist"].query(query).findings == []
