from ninja import Schema
from pydantic import Field

from xinyipi.credit.categories import Entitlement, Level, Purpose, SourceStatus


class CreditCheckIn(Schema):
    subject_code: str = Field(..., description="the subject's full 统一社会信用代码 or 居民身份证号码")
    purpose: str = Field(..., description="why the check is run", json_schema_extra={"enum": Purpose.values})
    incentive_card: str | None = Field(None, description="number of the 纳税信用联合激励卡 the applicant presents")


class SourceStatusOut(Schema):
    name: str = Field(
        ..., description="local_store, city_blacklist, enterprise_publicity, credit_china, incentive_card, manual_entry"
    )
    status: str = Field(..., json_schema_extra={"enum": SourceStatus.values})


class CreditCheckOut(Schema):
    id: int
    subject_code: str = Field(..., description="the enterprise's USCC; a person's ID number masked")
    level: str = Field(..., json_schema_extra={"enum": Level.values})
    entitlements: list[str] = Field(..., json_schema_extra={"items": {"type": "string", "enum": Entitlement.values}})
    findings: list[dict] = Field(
        ..., description="the credit records found, each with its category and the rule it met"
    )
    sources: list[SourceStatusOut]
    complete: bool = Field(..., description="false when a configured source did not answer (R2)")
    explanation: list[str] = Field(..., description="sentences a clerk can read out")
    checked_at: str = Field(..., description="ISO 8601 with offset (Beijing time)")


def credit_check_out(check) -> dict:
    from xinyipi.core import clock

    return {
        "id": check.pk,
        "subject_code": check.subject.code_display,
        "level": check.level,
        "entitlements": list(check.entitlements),
        "findings": list(check.findings),
        "sources": [{"name": s["name"], "status": s["status"]} for s in check.sources],
        "complete": check.complete,
        "explanation": list(check.explanation),
        "checked_at": clock.to_beijing(check.checked_at).isoformat(),
    }
