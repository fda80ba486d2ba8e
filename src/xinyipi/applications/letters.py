"""Letters and documents from the bureau's templates: the context they are rendered with, the engine,
the current template of a kind for a matter, and the check that an edited template still says what the
rules require (R4 for the commitment letter, R6 for the pledge and the tolerance notice).

Templates use Django template syntax over plain dictionaries (never model instances), rendered as plain
text; pages escape the text when they show it.
"""

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

from xinyipi.applications.models import LetterKind, LetterTemplate
from xinyipi.catalog.models import Material, Matter
from xinyipi.core import clock
from xinyipi.core.caches import CATALOG, GenerationCache
from xinyipi.core.crypto import sm3_hex
from xinyipi.core.errors import DomainError
from xinyipi.core.text import choice_label, clause, in_default_language, join_list
from xinyipi.subjects.models import Subject
from xinyipi.supervision.policy import listing_policy_on

DEFAULTS_DIR = Path(__file__).resolve().parent / "templates" / "applications" / "letters"

# Methods of verification named by 国办发〔2020〕42号 (legal-basis.md §1).
VERIFICATION_METHODS = "书面核查、网络核验、实地核查、公示核查"

_ENGINE = Engine(autoescape=False, loaders=[], app_dirs=False, debug=False)


def default_body(kind: str) -> str:
    return (DEFAULTS_DIR / f"{kind}.txt").read_text(encoding="utf-8")


@lru_cache(maxsize=256)
def _compiled(body: str):
    return _ENGINE.from_string(body)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text) + "\n"


@in_default_language
def render_body(body: str, context: dict) -> str:
    return _tidy(_compiled(body).render(Context(context, autoescape=False)))


def render(template: LetterTemplate, context: dict) -> tuple[str, str]:
    """``(text, sm3)`` of ``template`` rendered with ``context``."""
    text = render_body(template.body, context)
    return text, sm3_hex(text)


# ---------------------------------------------------------------------------------------------------
# The current template of a kind


def _default_row(kind: str) -> LetterTemplate:
    row = LetterTemplate.objects.filter(kind=kind, matter__isnull=True).order_by("-version").first()
    if row is not None:
        return row
    # First use after an empty database (or a flushed test database): the shipped text becomes version 1.
    try:
        with transaction.atomic():
            return LetterTemplate.objects.create(
                kind=kind,
                matter=None,
                version=1,
                body=default_body(kind),
                note=_("系统默认文本"),
                created_at=clock.now(),
                created_by_label="system",
            )
    except IntegrityError:
        return LetterTemplate.objects.filter(kind=kind, matter__isnull=True).order_by("-version").first()


_BODIES: dict[tuple, str] = {}  # a version's text never changes: kept once read (by id and creation time)
_CURRENT = GenerationCache(CATALOG)


def letter_template_current(kind: str, matter: Matter | None = None) -> LetterTemplate:
    """The matter's own newest template of ``kind`` when it has an active one, else the newest default.

    Kept per process until the catalog or a template changes (``core.caches``); the instance is shared, so
    callers only read it.
    """
    if kind not in LetterKind.values:
        raise ValueError(f"unknown letter kind {kind!r}")
    return _CURRENT.get((kind, matter.pk if matter is not None else None), lambda: _template_current(kind, matter))


def _template_current(kind: str, matter: Matter | None) -> LetterTemplate:
    """One query for the candidates' versions (not their texts); a version's text is read once per process."""
    scope = Q(matter__isnull=True) if matter is None else Q(matter=matter) | Q(matter__isnull=True)
    rows = list(
        LetterTemplate.objects.filter(scope, kind=kind)
        .order_by("-version")
        .values_list("id", "matter_id", "version", "active", "created_at")
    )
    own = next((r for r in rows if r[1] is not None), None)
    chosen = own if own is not None and own[3] else next((r for r in rows if r[1] is None), None)
    if chosen is None:
        return _default_row(kind)
    pk, matter_id, version, active, created_at = chosen
    body = _BODIES.get((pk, created_at))
    if body is None:
        body = _BODIES[(pk, created_at)] = LetterTemplate.objects.filter(pk=pk).values_list("body", flat=True).get()
    return LetterTemplate(id=pk, kind=kind, matter_id=matter_id, version=version, active=active, body=body)


def letter_templates_ensure_defaults(**kwargs) -> None:
    """After ``migrate`` (and a test database flush): a default template of every kind exists."""
    for kind in LetterKind.values:
        _default_row(kind)


# ---------------------------------------------------------------------------------------------------
# Which decision documents a matter's cases get


# The documents that record an approval: revoking the approval revokes them (the public check page).
APPROVAL_KINDS = frozenset({LetterKind.APPROVAL_DECISION, LetterKind.COMPLETION_NOTICE, LetterKind.HANDLING_DECISION})


def decision_kinds(matter: Matter) -> tuple[str, str]:
    """``(approval, refusal)`` document kinds for the matter's task type (事项类型): an administrative licence
    gets 准予/不予行政许可决定书, a public service 办结通知书/不予办理通知书, any other administrative power
    准予/不予办理决定书 — never a licensing decision for what is not a licence."""
    if matter.task_type == Matter.TaskType.LICENSING:
        return LetterKind.APPROVAL_DECISION, LetterKind.REFUSAL_DECISION
    if matter.task_type == Matter.TaskType.PUBLIC_SERVICE:
        return LetterKind.COMPLETION_NOTICE, LetterKind.SERVICE_REFUSAL_NOTICE
    return LetterKind.HANDLING_DECISION, LetterKind.HANDLING_REFUSAL


# ---------------------------------------------------------------------------------------------------
# Context


def date_label(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def moment_label(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    local = clock.to_beijing(moment)
    return f"{date_label(local.date())} {local:%H:%M}"


@in_default_language
def material_form(material: Material) -> str:
    """How a material is brought (补正形式): paper or electronic, originals and copies."""
    parts = [str(material.get_material_format_display())]
    if material.original_num:
        parts.append(_("原件 %(n)d 份") % {"n": material.original_num})
    if material.copy_num:
        parts.append(_("复印件 %(n)d 份") % {"n": material.copy_num})
    if material.material_type == Material.MaterialType.COPY and not material.copy_num:
        parts.append(_("复印件"))
    return "，".join(parts)


@in_default_language
def matter_context(matter: Matter) -> dict:
    return {
        "code": matter.code,
        "name": matter.name,
        "department": matter.department.name,
        "legal_basis": clause(matter.legal_basis),
        "accept_condition": clause(matter.accept_condition),
        "commitment_kind": matter.commitment_kind,
        "commitment_kind_label": choice_label(Matter.CommitmentKind, matter.commitment_kind),
        "supplement_days": matter.supplement_days,
        "verification_days": matter.verification_days,
        "promised_days": matter.promised_days,
        "result_name": matter.result_name,
        "review_dept": matter.review_dept,
        "litigation_dept": matter.litigation_dept,
        "consult_phone": matter.consult_phone or matter.department.phone,
    }


@in_default_language
def subject_context(subject) -> dict:
    return {
        "name": subject.name,
        "code": subject.code_display,
        "kind_label": choice_label(Subject.Kind, subject.kind),
        "legal_representative": "" if subject.is_person else subject.legal_representative,
    }


@in_default_language
def certificate_context(material: Material, matter: Matter) -> dict:
    return {
        "code": material.code,
        "name": material.name,
        # What the certificate proves (证明内容): the window's acceptance standard says what it must show.
        "proves": clause(material.accept_stand) or _("“%(name)s”所证明的事项") % {"name": material.name},
        "legal_basis": clause(material.legal_basis or matter.legal_basis),
        "issuer": material.issuer,
    }


def missing_context(material: Material) -> dict:
    return {"code": material.code, "name": material.name, "form": material_form(material)}


@in_default_language
def verification_context(matter: Matter, due: dt.date | None = None) -> dict:
    return {
        "methods": VERIFICATION_METHODS,
        "mode": matter.verification_mode,
        "mode_label": _("实行全覆盖核查")
        if matter.verification_mode == Matter.VerificationMode.FULL
        else _("实行抽查核查"),
        "days": matter.verification_days,
        "due": date_label(due),
    }


def listing_context(on: dt.date) -> dict:
    return {"list_name": listing_policy_on(on).list_name}


@in_default_language
def signer_context(*, subject, agent_name: str = "", agent_authorisation: str = "", signed_at=None) -> dict:
    return {
        "name": subject.name,
        "agent_name": agent_name,
        "agent_authorisation": agent_authorisation,
        "signed_at": moment_label(signed_at) if signed_at else _("（签署时生成）"),
    }


# ---------------------------------------------------------------------------------------------------
# What an edited template must still say


_MARK = "⟦{}⟧"


def _sample(kind: str, commitment_kind: str) -> tuple[dict, list[str]]:
    m = {k: _MARK.format(k) for k in ("code", "name", "department", "legal_basis", "accept_condition")}
    m |= {
        "commitment_kind": commitment_kind,
        "commitment_kind_label": _MARK.format("kind"),
        "supplement_days": 9101,
        "verification_days": 9102,
        "promised_days": 9103,
        "result_name": _MARK.format("result"),
        "review_dept": _MARK.format("review"),
        "litigation_dept": _MARK.format("litigation"),
        "consult_phone": _MARK.format("phone"),
    }
    certificate = {
        "code": "C1",
        "name": _MARK.format("cert"),
        "proves": _MARK.format("proves"),
        "legal_basis": _MARK.format("cert_basis"),
        "issuer": _MARK.format("issuer"),
    }
    missing = {"code": "A1", "name": _MARK.format("missing"), "form": _MARK.format("form")}
    context = {
        "case": {
            "number": _MARK.format("number"),
            "filed_on": _MARK.format("filed_on"),
            "channel_label": _MARK.format("channel"),
            "mode": "commitment",
            "mode_label": _MARK.format("mode"),
            "supplement_due": _MARK.format("supplement_due"),
            "decided_on": _MARK.format("decided_on"),
        },
        "matter": m,
        "subject": {
            "name": _MARK.format("subject"),
            "code": _MARK.format("subject_code"),
            "kind_label": _MARK.format("subject_kind"),
            "legal_representative": _MARK.format("representative"),
        },
        "certificates": [certificate],
        "missing": [missing],
        "signer": {
            "name": _MARK.format("subject"),
            "agent_name": _MARK.format("agent"),
            "agent_authorisation": _MARK.format("authorisation"),
            "signed_at": _MARK.format("signed_at"),
        },
        "deadline": {"date": _MARK.format("deadline"), "provisional": False},
        "grace_days": 9104,
        "verification": {
            "methods": _MARK.format("methods"),
            "mode": "full",
            "mode_label": _MARK.format("verification_mode"),
            "days": 9102,
            "due": _MARK.format("verification_due"),
        },
        "listing": {"list_name": _MARK.format("list")},
        "decision": {"reason": _MARK.format("reason")},
        "document": {"number": _MARK.format("document"), "issued_on": _MARK.format("issued_on")},
        "correction": {
            "items": [{"code": "A1", "name": _MARK.format("item"), "reason": _MARK.format("item_reason"), "form": ""}],
            "note": _MARK.format("note"),
            "due": _MARK.format("correction_due"),
            "due_provisional": False,
            "days": 9105,
            "late": False,
            "notice_due": _MARK.format("notice_due"),
            "lapse_label": _MARK.format("lapse"),
        },
    }
    required = {
        # R4: the matter and its basis; each certificate, the duty to prove and what it proves; the power
        # and method of verification; the applicant (and agent); the time of signing.
        LetterKind.COMMITMENT_LETTER: [
            "name",
            "legal_basis",
            "cert",
            "proves",
            "methods",
            "9102",
            "subject",
            "agent",
            "signed_at",
            "number",
        ],
        # R6: every missing material, the form of supplement, the deadline and the consequence.
        LetterKind.SUPPLEMENT_PLEDGE: ["name", "missing", "form", "deadline", "9104", "list", "subject", "signed_at"],
        LetterKind.TOLERANCE_NOTICE: ["name", "missing", "form", "deadline", "9104", "list", "number"],
        LetterKind.REMINDER_NOTICE: ["missing", "deadline", "list", "number"],
        LetterKind.APPROVAL_DECISION: ["name", "subject", "number", "document"],
        LetterKind.REFUSAL_DECISION: ["name", "subject", "reason", "number", "document"],
        LetterKind.COMPLETION_NOTICE: ["name", "code", "subject", "number", "document"],
        LetterKind.SERVICE_REFUSAL_NOTICE: ["name", "code", "subject", "reason", "number", "document"],
        LetterKind.HANDLING_DECISION: ["name", "code", "subject", "number", "document"],
        LetterKind.HANDLING_REFUSAL: ["name", "code", "subject", "reason", "number", "document"],
        LetterKind.TERMINATION_NOTICE: ["subject", "reason", "number", "document"],
        LetterKind.REVOCATION_DECISION: ["subject", "reason", "number", "document"],
        # R7: what is not met, the date to rectify by, and what follows if it is not.
        LetterKind.RECTIFICATION_ORDER: ["name", "subject", "reason", "deadline", "number", "document"],
        # 行政许可法 Art. 32(4): every item and what is wrong with it, the date to answer by, what follows.
        LetterKind.CORRECTION_NOTICE: [
            "name",
            "code",
            "subject",
            "item",
            "item_reason",
            "note",
            "correction_due",
            "lapse",
            "number",
            "document",
        ],
    }[kind]
    return context, [r if r.isdigit() else _MARK.format(r) for r in required]


# The commitment and the liability are sentences of the template, not values: their key words must stay.
_KEYWORDS = {
    LetterKind.COMMITMENT_LETTER: ["承诺", "核查", "配合", "法律责任", "撤销", "信用记录"],
    LetterKind.SUPPLEMENT_PLEDGE: ["承诺", "催告", "终止", "信用记录"],
    LetterKind.TOLERANCE_NOTICE: ["催告", "终止"],
    LetterKind.REFUSAL_DECISION: ["行政复议", "行政诉讼"],
    LetterKind.HANDLING_REFUSAL: ["行政复议", "行政诉讼"],
    LetterKind.COMPLETION_NOTICE: ["办结"],
    LetterKind.SERVICE_REFUSAL_NOTICE: ["不予办理", "12345"],
    LetterKind.REVOCATION_DECISION: ["行政复议", "行政诉讼"],
    LetterKind.RECTIFICATION_ORDER: ["整改", "撤销", "行政复议", "行政诉讼"],
    LetterKind.CORRECTION_NOTICE: ["一次性告知", "补正"],
}


def letter_template_check(kind: str, body: str) -> None:
    """Refuse a template that does not compile, fails to render, or leaves out what its kind must state."""
    if kind not in LetterKind.values:
        raise DomainError("invalid_kind", _("未知的文书类型。"), "kind")
    if not (body or "").strip():
        raise DomainError("body_required", _("请填写文书文本。"), "body")
    try:
        _compiled(body)
    except TemplateSyntaxError as exc:
        raise DomainError("invalid_template", _("模板语法错误：%(e)s") % {"e": exc}, "body") from exc
    variants = ["certificate_commitment", "licence_commitment"] if kind == LetterKind.COMMITMENT_LETTER else ["none"]
    for commitment_kind in variants:
        context, required = _sample(kind, commitment_kind)
        try:
            text = render_body(body, context)
        except Exception as exc:  # any failure of a bureau-written template is a fault of that text
            raise DomainError("invalid_template", _("模板无法生成文书：%(e)s") % {"e": exc}, "body") from exc
        missing = [r for r in required if r not in text]
        missing_words = [w for w in _KEYWORDS.get(kind, []) if w not in text]
        if missing or missing_words:
            raise DomainError(
                "template_incomplete",
                _("文书模板缺少必须载明的内容：%(items)s。") % {"items": join_list(missing + missing_words)},
                "body",
                missing=missing + missing_words,
            )
