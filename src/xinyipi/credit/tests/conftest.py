"""Fixtures of the credit tests: subjects, store records, cards, and a real registry server on a free port."""

import datetime as dt
import textwrap

import pytest

from xinyipi.core import clock
from xinyipi.core.testing import ric_for, uscc_for
from xinyipi.credit.models import CreditRecord
from xinyipi.credit.registry.server import registry_in_thread, source_urls
from xinyipi.credit.sources.http import http_state_reset
from xinyipi.subjects.services import subject_register

NO_SOURCES = {"enterprise_publicity": {"url": ""}, "credit_china": {"url": ""}, "incentive_card": {"url": ""}}
FAST_HTTP = {
    "token": "",
    "timeout": 0.5,
    "retries": 0,
    "backoff": 0.01,
    "breaker_failures": 2,
    "breaker_seconds": 60.0,
    "cache_seconds": 0.0,
}


@pytest.fixture(autouse=True)
def _credit_settings(settings):
    """Every test starts with no external source configured and fresh breakers and caches."""
    settings.CREDIT_SOURCES = {k: dict(v) for k, v in NO_SOURCES.items()}
    settings.CREDIT_HTTP = dict(FAST_HTTP)
    http_state_reset()
    yield
    http_state_reset()


_serial = iter(range(100, 10_000))


@pytest.fixture
def make_enterprise(db):
    def make(name: str | None = None):
        n = next(_serial)
        return subject_register(
            actor=None, kind="enterprise", code=uscc_for("91150783", f"MA0T{n:05d}"), name=name or f"测试企业{n}"
        )

    return make


@pytest.fixture
def enterprise(make_enterprise):
    return make_enterprise("扎兰屯市测试商贸有限公司")


@pytest.fixture
def person(db):
    return subject_register(actor=None, kind="person", code=ric_for("15078319880808003"), name="赵测试")


@pytest.fixture
def store_record(db):
    """``store_record(subject, category, **fields)`` — a record of the local credit store."""
    counter = iter(range(1, 100_000))

    def make(subject, category: str, **fields):
        today = clock.today()
        values = {
            "code_hash": subject.code_hash,
            "code_key": CreditRecord.key_of(subject.code_hash),
            "subject_name": subject.name,
            "category": category,
            "source": "test",
            "record_id": f"R{next(counter)}",
            "document_number": f"测试文书〔2026〕{next(counter)}号",
            "authority": "扎兰屯市测试局",
            "decided_on": today - dt.timedelta(days=30),
            "status": CreditRecord.Status.ACTIVE,
            "imported_at": clock.now(),
        }
        values.update(fields)
        return CreditRecord.objects.create(**values)

    return make


def write_fixtures(path, enterprise_code: str, person_code: str | None = None) -> None:
    """A registry fixture file: one abnormal-operations record (national system) and one dishonest judgment
    debtor record (Credit China) for ``enterprise_code``, and three cards of it."""
    path.write_text(
        textwrap.dedent(
            f"""
            enterprise_publicity:
              "{enterprise_code}":
                - {{category: abnormal_operations, record_id: EP-1, document_number: 扎市监异〔2026〕1号,
                    decided_on: today-10, status: active}}
                - {{category: administrative_penalty, record_id: EP-2, severity: general, decided_on: today-500,
                    publicity_until: today-100, status: active}}
            credit_china:
              "{enterprise_code}":
                - {{category: dishonest_judgment_debtor, record_id: CC-1, document_number: （2026）内0783执9号,
                    decided_on: today-20, status: active}}
            cards:
              - {{number: NMJL2099000001, holder_code: "{enterprise_code}", holder_name: 测试持卡企业, grade_year: 2025,
                  valid_from: today-10, valid_until: today+100}}
            """
        ),
        encoding="utf-8",
    )


@pytest.fixture
def registry(tmp_path):
    """A real registry server (``credit.registry.server``) on a free port, serving an empty fixture file;
    tests that need records write their own with ``write_fixtures`` and start ``registry_in_thread``."""
    fixtures = tmp_path / "fixtures.yaml"
    fixtures.write_text("{}\n", encoding="utf-8")
    with registry_in_thread(fixtures=fixtures, slow_seconds=1.5) as server:
        yield server


def configure(settings, base_url: str, **modes) -> None:
    """Point the HTTP sources at a registry server; ``modes`` such as ``credit_china="slow"`` force one."""
    for name in ("enterprise_publicity", "credit_china", "incentive_card"):
        urls = source_urls(base_url, modes.get(name))
        settings.CREDIT_SOURCES[name] = {"url": urls[name]}
