"""Generate the credit benchmark's data: subjects and public credit records, as CSV files.

    .venv/bin/python benchmarks/credit_generate.py --subjects 1000000 --records 5000000 --out var/bench

Writes ``subjects.csv`` (kind, code, name) and ``credit_records.csv`` (the columns ``import_credit``
reads, with the subject's kind — lists carry 证件类型 — and a category column). Deterministic for a
given ``--seed``. Every code is valid (GB 32100 check character for enterprises, GB 11643 for persons)
and unique.

The mix: 80 % enterprises, 20 % persons. Enterprises carry yearly tax-credit grades (A 25 %, B 45 %,
M 15 %, C 10 %, D 5 %), administrative penalties (half of them, 1–8 each, 10 % serious, publicity 1–3
years), abnormal-operations listings (15 %, most of them lifted), and rare serious lists; persons carry
penalties and court listings. The file is ordered by list (category), subjects in random order within
each list, as lists are published — so a subject's records are far apart in the file.
"""

import argparse
import csv
import datetime as dt
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
RIC_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
RIC_CHECK = "10X98765432"
REGIONS = ["150783", "150702", "150703", "150781", "150782", "150784", "150785", "150721", "150722", "150723"]
TODAY = dt.date(2026, 11, 1)
MASK64 = (1 << 64) - 1


def enterprise_code(n: int) -> str:
    body = []
    value = n
    for _ in range(9):
        value, digit = divmod(value, 31)
        body.append(USCC_ALPHABET[digit])
    first17 = "91" + REGIONS[n % len(REGIONS)] + "".join(reversed(body))
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


def person_code(n: int) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=(n // 900) % 20000)
    first17 = f"{REGIONS[n % 3]}{birth:%Y%m%d}{100 + n % 900:03d}"
    total = sum(int(c) * w for c, w in zip(first17, RIC_WEIGHTS, strict=True))
    return first17 + RIC_CHECK[total % 11]


def mix(n: int, salt: int) -> int:
    """splitmix64: a cheap, well-spread hash, so each subject's records follow from its number alone."""
    z = (n * 0x9E3779B97F4A7C15 + salt) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def chance(n: int, salt: int) -> float:
    return mix(n, salt) / MASK64


def subject_of(n: int, persons_every: int = 5) -> tuple[str, str, str]:
    if n % persons_every == persons_every - 1:
        return "person", person_code(n), f"个人{n}"
    return "enterprise", enterprise_code(n), f"扎兰屯市测试{n}有限公司"


def _date(n: int, salt: int, start: dt.date, span_days: int) -> dt.date:
    return start + dt.timedelta(days=mix(n, salt) % span_days)


GRADES = "A" * 25 + "B" * 45 + "M" * 15 + "C" * 10 + "D" * 5


def records_for(category: str, n: int, kind: str):
    """The records of subject ``n`` in one list: tuples of the CSV columns after code/name/category."""
    person = kind == "person"
    if category == "tax_credit_grade":
        if person:
            return
        for year in (2023, 2024, 2025):
            if chance(n, 100 + year) < 0.9:
                grade = GRADES[mix(n, 200 + year) % 100]
                yield (
                    f"TAX-{year}-{n}",
                    "",
                    "国家税务总局扎兰屯市税务局",
                    f"{year + 1}-04-20",
                    "",
                    "",
                    "active",
                    "",
                    grade,
                    f"{year} 年度纳税信用评价",
                )
    elif category == "administrative_penalty":
        if chance(n, 300) >= 0.5:
            return
        for i in range(1 + mix(n, 301) % 8):
            decided = _date(n, 302 + i, dt.date(2019, 1, 1), (TODAY - dt.date(2019, 1, 1)).days)
            serious = chance(n, 320 + i) < 0.1
            until = decided + dt.timedelta(days=(365 * (1 + mix(n, 340 + i) % 3)) if serious else 365)
            yield (
                f"PEN-{n}-{i}",
                f"扎市监罚〔{decided.year}〕{n % 10000}-{i}号",
                "扎兰屯市市场监督管理局",
                decided.isoformat(),
                until.isoformat(),
                "",
                "active",
                "serious" if serious else "general",
                "",
                "违反市场监督管理法规",
            )
    elif category == "abnormal_operations":
        if person or chance(n, 400) >= 0.15:
            return
        decided = _date(n, 401, dt.date(2019, 1, 1), 2500)
        lifted = chance(n, 402) < 0.6
        yield (
            f"ABN-{n}",
            f"扎市监企异字〔{decided.year}〕第 {n % 100000} 号",
            "扎兰屯市市场监督管理局",
            decided.isoformat(),
            "",
            "",
            "ended" if lifted else "active",
            "",
            "",
            "未按规定期限公示年度报告",
        )
    elif category == "dishonest_judgment_debtor":
        share, count = (0.1, 2) if person else (0.03, 2)
        if chance(n, 500) >= share:
            return
        for i in range(1 + mix(n, 501) % count):
            decided = _date(n, 502 + i, dt.date(2020, 1, 1), 2000)
            yield (
                f"JD-{n}-{i}",
                f"（{decided.year}）内0783执{n % 10000}号",
                "扎兰屯市人民法院",
                decided.isoformat(),
                "",
                (decided + dt.timedelta(days=730)).isoformat(),
                "active",
                "",
                "",
                "拒不履行生效法律文书确定义务",
            )
    else:
        share = {"serious_violation": 0.01, "serious_dishonesty": 0.005, "major_tax_violation": 0.003}[category]
        if (person and category != "serious_dishonesty") or chance(n, 600 + len(category)) >= share:
            return
        decided = _date(n, 610, dt.date(2021, 1, 1), 1800)
        prefix = {"serious_violation": "SVL", "serious_dishonesty": "SDH", "major_tax_violation": "MTV"}[category]
        yield (
            f"{prefix}-{n}",
            f"认定〔{decided.year}〕{n % 1000}号",
            "有关认定机关",
            decided.isoformat(),
            (decided + dt.timedelta(days=1095)).isoformat(),
            "",
            "active",
            "",
            "",
            "",
        )


CATEGORIES = [
    "tax_credit_grade",
    "administrative_penalty",
    "abnormal_operations",
    "dishonest_judgment_debtor",
    "serious_violation",
    "serious_dishonesty",
    "major_tax_violation",
]
HEADER = [
    "code",
    "kind",
    "name",
    "category",
    "record_id",
    "document_number",
    "authority",
    "decided_on",
    "publicity_until",
    "ends_on",
    "status",
    "severity",
    "grade",
    "summary",
]


def generate(out: Path, subjects: int, records: int, seed: int = 2026) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with (out / "subjects.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "code", "name"])
        writer.writerows(subject_of(n) for n in range(subjects))
    order = list(range(subjects))
    random.Random(seed).shuffle(order)
    written = 0
    per_category: dict[str, int] = {}
    with (out / "credit_records.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        round_ = 0
        while written < records:
            for category in CATEGORIES:
                if round_ and category != "administrative_penalty":
                    continue  # later rounds (only if the first fell short) add penalties
                for n in order:
                    kind, code, name = subject_of(n)
                    for record in records_for(category, n + round_ * subjects, kind):
                        if written >= records:
                            break
                        record_id = record[0] if not round_ else f"{record[0]}-r{round_}"
                        writer.writerow((code, kind, name, category, record_id, *record[1:]))
                        written += 1
                        per_category[category] = per_category.get(category, 0) + 1
                    if written >= records:
                        break
            round_ += 1
    return {
        "subjects": subjects,
        "records": written,
        "by_category": per_category,
        "seconds": time.perf_counter() - started,
    }


def data_set(root: Path, subjects: int, records: int) -> tuple[Path, dict]:
    """The data set of this size under ``root`` (its own folder per size, so the quick and the full scale
    never overwrite each other's files), generated on first use: ``(folder, what generate() returned)``."""
    import json

    folder = root / f"data-{subjects}-{records}"
    marker = folder / "generated.json"
    if marker.exists():
        print(f"data: reusing {folder} ({subjects:,} subjects, {records:,} records)", flush=True)
        return folder, json.loads(marker.read_text())
    print(f"data: generating {subjects:,} subjects and {records:,} records in {folder} …", flush=True)
    generated = generate(folder, subjects, records)
    marker.write_text(json.dumps(generated))
    return folder, generated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    result = generate(args.out, args.subjects, args.records, args.seed)
    print(f"generated {result['subjects']:,} subjects and {result['records']:,} records in {result['seconds']:.1f} s")
    for category, count in sorted(result["by_category"].items(), key=lambda kv: -kv[1]):
        print(f"  {category:28} {count:>10,}")


if __name__ == "__main__":
    main()
