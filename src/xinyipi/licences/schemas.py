from ninja import Schema
from pydantic import Field

from xinyipi.licences.models import LicenceStatus


class LicenceCheckOut(Schema):
    identifier: str = Field(..., description="电子证照标识")
    status: str = Field(..., json_schema_extra={"enum": LicenceStatus.values})
    holder: str = Field(..., description="the holder's name; a person's name masked, never an ID number")
    matter: str = Field(..., description="the matter's name")
    matter_code: str = Field(..., description="the matter's 实施编码")
    name: str = Field(..., description="the licence's name")
    issuer: str
    issued_on: str = Field(..., description="YYYY-MM-DD, Beijing time")
    valid_until: str | None = Field(None, description="YYYY-MM-DD; absent for a licence without a term")
    revoked_on: str | None = None


def licence_check_out(found) -> dict:
    body = {
        "identifier": found.identifier,
        "status": found.status,
        "holder": found.holder,
        "matter": found.matter,
        "matter_code": found.matter_code,
        "name": found.name,
        "issuer": found.issuer,
        "issued_on": found.issued_on.isoformat(),
        "revoked_on": found.revoked_on.isoformat() if found.revoked_on else None,
    }
    if found.valid_until is not None:
        body["valid_until"] = found.valid_until.isoformat()
    return body
