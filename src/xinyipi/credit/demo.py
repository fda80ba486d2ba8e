"""Demo credit data: subjects that show every credit level, their public credit records and incentive cards.

Idempotent: subjects are ensured by code, records upserted by (source, record id) through the importer,
cards saved by number. The cards and the national-source records served by ``run_registry`` come from
the same fixture file (``registry/fixtures.yaml``), so ``make demo`` with the registry server running
tells one consistent story.
"""

import csv
import datetime as dt
import tempfile
from pathlib import Path

from xinyipi.core import clock
from xinyipi.credit.importing import credit_records_import
from xinyipi.credit.models import IncentiveCard
from xinyipi.credit.registry.server import FIXTURES, load_fixtures
from xinyipi.credit.services import incentive_card_revoke, incentive_card_save
from xinyipi.subjects.services import subjects_ensure
from xinyipi.subjects.validators import validate_subject_code

ACTOR = "load_demo"

# (kind, code, name, what the clerk should see). Codes are valid and fictitious (uscc_for / ric_for).
DEMO_SUBJECTS = [
    (
        "enterprise",
        "91150783MA7XYP0015",
        "扎兰屯市金穗农业科技有限公司",
        "A 级纳税人，持有效激励卡 NMJL2026000101 → 守信激励",
    ),
    ("enterprise", "91150783MA7XYP0028", "扎兰屯市雅鲁河餐饮管理有限公司", "无不良记录 → 信用良好"),
    ("enterprise", "91150783MA7XYP003B", "扎兰屯市北疆物流有限公司", "列入经营异常名录 → 一般（仅告知承诺）"),
    ("enterprise", "91150783MA7XYP004E", "扎兰屯市鸿运建材有限公司", "失信被执行人 → 失信（重点审查）"),
    ("enterprise", "91150783MA7XYP005H", "扎兰屯市森海木业有限公司", "严重行政处罚公示中 → 一般，不适用告知承诺"),
    ("enterprise", "91150783MA7XYP006L", "扎兰屯市草原明珠旅游有限公司", "激励卡 NMJL2026000106 已撤销 → 出示时被拒"),
    ("enterprise", "91150783MA7XYP007P", "扎兰屯市兴安山货商贸有限公司", "激励卡 NMJL2025000107 已过期 → 出示时被拒"),
    (
        "enterprise",
        "91150783MA7XYP008T",
        "扎兰屯市吊桥百货有限公司",
        "仅信用中国有重大税收违法记录 → 启用登记库服务时失信",
    ),
    (
        "enterprise",
        "91150783MA7XYP009X",
        "扎兰屯市秀水山庄酒店有限公司",
        "仅公示系统有经营异常记录 → 启用登记库服务时一般",
    ),
    ("enterprise", "91150783MA7XYP0103", "扎兰屯市柴河林产品加工厂", "纳税信用 C 级 → 一般"),
    ("person", "15078319850312002X", "王雅琴", "个人，无不良记录 → 信用良好"),
    ("person", "150783197908230011", "李振国", "个人，仅信用中国有失信被执行人记录 → 启用登记库服务时失信"),
]

# The local store's imported lists, by source: (code, category, record id, document, authority, decided
# days ago, publicity days ahead or None, severity, grade, summary).
DEMO_LISTS = {
    "gsxt": [
        ("91150783MA7XYP003B", "abnormal_operations", "GSXT-YC-2026-0311", "扎市监企异字〔2026〕第 311 号",
         "扎兰屯市市场监督管理局", 120, None, "", "", "未按规定期限公示 2025 年度报告"),
        ("91150783MA7XYP005H", "administrative_penalty", "GSXT-CF-2026-0142", "扎市监处罚〔2026〕142 号",
         "扎兰屯市市场监督管理局", 90, 640, "serious", "", "销售不合格木材制品，货值金额较大"),
    ],
    "court": [
        ("91150783MA7XYP004E", "dishonest_judgment_debtor", "ZXGK-2026-0783-0058", "（2026）内 0783 执 58 号",
         "扎兰屯市人民法院", 90, None, "", "", "有履行能力而拒不履行生效法律文书确定义务"),
    ],
    "tax": [
        ("91150783MA7XYP0015", "tax_credit_grade", "NSXY-2025-0015", "", "国家税务总局扎兰屯市税务局", 220, None, "",
         "A", "2025 年度纳税信用评价"),
        ("91150783MA7XYP0028", "tax_credit_grade", "NSXY-2025-0028", "", "国家税务总局扎兰屯市税务局", 220, None, "",
         "B", "2025 年度纳税信用评价"),
        ("91150783MA7XYP006L", "tax_credit_grade", "NSXY-2025-006L", "", "国家税务总局扎兰屯市税务局", 40, None, "",
         "B", "2025 年度纳税信用复评"),
        ("91150783MA7XYP007P", "tax_credit_grade", "NSXY-2025-007P", "", "国家税务总局扎兰屯市税务局", 220, None, "",
         "B", "2025 年度纳税信用评价"),
        ("91150783MA7XYP0103", "tax_credit_grade", "NSXY-2025-0103", "", "国家税务总局扎兰屯市税务局", 220, None, "",
         "C", "2025 年度纳税信用评价"),
    ],
}  # fmt: skip

_HEADER = ["code", "category", "record_id", "document_number", "authority", "decided_on", "publicity_until",
           "severity", "grade", "summary"]  # fmt: skip


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def load_demo_credit() -> dict:
    """Create the demo subjects, import their credit records and register the demo cards (idempotent).

    Returns ``{"subjects": [{code, name, kind, note}], "cards": [...], "records": n}`` for the printout.
    """
    rows = [(kind, validate_subject_code(kind, code), name) for kind, code, name, _note in DEMO_SUBJECTS]
    subjects_ensure(rows=rows, actor_label=ACTOR)

    today = clock.today()
    imported = 0
    with tempfile.TemporaryDirectory(prefix="xinyipi-demo-credit-") as folder:
        for source, records in DEMO_LISTS.items():
            path = Path(folder) / f"{source}.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(_HEADER)
                for code, category, record_id, document, authority, ago, ahead, severity, grade, summary in records:
                    decided = today - dt.timedelta(days=ago)
                    until = today + dt.timedelta(days=ahead) if ahead else None
                    writer.writerow([code, category, record_id, document, authority, decided.isoformat(),
                                     until.isoformat() if until else "", severity, grade, summary])  # fmt: skip
            result = credit_records_import(path=path, source=source, actor_label=ACTOR, progress=False)
            if not result.ok:
                raise RuntimeError(f"demo credit list {source} is invalid: {[str(e) for e in result.errors]}")
            imported += result.rows

    cards = []
    for card in load_fixtures(FIXTURES, today)["cards"].values():
        saved = incentive_card_save(
            actor=None,
            actor_label=ACTOR,
            number=card["number"],
            holder_code=card["holder_code"],
            holder_name=card["holder_name"],
            grade_year=card["grade_year"],
            valid_from=_date(card["valid_from"]),
            valid_until=_date(card["valid_until"]),
        )
        revoked_on = _date(card.get("revoked_on"))
        if revoked_on and saved.revoked_on != revoked_on:
            incentive_card_revoke(
                actor=None, actor_label=ACTOR, card=saved, on=revoked_on, reason=card.get("revoked_reason") or ""
            )
        cards.append({"number": saved.number, "holder": saved.holder_name})
    return {
        "subjects": [
            {"kind": kind, "code": code, "name": name, "note": note} for kind, code, name, note in DEMO_SUBJECTS
        ],
        "cards": cards,
        "records": imported,
        "card_count": IncentiveCard.objects.count(),
    }
