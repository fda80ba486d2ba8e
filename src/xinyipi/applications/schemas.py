from typing import Literal

from ninja import Schema
from pydantic import Field

from xinyipi.applications.models import Application, ApplicationMaterial, Mode, Status

ModeName = Literal["standard", "instant", "commitment", "tolerance", "key_review"]


class CommitmentIn(Schema):
    certificates: list[str] = Field(
        default_factory=list, description="codes of the certificates the commitment replaces"
    )
    accepted: bool = Field(..., description="true: the applicant accepts the commitment letter")
    agent_name: str | None = Field(None, max_length=100, description="the agent signing for the applicant, if any")
    agent_authorisation: str | None = Field(None, max_length=2000, description="the agent's written authorisation")


class SupplementPledgeIn(Schema):
    accepted: bool = Field(..., description="true: the applicant signs the supplement pledge")
    agent_name: str | None = Field(None, max_length=100)
    agent_authorisation: str | None = Field(None, max_length=2000)


class ApplicationIn(Schema):
    matter_code: str = Field(..., max_length=50, description="the matter's 实施编码")
    subject_code: str = Field(..., max_length=40, description="the subject's USCC or ID number")
    mode: ModeName
    materials: list[str] = Field(default_factory=list, description="codes of the materials brought")
    commitment: CommitmentIn | None = None
    supplement_pledge: SupplementPledgeIn | None = None
    incentive_card: str | None = Field(None, max_length=40, description="number of a presented 纳税信用联合激励卡")


class SupplementIn(Schema):
    materials: list[str] = Field(..., min_length=1, description="codes of the missing materials now supplied")


class DecisionIn(Schema):
    outcome: Literal["approve", "reject"]
    reason: str = Field("", max_length=2000)


class VerificationIn(Schema):
    outcome: Literal["fulfilled", "nonconforming", "breached"]
    evidence: str = Field(..., max_length=5000)


class WithdrawalIn(Schema):
    reason: str = Field("", max_length=2000)


class CorrectionItemIn(Schema):
    material_code: str = Field(..., max_length=50, description="a material of the matter")
    reason: str = Field(..., max_length=1000, description="what is wrong with it, or what to bring")


class CorrectionRequestIn(Schema):
    items: list[CorrectionItemIn] = Field(default_factory=list, max_length=50)
    note: str = Field("", max_length=2000, description="anything else to correct")


class CorrectionIn(Schema):
    materials: list[str] = Field(default_factory=list, description="codes of the items corrected (all listed)")
    note: str = Field("", max_length=2000)


class ReturnIn(Schema):
    reason: str = Field(..., max_length=2000, description="why the case goes back to the window")


class ReturnResolutionIn(Schema):
    outcome: Literal["resubmit", "not_accept"]
    reason: str = Field(..., max_length=2000)


class CorrectionItemOut(Schema):
    material_code: str
    name: str
    reason: str


class CorrectionOut(Schema):
    stage: str = Field(..., json_schema_extra={"enum": ["acceptance", "review"]})
    items: list[CorrectionItemOut]
    note: str
    requested_at: str
    document_number: str | None = Field(None, description="补正材料通知书 文号")
    notice_due: str = Field(..., description="last day of the on-time notice (行政许可法 Art. 32: 5 working days)")
    late: bool = Field(..., description="issued after notice_due: the application counts as accepted from filing")
    due: str = Field(..., description="answer by this date (YYYY-MM-DD)")
    outcome: str = Field(..., json_schema_extra={"enum": ["pending", "answered", "lapsed", "withdrawn"]})
    answered_at: str | None = None
    paused_days: int = Field(..., description="days the decision clock stood still")
    accepted_on: str | None = Field(None, description="the day the application counts as accepted")


class ApplicationMaterialOut(Schema):
    code: str
    name: str
    state: str = Field(..., json_schema_extra={"enum": ApplicationMaterial.State.values})
    licence: str | None = Field(None, description="the identifier of the electronic licence that stands in (免提交)")


class TransitionOut(Schema):
    from_: str | None = Field(None, alias="from", description="empty for the filing")
    to: str
    at: str
    actor: str
    reason: str


class LicenceRefOut(Schema):
    identifier: str = Field(..., description="电子证照标识 (national form, ISO 7064 MOD 37,36 check character)")
    url: str = Field(..., description="the public check page of the licence (its QR code opens it)")


class ApplicationOut(Schema):
    id: int
    number: str = Field(..., description="办件编号")
    status: str = Field(..., json_schema_extra={"enum": Status.values})
    mode: str = Field(..., json_schema_extra={"enum": Mode.values})
    requested_mode: str
    matter_code: str
    matter_name: str
    subject_code: str = Field(..., description="the enterprise's USCC; a person's ID number masked")
    subject_name: str
    department_code: str
    channel: str
    green_channel: bool
    credit_check_id: int
    credit_level: str
    missing_materials: list[str]
    materials: list[ApplicationMaterialOut]
    decision_due: str | None = None
    supplement_due: str | None = None
    grace_due: str | None = None
    verification_due: str | None = None
    rectification_due: str | None = None
    correction_due: str | None = None
    decision_paused_days: int = 0
    decided_at: str | None = None
    created_at: str
    licence: LicenceRefOut | None = Field(None, description="the electronic licence an approval issued")


class ApplicationDetailOut(ApplicationOut):
    history: list[TransitionOut]
    correction: CorrectionOut | None = None


class ApplicationPageOut(Schema):
    items: list[ApplicationOut]
    next: str | None


def _date(value) -> str | None:
    return value.isoformat() if value else None


def application_out(application: Application, history=None) -> dict:
    from xinyipi.core import clock

    materials = list(application.materials.all())
    body = {
        "id": application.pk,
        "number": application.number,
        "status": application.status,
        "mode": application.mode,
        "requested_mode": application.requested_mode,
        "matter_code": application.matter.code,
        "matter_name": application.matter.name,
        "subject_code": application.subject.code_display,
        "subject_name": application.subject.name,
        "department_code": application.department.code,
        "channel": application.channel,
        "green_channel": application.green_channel,
        "credit_check_id": application.credit_check_id,
        "credit_level": application.credit_level,
        "missing_materials": [m.code for m in materials if m.state == ApplicationMaterial.State.MISSING],
        "materials": [
            {"code": m.code, "name": m.name, "state": m.state, "licence": m.licence_identifier or None}
            for m in materials
        ],
        "decision_due": _date(application.decision_due),
        "supplement_due": _date(application.supplement_due),
        "grace_due": _date(application.grace_due),
        "verification_due": _date(application.verification_due),
        "rectification_due": _date(application.rectification_due),
        "correction_due": _date(application.correction_due),
        "decision_paused_days": application.decision_paused_days,
        "decided_at": clock.to_beijing(application.decided_at).isoformat() if application.decided_at else None,
        "created_at": clock.to_beijing(application.created_at).isoformat(),
        "licence": licence_ref(application),
    }
    if history is not None:
        body["history"] = [
            {
                "from": t.from_status or None,
                "to": t.to_status,
                "at": clock.to_beijing(t.at).isoformat(),
                "actor": t.actor_label,
                "reason": t.reason,
            }
            for t in history
        ]
        body["correction"] = correction_out(application)
    return body


def licence_ref(application: Application) -> dict | None:
    """``{identifier, url}`` of the case's licence: read only for a matter that issues one, once decided
    (the licence just issued is already cached on the case)."""
    from xinyipi.licences.selectors import licence_of, licence_url

    if application.decided_at is None or not application.matter.issues_licence:
        return None
    licence = licence_of(application)
    return {"identifier": licence.identifier, "url": licence_url(licence)} if licence else None


def correction_out(application: Application) -> dict | None:
    from xinyipi.applications.models import CaseDocument, CorrectionRequest, LetterKind
    from xinyipi.core import clock

    correction = CorrectionRequest.objects.filter(application=application).first()
    if correction is None:
        return None
    document = (
        CaseDocument.objects.filter(application=application, kind=LetterKind.CORRECTION_NOTICE)
        .values_list("number", flat=True)
        .first()
    )
    return {
        "stage": correction.stage,
        "items": [{"material_code": i["code"], "name": i["name"], "reason": i["reason"]} for i in correction.items],
        "note": correction.note,
        "requested_at": clock.to_beijing(correction.requested_at).isoformat(),
        "document_number": document,
        "notice_due": correction.notice_due.isoformat(),
        "late": correction.late,
        "due": correction.due.isoformat(),
        "outcome": correction.outcome or "pending",
        "answered_at": clock.to_beijing(correction.answered_at).isoformat() if correction.answered_at else None,
        "paused_days": correction.paused_days,
        "accepted_on": _date(correction.accepted_on),
    }
