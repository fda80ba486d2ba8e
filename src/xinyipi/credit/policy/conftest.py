"""Collect the policy's YAML test cases (``cases/*.yaml``), OpenFisca style: one pytest item per case.

Each case gives findings, a date and, optionally, the status of sources that did not answer; it expects
a level, the entitlements (exactly, in any order), whether the check is complete and, optionally, words
the explanation must contain. The engine is run as the service runs it, with the real source registry.
"""

import datetime as dt

import pytest
import yaml

CASE_KEYS = {"name", "date", "findings", "sources", "expected", "reference"}
EXPECTED_KEYS = {"level", "entitlements", "complete", "explanation_contains", "rule"}


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".yaml" and file_path.parent.name == "cases":
        return PolicyCaseFile.from_parent(parent, path=file_path)
    return None


class PolicyCaseFile(pytest.File):
    def collect(self):
        cases = yaml.safe_load(self.path.read_text(encoding="utf-8")) or []
        names = set()
        for case in cases:
            name = case.get("name")
            if not name or name in names:
                raise ValueError(f"{self.path.name}: every case needs a unique name ({name!r})")
            names.add(name)
            yield PolicyCase.from_parent(self, name=name, case=case)


class PolicyCase(pytest.Item):
    def __init__(self, *, case, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self):
        from django.utils import translation

        from xinyipi.credit.policy.engine import SourceState, decide
        from xinyipi.credit.sources.registry import registry

        case = self.case
        unknown = set(case) - CASE_KEYS
        if unknown:
            raise PolicyCaseFailure(f"unknown keys {sorted(unknown)}")
        expected = case["expected"]
        if set(expected) - EXPECTED_KEYS:
            raise PolicyCaseFailure(f"unknown expected keys {sorted(set(expected) - EXPECTED_KEYS)}")
        on = case["date"] if isinstance(case["date"], dt.date) else dt.date.fromisoformat(case["date"])
        findings = [
            {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in f.items()}
            for f in case.get("findings") or []
        ]
        # Labels and explanation in zh-Hans whatever language an earlier test left active (as the service does).
        with translation.override("zh-hans"):
            states = []
            for name, status in (case.get("sources") or {}).items():
                source = registry[name]
                states.append(
                    SourceState(name=name, label=str(source.label), status=status, categories=tuple(source.categories))
                )
            decision = decide(findings=findings, on=on, sources=states)
        problems = []
        if decision.level != expected["level"]:
            problems.append(f"level: expected {expected['level']}, got {decision.level}")
        if sorted(decision.entitlements) != sorted(expected["entitlements"]):
            problems.append(
                f"entitlements: expected {sorted(expected['entitlements'])}, got {sorted(decision.entitlements)}"
            )
        if decision.complete != expected.get("complete", True):
            problems.append(f"complete: expected {expected.get('complete', True)}, got {decision.complete}")
        if "rule" in expected and decision.rule != expected["rule"]:
            problems.append(f"rule: expected {expected['rule']}, got {decision.rule}")
        text = "\n".join(decision.explanation)
        for words in expected.get("explanation_contains") or []:
            if words not in text:
                problems.append(f"explanation lacks {words!r}")
        if problems:
            raise PolicyCaseFailure("; ".join(problems) + f"\n(policy {decision.policy.version})\n" + text)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, PolicyCaseFailure):
            return f"{self.path.name}::{self.name}: {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"policy case {self.name}"


class PolicyCaseFailure(Exception):
    pass
