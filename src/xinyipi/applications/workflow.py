"""The case lifecycle of DESIGN.md §5 as one table of allowed moves, and the one way to make a move.

```
draft → submitted → accepted ─┬─(standard / key_review / certificate commitment)→ under_review → approved | rejected
                              │        under_review ⇄ correcting (补正: one notice; answered → back to review;
                              │                                   no answer by its date → withdrawn or terminated)
                              │        under_review ⇄ returned (退回窗口) → terminated (不予受理)
                              ├─(instant)→ approved                                   (no human step)
                              ├─(licence commitment)→ approved                        (on the spot)
                              └─(tolerance)→ awaiting_supplement ─(all supplied)→ approved
                                               │   └─(deadline)→ reminded ─(supplied)→ approved
                                               │                  └─(grace over)→ terminated
                                               └─(review finds conditions unmet)→ rejected
approved, when the case rests on a commitment → verifying → verified | revoked
                                               └─(nonconforming)→ rectifying → verified | revoked
any open state → withdrawn (by the applicant)
```

``transition_apply`` is a compare-and-set: ``UPDATE … SET status = to WHERE id = … AND status = expected``
and a check of the row count. Of two clerks acting on one case at once exactly one updates the row; the
other gets ``InvalidTransition``. This holds on SQLite and PostgreSQL alike (``select_for_update`` would
do nothing on SQLite). The caller runs it inside its transaction, which also holds the move's audit
entry, credit-record events and outbox rows, and the move's change to the statistics (``stats.rollup``).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from xinyipi.applications.models import Application, Status, Transition
from xinyipi.audit.services import audit_record
from xinyipi.core import clock
from xinyipi.core.errors import InvalidTransition
from xinyipi.stats.rollup import rollup_move, transition_facts

S = Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.UNDER_REVIEW, S.APPROVED, S.AWAITING_SUPPLEMENT, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN, S.CORRECTING, S.RETURNED}),
    # 行政许可法 Art. 32(4): the applicant answers the one correction notice (→ review again), withdraws, or lets
    # the answer period lapse (→ the policy's outcome: withdrawn or terminated, ``policy/workflow.yaml``).
    S.CORRECTING: frozenset({S.UNDER_REVIEW, S.WITHDRAWN, S.TERMINATED}),
    # Returned to the window before a decision: the clerk sends it back to review, or closes it as not
    # accepted (Art. 32(2): outside this department's powers; the applicant is told where to apply).
    S.RETURNED: frozenset({S.UNDER_REVIEW, S.TERMINATED, S.WITHDRAWN}),
    S.AWAITING_SUPPLEMENT: frozenset({S.APPROVED, S.REMINDED, S.REJECTED, S.WITHDRAWN}),
    S.REMINDED: frozenset({S.APPROVED, S.TERMINATED, S.REJECTED, S.WITHDRAWN}),
    # Only a case resting on a commitment goes on from approved (see ``check_transition``).
    S.APPROVED: frozenset({S.VERIFYING}),
    S.VERIFYING: frozenset({S.VERIFIED, S.REVOKED, S.RECTIFYING}),
    # R7: conditions not (yet) met, nothing false — rectify by a date; a re-check verifies or revokes.
    S.RECTIFYING: frozenset({S.VERIFIED, S.REVOKED}),
    S.REJECTED: frozenset(),
    S.TERMINATED: frozenset(),
    S.VERIFIED: frozenset(),
    S.REVOKED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

# States in which the case is still being handled (the applicant may withdraw).
OPEN_STATUSES = frozenset(s for s, targets in TRANSITIONS.items() if S.WITHDRAWN in targets)
# States that wait for the applicant's missing materials (R6).
SUPPLEMENT_STATUSES = frozenset({S.AWAITING_SUPPLEMENT, S.REMINDED})
# States a commitment case may be verified from (DESIGN.md "Contract details").
VERIFIABLE_STATUSES = frozenset({S.APPROVED, S.VERIFYING, S.RECTIFYING})
# States whose verification is still owed by its ``verification_due`` (a rectifying case has its own date).
VERIFICATION_OWED_STATUSES = frozenset({S.APPROVED, S.VERIFYING})
# States that wait for the applicant's answer to a correction notice (the decision clock stands still).
CORRECTION_STATUSES = frozenset({S.CORRECTING})
# States the window works on: supplements, answers to a correction notice brought to the hall, returned cases.
WINDOW_STATUSES = SUPPLEMENT_STATUSES | {S.CORRECTING, S.RETURNED}
# States whose next step is the department's decision (the reviewer's queue).
REVIEW_STATUSES = frozenset({S.UNDER_REVIEW, S.AWAITING_SUPPLEMENT, S.REMINDED})
FINAL_STATUSES = frozenset(s for s, targets in TRANSITIONS.items() if not targets)


def _label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def check_transition(from_status: str, to_status: str, *, mode: str | None = None) -> None:
    """Refuse a move the table does not allow: 409 ``invalid_transition`` naming both states."""
    allowed = to_status in TRANSITIONS.get(from_status, frozenset())
    if allowed and from_status == S.APPROVED and mode is not None and mode != Application.Mode.COMMITMENT:
        allowed = False
    if not allowed:
        raise InvalidTransition(
            "invalid_transition",
            _("办件当前状态为“%(from)s”，不能变更为“%(to)s”。")
            % {"from": _label(from_status), "to": _label(to_status)},
            from_status=from_status,
            to_status=to_status,
        )


def due_date_for(status: str, values: dict) -> object:
    """The deadline that orders the queues in ``status`` (None when the state waits on nobody)."""
    if status == S.UNDER_REVIEW:
        return values.get("decision_due")
    if status == S.AWAITING_SUPPLEMENT:
        return values.get("supplement_due")
    if status == S.REMINDED:
        return values.get("grace_due")
    if status == S.RECTIFYING:
        return values.get("rectification_due")
    if status == S.CORRECTING:
        return values.get("correction_due")
    if status == S.RETURNED:
        return values.get("decision_due")
    return None


def transition_apply(
    application: Application,
    *,
    to: str,
    actor,
    reason: str = "",
    changes: dict | None = None,
    audit_action: str | None = None,
) -> Transition:
    """Move ``application`` to ``to`` if it is still in the state it was read in; write its history row and
    audit entry. ``changes`` are further fields set in the same UPDATE. Must run inside the caller's
    transaction (which adds the credit-record events and outbox rows)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition_apply must run inside the transaction of the move")
    expected = application.status
    check_transition(expected, to, mode=application.mode)
    now = clock.now()
    changes = dict(changes or {})
    dues = ("decision_due", "supplement_due", "grace_due", "rectification_due", "correction_due")
    merged = {f: getattr(application, f) for f in dues} | changes
    values = {"status": to, "updated_at": now, "due_date": due_date_for(to, merged), **changes}
    counted = transition_facts(application, to, changes)
    won = Application.objects.filter(pk=application.pk, status=expected).update(**values)
    if won != 1:
        current = Application.objects.filter(pk=application.pk).values_list("status", flat=True).first()
        raise InvalidTransition(
            "invalid_transition",
            _("办件已被他人处理，当前状态为“%(now)s”，不能变更为“%(to)s”。")
            % {"now": _label(current or ""), "to": _label(to)},
            from_status=current,
            to_status=to,
        )
    before = {"status": expected, **{k: getattr(application, k) for k in values if k not in {"status", "updated_at"}}}
    for field, value in values.items():
        setattr(application, field, value)
    row = Transition.objects.create(
        application=application,
        from_status=expected,
        to_status=to,
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_actor_label(actor),
        reason=(reason or "")[:2000],
    )
    audit_record(
        actor=actor,
        action=audit_action or f"applications.application.{to}",
        obj=application,
        before=before,
        after={k: v for k, v in values.items() if k != "updated_at"} | {"reason": reason or ""},
    )
    rollup_move(*counted)
    return row


def _actor_label(actor) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else "system"
