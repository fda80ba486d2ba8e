from typing import Literal

from ninja import Schema
from pydantic import Field

CommitmentKind = Literal["none", "certificate_commitment", "licence_commitment"]


class MatterMaterialOut(Schema):
    code: str
    name: str
    essential: bool
    certificate: bool
    replaceable: bool
    tolerable: bool


class MatterOut(Schema):
    code: str = Field(description="实施编码")
    name: str
    department: str = Field(description="实施部门名称")
    department_code: str = Field(description="实施部门统一社会信用代码")
    commitment_kind: CommitmentKind
    tolerance: bool
    instant: bool
    supplement_days: int
    verification_days: int
    catalog_code: str
    task_type: str
    statutory_days: int
    promised_days: int
    verification_mode: str
    excluded_domains: list[str]
    status: str
    materials: list[MatterMaterialOut]


class MatterPageOut(Schema):
    items: list[MatterOut]
    next: str | None


class MaterialIn(Schema):
    code: str = Field(max_length=50)
    name: str = Field(max_length=300)
    essential: bool = True
    tolerable: bool = False
    certificate: bool = False
    replaceable: bool = False
    order: int = Field(0, ge=0, le=32767)
    material_type: Literal["1", "2", "3"] = "1"
    material_format: Literal["1", "2", "3"] = "3"
    source_type: Literal["10", "20", "99"] = "10"
    issuer: str = Field("", max_length=200)
    original_num: int = Field(1, ge=0, le=99)
    copy_num: int = Field(0, ge=0, le=99)
    fill_explain: str = ""
    accept_stand: str = ""
    sign_ask: str = Field("", max_length=200)
    legal_basis: str = ""
    remark: str = ""


class _MatterFields(Schema):
    catalog_code: str = Field("", max_length=50)
    task_type: Literal["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"] = "01"
    use_level: Literal["1", "2", "3", "4", "5", "6", "7"] = "4"
    server_type: list[str] = []
    accept_condition: str = ""
    statutory_day_unit: Literal["working", "calendar"] = "working"
    promised_day_unit: Literal["working", "calendar"] = "working"
    project_type: Literal["1", "2"] = "2"
    handle_type: list[str] = []
    limit_scene_num: int = Field(1, ge=0, le=99)
    is_fee: bool = False
    fee_basis: str = ""
    transact_addr: str = Field("", max_length=300)
    transact_time: str = Field("", max_length=300)
    consult_phone: str = Field("", max_length=100)
    complain_phone: str = Field("", max_length=100)
    review_dept: str = Field("", max_length=300)
    litigation_dept: str = Field("", max_length=300)
    result_type: str = Field("", max_length=20)
    result_name: str = Field("", max_length=300)
    issues_e_cert: bool = False
    service_guide: str = ""
    faq: list[dict[str, str]] = []
    status: Literal["in_use", "suspended", "cancelled"] = "in_use"
    instant: bool = False
    commitment_kind: CommitmentKind = "none"
    tolerance: bool = False
    supplement_days: int = Field(5, ge=0, le=3650)
    verification_days: int = Field(30, ge=0, le=3650)
    verification_mode: Literal["full", "sample"] = "full"
    excluded_domains: list[str] = []


class MatterIn(_MatterFields):
    code: str = Field(max_length=50, description="实施编码")
    name: str = Field(max_length=500)
    department_code: str = Field(max_length=18)
    legal_basis: str
    statutory_days: int = Field(ge=0, le=3650)
    promised_days: int = Field(ge=0, le=3650)
    materials: list[MaterialIn] = []


class MatterPatch(Schema):
    """Only the fields sent change; ``materials``, when sent, replaces the whole list (matched by code)."""

    name: str | None = Field(None, max_length=500)
    department_code: str | None = Field(None, max_length=18)
    legal_basis: str | None = None
    statutory_days: int | None = Field(None, ge=0, le=3650)
    promised_days: int | None = Field(None, ge=0, le=3650)
    catalog_code: str | None = Field(None, max_length=50)
    task_type: Literal["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"] | None = None
    accept_condition: str | None = None
    project_type: Literal["1", "2"] | None = None
    transact_addr: str | None = Field(None, max_length=300)
    transact_time: str | None = Field(None, max_length=300)
    consult_phone: str | None = Field(None, max_length=100)
    complain_phone: str | None = Field(None, max_length=100)
    service_guide: str | None = None
    status: Literal["in_use", "suspended", "cancelled"] | None = None
    instant: bool | None = None
    commitment_kind: CommitmentKind | None = None
    tolerance: bool | None = None
    supplement_days: int | None = Field(None, ge=0, le=3650)
    verification_days: int | None = Field(None, ge=0, le=3650)
    verification_mode: Literal["full", "sample"] | None = None
    excluded_domains: list[str] | None = None
    materials: list[MaterialIn] | None = None
