"""Every audit action the code base writes has plain words: the source is walked for the codes passed as
``action=`` / ``audit_action=``, or given as an entry's ``"action"`` (``audit_records``) — literals, conditionals
and f-strings — so a new code without a label fails."""

import ast
import pathlib

import xinyipi
from xinyipi.applications.models import Status
from xinyipi.audit.labels import ACTION_LABELS, STATUS_ACTION_PREFIX, action_choices, action_label, object_label
from xinyipi.supervision.services import objections, repairs

SOURCE = pathlib.Path(xinyipi.__file__).parent


def _sources():
    for path in sorted(SOURCE.rglob("*.py")):
        if not {"tests", "migrations"} & set(path.parts):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _key(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) else None


def _written_actions() -> tuple[set[str], set[str], set[str]]:
    """The literal codes, the f-string prefixes, and the booking steps (``step=`` literals of the bookings'
    services, which name ``bookings.service_booking.<step>``)."""
    codes, prefixes, steps = set(), set(), set()
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                found = [v for k, v in zip(node.keys, node.values, strict=True) if _key(k) == "action"]
            elif isinstance(node, ast.keyword):
                if node.arg == "step" and path.parent.name == "bookings" and isinstance(node.value, ast.Constant):
                    steps.add(node.value.value)
                found = [node.value] if node.arg in ("action", "audit_action") else []
            else:
                continue
            pending = found
            while pending:
                value = pending.pop()
                if isinstance(value, ast.IfExp):
                    pending += [value.body, value.orelse]
                elif isinstance(value, ast.BoolOp):
                    pending += value.values
                elif isinstance(value, ast.Constant) and isinstance(value.value, str) and "." in value.value:
                    codes.add(value.value)  # access actions ("view", "decide") have no dot; audit codes do
                elif isinstance(value, ast.JoinedStr) and isinstance(value.values[0], ast.Constant):
                    prefixes.add(value.values[0].value)
    return codes, prefixes, steps


def test_the_walk_finds_the_codes_it_should():
    codes, prefixes, _steps = _written_actions()
    assert {"credit.check.view", "supervision.blacklist.list"} <= codes  # keywords
    assert {"applications.application.file", "credit.check.run"} <= codes  # entries of audit_records
    assert STATUS_ACTION_PREFIX in prefixes


def test_every_literal_audit_action_has_a_label():
    codes, _prefixes, _steps = _written_actions()
    missing = sorted(code for code in codes if code not in ACTION_LABELS)
    assert missing == []


def test_every_computed_audit_action_has_a_label():
    _codes, prefixes, steps = _written_actions()
    suffixes = {
        STATUS_ACTION_PREFIX: set(Status.values),
        "supervision.objection.": set(objections.OUTCOMES),
        "supervision.repair.": set(repairs.OUTCOMES),
        "bookings.service_booking.": steps,
    }
    assert prefixes <= set(suffixes), (
        f"an audit code built in a way this test does not know: {prefixes - set(suffixes)}"
    )
    unlabelled = [
        prefix + suffix
        for prefix in prefixes
        for suffix in suffixes[prefix]
        if action_label(prefix + suffix) == prefix + suffix
    ]
    assert unlabelled == []


def test_labels_are_plain_words_and_unknown_codes_show_as_they_are():
    assert action_label("credit.check.view") == "查看信用核查结果"
    assert action_label("applications.application.approved") == f"办件转为“{Status.APPROVED.label}”"
    assert action_label("legacy.thing") == "legacy.thing"
    assert object_label("applications.application") == "办件"
    assert object_label("gone.model") == "gone.model"
    labels = [label for _code, label in action_choices()]
    assert len(labels) == len(set(labels)), "two actions share one label: the filter could not tell them apart"
