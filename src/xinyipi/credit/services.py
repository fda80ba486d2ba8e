"""Writes of the credit app: run a check (R1–R3, R8), log access to one (R8), record a manual entry,
keep the local card table. Each write is one transaction with its audit entry."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from xinyipi.audit.services import audit_record, snapshot
from xinyipi.core import clock
from xinyipi.core.crypto import blind_index, sm3_hex
from xinyipi.core.errors import DomainError, ValidationFailed
from xinyipi.core.rows import JoinedWrites, row_insert
from xinyipi.core.text import join_list
from xinyipi.credit.categories import FAILED_STATUSES, Category, Purpose, Severity, SourceStatus
from xinyipi.credit.findings import FINDING_FIELDS
from xinyipi.credit.models import CreditCheck, IncentiveCard, ManualEntry
from xinyipi.credit.policy.engine import SourceState, decide
from xinyipi.credit.sources.base import CardInfo, SourceQuery
from xinyipi.credit.sources.contrib.incentive_card.plugin import normalise_card_number
from xinyipi.credit.sources.registry import registry
from xinyipi.records.services import record_append
from xinyipi.subjects.models import Subject
from xinyipi.subjects.validators import guess_kind, mask_ric, validate_subject_code

CARD_SOURCE = "incentive_card"
MANUAL_SOURCE = "manual_entry"


def _card_verdict(card: CardInfo | None, *, number: str, subject: Subject, on: dt.date) -> None:
    """Refuse a presented card that does not count, with the reason (R3: re-checked at each use)."""
    field = "incentive_card"
    if card is None:
        raise DomainError("card_not_found", _("未找到纳税信用联合激励卡 %(number)s。") % {"number": number}, field)
    if card.holder_code_hash != subject.code_hash:
        raise DomainError(
            "card_holder_mismatch",
            _("激励卡 %(number)s 的持卡主体不是本申请主体，不能使用他人的激励卡。") % {"number": number},
            field,
        )
    if card.revoked_on is not None and card.revoked_on <= on:
        raise DomainError(
            "card_revoked",
            _("激励卡 %(number)s 已于 %(date)s 撤销%(reason)s。")
            % {
                "number": number,
                "date": card.revoked_on.isoformat(),
                "reason": _("：%(r)s") % {"r": card.revoked_reason} if card.revoked_reason else "",
            },
            field,
        )
    if on > card.valid_until:
        raise DomainError(
            "card_expired",
            _("激励卡 %(number)s 已于 %(date)s 到期。") % {"number": number, "date": card.valid_until.isoformat()},
            field,
        )
    if on < card.valid_from:
        raise DomainError(
            "card_not_yet_valid",
            _("激励卡 %(number)s 自 %(date)s 起生效。") % {"number": number, "date": card.valid_from.isoformat()},
            field,
        )


def _dedupe(findings: list[dict]) -> list[dict]:
    """One finding per record when two sources report the same one (by category and document or id)."""
    seen, kept = set(), []
    for finding in findings:
        key = (finding.get("category"), finding.get("document_number") or finding.get("record_id") or id(finding))
        if key in seen:
            continue
        seen.add(key)
        kept.append(finding)
    return kept


def _actor_label(actor) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else "system"


def credit_check_run(*, subject: Subject, purpose: str, actor, incentive_card: str | None = None) -> CreditCheck:
    """Check ``subject``'s credit: ask every configured source, apply the policy in force today, store the
    check with its audit entry and a ``credit_check`` credit-record event.

    The sources are asked before the transaction opens, so that a slow interface never holds the database's
    write lock; the check, its audit entry and its record event are then written in one transaction (and
    join the caller's transaction when there is one). A presented card that does not count is refused
    (``card_not_found``, ``card_holder_mismatch``, ``card_revoked``, ``card_expired``) and nothing is
    written; a card registry that cannot answer leaves the card unverified and the check incomplete.
    """
    check = credit_check_made(subject=subject, purpose=purpose, actor=actor, incentive_card=incentive_card)
    credit_check_save(check, actor=actor)
    return check


def credit_check_made(*, subject: Subject, purpose: str, actor, incentive_card: str | None = None) -> CreditCheck:
    """The check ``credit_check_run`` makes, not yet stored: for a caller that stores it (``credit_check_save``)
    in the transaction of what rests on it — a filing, which then commits once — or alone when that is refused.
    Asks the sources: call it outside any transaction."""
    if purpose not in Purpose.values:
        raise DomainError(
            "invalid_purpose",
            _("核查目的应为：%(values)s。") % {"values": join_list(Purpose.values)},
            "purpose",
        )
    card_number = normalise_card_number(incentive_card or "") or None
    now = clock.now()
    on = clock.to_beijing(now).date()
    query = SourceQuery(
        subject=subject,
        code=subject.code_plain(),
        code_hash=subject.code_hash,
        kind=subject.kind,
        on=on,
        at=now,
        incentive_card=card_number,
    )
    answers = registry.ask_all(query)

    findings: list[dict] = []
    card_counted = False
    for answer in answers:
        if answer.name == CARD_SOURCE and card_number and answer.status == SourceStatus.OK:
            _card_verdict(answer.card, number=card_number, subject=subject, on=on)
            findings.append(answer.card.as_finding(CARD_SOURCE))
            card_counted = True
        findings.extend(answer.findings)
    findings = _dedupe(findings)

    manual = next((a for a in answers if a.name == MANUAL_SOURCE), None)
    labels = {answer.name: str(registry[answer.name].label) for answer in answers}
    states = []
    for answer in answers:
        if answer.name == MANUAL_SOURCE:
            continue
        source = registry[answer.name]
        covered = ""
        if answer.status in FAILED_STATUSES and manual is not None and answer.name in manual.covers:
            covered = manual.detail
        states.append(
            SourceState(
                name=answer.name,
                label=labels[answer.name],
                status=answer.status,
                categories=tuple(source.categories),
                covered_by=covered,
            )
        )
    with translation.override(settings.LANGUAGE_CODE):
        decision = decide(findings=findings, on=on, sources=states)
        summary = _("信用核查（%(purpose)s）：%(level)s；便利措施：%(entitlements)s%(incomplete)s") % {
            "purpose": Purpose(purpose).label,
            "level": decision.policy.levels[decision.level].label,
            "entitlements": decision.entitlements_label or _("无"),
            "incomplete": "" if decision.complete else _("；核查不完整"),
        }

    sources_snapshot = [{**answer.as_snapshot(), "label": labels[answer.name]} for answer in answers]
    check = CreditCheck(
        subject=subject,
        purpose=purpose,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_actor_label(actor),
        checked_at=now,
        level=decision.level,
        entitlements=decision.entitlements,
        complete=decision.complete,
        findings=decision.findings,
        sources=sources_snapshot,
        explanation=decision.explanation,
        policy_version=decision.policy.version,
        incentive_card=card_number,
        card_counted=card_counted,
    )
    check.record_summary = summary  # the credit-record event's line, in the default language
    return check


def credit_check_save(check: CreditCheck, *, actor) -> None:
    """Store a check ``credit_check_made`` made, with its credit-record event and its audit entry, in one
    transaction (joining the caller's)."""
    with transaction.atomic(savepoint=False):
        credit_check_store(check, actor=actor)
        credit_check_audit(check, actor=actor)


def credit_check_store(check: CreditCheck, *, actor, joined: JoinedWrites | None = None) -> None:
    """The check's row and its ``credit_check`` credit-record event, in the caller's transaction. Its audit entry
    (``credit_check_audit``) follows in the same transaction: a filing writes it last, beside its own, since an
    audit entry holds the chain's head until commit (``audit_record``); the event goes with it when ``joined``."""
    row_insert(check)  # one of the rows every check writes (core/rows.py)
    record_append(
        subject=check.subject,
        type="credit_check",
        summary=check.record_summary,
        payload={
            "check_id": check.pk,
            **_check_facts(check),
            "card_counted": check.card_counted,
            "findings": [
                {k: f.get(k) for k in ("category", "document_number", "decided_on", "rule") if f.get(k)}
                for f in check.findings
            ],
        },
        source=check,
        actor=actor,
        at=check.checked_at,
        joined=joined,
    )


def credit_check_audit(check: CreditCheck, *, actor) -> None:
    """The stored check's audit entry (R8), in the caller's transaction."""
    audit_record(**credit_check_audit_entry(check, actor=actor))


def credit_check_audit_entry(check: CreditCheck, *, actor) -> dict:
    """What the stored check's audit entry says (``audit_record``'s arguments): a filing appends it together
    with its own."""
    return {
        "actor": actor,
        "action": "credit.check.run",
        "obj": check,
        "after": {"subject_id": check.subject_id, **_check_facts(check)},
    }


def _check_facts(check: CreditCheck) -> dict:
    """What both the check's credit-record event and its audit entry state of it."""
    return {
        "purpose": check.purpose,
        "level": check.level,
        "entitlements": check.entitlements,
        "complete": check.complete,
        "policy_version": check.policy_version,
        "incentive_card": check.incentive_card,
        "sources": [{"name": s["name"], "status": s["status"]} for s in check.sources],
    }


def credit_check_access_log(*, check: CreditCheck, actor, channel: str) -> None:
    """Record that ``actor`` read ``check`` (R8: every access to a credit record is itself recorded)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="credit.check.view",
            obj=check,
            after={"subject_id": check.subject_id, "channel": channel},
        )


def credit_check_list_access_log(*, actor, filters: dict) -> None:
    """Record that ``actor`` listed checks (the list shows levels, so it is an access too)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="credit.check.list",
            object_type=CreditCheck._meta.label_lower,
            after={k: v for k, v in filters.items() if v},
        )


# Manual entry -----------------------------------------------------------------------------------------

_EVIDENCE_TYPES = {b"%PDF-": "pdf", b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
_SITE_CATEGORIES = {
    ManualEntry.Site.ENTERPRISE_PUBLICITY: {
        Category.ABNORMAL_OPERATIONS,
        Category.SERIOUS_VIOLATION,
        Category.ADMINISTRATIVE_PENALTY,
    },
    ManualEntry.Site.CREDIT_CHINA: {
        Category.SERIOUS_DISHONESTY,
        Category.ADMINISTRATIVE_PENALTY,
        Category.DISHONEST_JUDGMENT_DEBTOR,
        Category.MAJOR_TAX_VIOLATION,
        Category.TAX_CREDIT_GRADE,
        Category.ABNORMAL_OPERATIONS,
        Category.SERIOUS_VIOLATION,
    },
}


def _date_field(raw, field: str, errors: list) -> str | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw.isoformat()
    try:
        return dt.date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError:
        errors.append(DomainError("invalid_date", _("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": raw}, field))
        return None


def manual_findings_clean(site: str, raw_findings: list[dict]) -> list[dict]:
    """Check what the clerk typed in; ``ValidationFailed`` lists every fault, naming its field."""
    errors: list[DomainError] = []
    cleaned = []
    allowed = _SITE_CATEGORIES.get(site, set())
    for index, raw in enumerate(raw_findings, start=1):
        prefix = f"findings.{index}."
        category = (raw.get("category") or "").strip()
        if category not in allowed:
            errors.append(
                DomainError("invalid_category", _("第 %(i)d 条记录的类别不正确。") % {"i": index}, prefix + "category")
            )
        finding = {key: "" for key in FINDING_FIELDS}
        finding["category"] = category
        for key in ("document_number", "authority", "summary"):
            finding[key] = (raw.get(key) or "").strip()[:300]
        for key in ("decided_on", "publicity_until", "ends_on"):
            finding[key] = _date_field(raw.get(key), prefix + key, errors)
        severity = (raw.get("severity") or "").strip()
        if category == Category.ADMINISTRATIVE_PENALTY and severity not in Severity.values:
            errors.append(
                DomainError("invalid_severity", _("行政处罚须注明严重程度（一般或严重）。"), prefix + "severity")
            )
        finding["severity"] = severity if category == Category.ADMINISTRATIVE_PENALTY else ""
        grade = (raw.get("grade") or "").strip().upper()
        if category == Category.TAX_CREDIT_GRADE and grade not in {"A", "B", "M", "C", "D"}:
            errors.append(DomainError("invalid_grade", _("纳税信用等级应为 A、B、M、C 或 D。"), prefix + "grade"))
        finding["grade"] = grade if category == Category.TAX_CREDIT_GRADE else ""
        finding["record_id"] = finding["document_number"]
        cleaned.append(finding)
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def manual_entry_record(
    *, subject: Subject, site: str, findings: list[dict], evidence, note: str = "", actor
) -> ManualEntry:
    """Keep what the clerk saw on ``site`` for ``subject``, with the evidence file and its SM3 hash.

    ``findings`` empty means the site showed no record. ``evidence`` is an uploaded PDF, PNG or JPEG.
    """
    if site not in ManualEntry.Site.values:
        raise DomainError("invalid_site", _("查询网站应为国家企业信用信息公示系统或信用中国。"), "site")
    if evidence is None:
        raise DomainError("evidence_required", _("请上传官方网站的信用报告 PDF 或截图作为证据。"), "evidence")
    if evidence.size > settings.CREDIT_EVIDENCE_MAX_BYTES:
        raise DomainError(
            "evidence_too_large",
            _("证据文件不能超过 %(mb)d MB。") % {"mb": settings.CREDIT_EVIDENCE_MAX_BYTES // (1024 * 1024)},
            "evidence",
        )
    content = evidence.read()
    if not any(content.startswith(magic) for magic in _EVIDENCE_TYPES):
        raise DomainError("evidence_type", _("证据文件应为 PDF、PNG 或 JPEG。"), "evidence")
    evidence.seek(0)
    cleaned = manual_findings_clean(site, findings)
    with transaction.atomic():
        entry = ManualEntry(
            subject=subject,
            site=site,
            findings=cleaned,
            note=(note or "").strip()[:2000],
            evidence_name=(getattr(evidence, "name", "") or "evidence")[-200:],
            evidence_size=len(content),
            evidence_sm3=sm3_hex(content),
            recorded_by=actor,
            recorded_at=clock.now(),
        )
        entry.evidence.save(entry.evidence_name, evidence, save=False)
        entry.save(force_insert=True)
        audit_record(
            actor=actor,
            action="credit.manual_entry.record",
            obj=entry,
            after=snapshot(entry, ["subject", "site", "findings", "evidence_sm3", "evidence_size", "recorded_at"]),
        )
    return entry


# Local card table -------------------------------------------------------------------------------------


def incentive_card_save(
    *,
    actor,
    number: str,
    holder_kind: str | None = None,
    holder_code: str,
    holder_name: str,
    grade_year: int,
    valid_from: dt.date,
    valid_until: dt.date,
    actor_label: str | None = None,
) -> IncentiveCard:
    """Add a card to the local registry, or update it by number (idempotent). Audited."""
    number = normalise_card_number(number)
    if not number:
        raise DomainError("card_number_required", _("请填写卡号。"), "number")
    kind = holder_kind or guess_kind(holder_code)
    code = validate_subject_code(kind, holder_code, field="holder_code")
    if valid_until < valid_from:
        raise DomainError("invalid_validity", _("有效期至不能早于有效期起。"), "valid_until")
    values = {
        "holder_code_hash": blind_index(code),
        "holder_code_display": mask_ric(code) if kind == "person" else code,
        "holder_name": (holder_name or "").strip()[:200],
        "grade_year": grade_year,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    with transaction.atomic():
        card = IncentiveCard.objects.filter(number=number).first()
        before = snapshot(card) if card else None
        if card is None:
            card = IncentiveCard.objects.create(number=number, created_at=clock.now(), **values)
        else:
            changed = [k for k, v in values.items() if getattr(card, k) != v]
            if not changed:
                return card
            for key in changed:
                setattr(card, key, values[key])
            card.save(update_fields=changed)
        audit_record(
            actor=actor,
            actor_label=actor_label,
            action="credit.card.save",
            obj=card,
            before=before,
            after=snapshot(card),
        )
    return card


def incentive_card_revoke(*, actor, card: IncentiveCard, on: dt.date, reason: str, actor_label=None) -> IncentiveCard:
    """Revoke a card from ``on`` (a downgrade or a new serious-dishonesty record ends its benefits)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("请填写撤销原因。"), "reason")
    with transaction.atomic():
        before = snapshot(card, ["revoked_on", "revoked_reason"])
        card.revoked_on = on
        card.revoked_reason = reason[:300]
        card.save(update_fields=["revoked_on", "revoked_reason"])
        audit_record(
            actor=actor,
            actor_label=actor_label,
            action="credit.card.revoke",
            obj=card,
            before=before,
            after=snapshot(card, ["revoked_on", "revoked_reason"]),
        )
    return card
