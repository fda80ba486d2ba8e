from ninja import Schema
from pydantic import Field

from xinyipi.subjects.models import Subject


class SubjectIn(Schema):
    kind: str = Field(
        ...,
        description="enterprise (统一社会信用代码) or person (居民身份证号码)",
        json_schema_extra={"enum": [k.value for k in Subject.Kind]},
    )
    code: str = Field(..., description="18 characters; spaces, dashes and lower case are accepted and normalised")
    name: str = Field(..., description="name of the enterprise or the person, at most 200 characters")
    legal_representative: str = ""
    contact_phone: str = ""
    address: str = ""


class SubjectOut(Schema):
    id: int
    kind: str = Field(..., json_schema_extra={"enum": [k.value for k in Subject.Kind]})
    code: str = Field(..., description="the full USCC of an enterprise; a person's ID number masked")
    name: str
    legal_representative: str
    contact_phone: str
    address: str

    @staticmethod
    def resolve_code(obj: Subject) -> str:
        return obj.code_display
