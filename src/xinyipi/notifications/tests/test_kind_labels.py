"""A message's kind reads in Chinese wherever it is shown (the applicant's messages, the console's outbox):
every kind the code sends has its label, and an unknown kind reads 通知, never its code."""

import ast
from pathlib import Path

import pytest

from xinyipi.bookings.services import _MESSAGE_KINDS
from xinyipi.notifications.models import KIND_LABELS, kind_label

SRC = Path(__file__).resolve().parents[2]
SENDERS = {"notify", "notify_subject", "tell_applicant", "_tell", "_tell_account"}


def sent_kinds() -> set[str]:
    """The literal ``kind`` of every call that sends a message, across the source (tests aside)."""
    kinds = set(_MESSAGE_KINDS.values())
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in SENDERS:
                kinds |= {k.value.value for k in node.keywords if k.arg == "kind" and isinstance(k.value, ast.Constant)}
    return kinds


def test_the_scan_finds_the_kinds_the_code_sends():
    assert {"decision", "correction", "return", "booking_confirmed", "listing_decision"} <= sent_kinds()


@pytest.mark.parametrize("kind", sorted(sent_kinds()))
def test_every_kind_the_code_sends_has_a_chinese_label(kind):
    assert kind in KIND_LABELS
    assert not any("a" <= ch.lower() <= "z" for ch in kind_label(kind))


def test_an_unknown_kind_reads_as_a_notice_not_its_code():
    assert kind_label("something_new") == "通知"
