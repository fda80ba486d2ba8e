from ninja import Field, Schema


class DescriptionOut(Schema):
    zh: str
    en: str


class RecordEventOut(Schema):
    id: int = Field(..., description="stable: the same event has the same id in every answer and export")
    type: str = Field(..., description="credit_check, commitment_letter, commitment_breached, … (DESIGN §6.1)")
    type_label: str
    at: str = Field(..., description="ISO 8601 with offset, Beijing time")
    at_label: str
    actor: str
    case_number: str | None = None
    description: DescriptionOut


class CreditRecordOut(Schema):
    subject_code: str
    level: str | None = Field(None, description="the level of the newest recorded credit check, null if none")
    level_checked_at: str | None = None
    events: list[RecordEventOut]
    next: str | None = Field(None, description="pass back as cursor for older events; null on the last page")
