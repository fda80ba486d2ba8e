"""The one place where our catalog fields meet the national exchange columns (GB/T 39046-2020 and the
``up_task_*`` exchange tables, DESIGN.md §8, govservice-standards.md §6).

Our models use glossary names; an export of the national 实施清单 maps field for field through
``MATTER_COLUMNS`` and ``MATERIAL_COLUMNS`` (our field → national column), and the importer accepts the
national column names as header aliases. Code values that differ from ours are translated through
``NATIONAL_VALUES``; other sources (vendors, provinces) get their own entry in ``SOURCE_VALUES``.
"""

MATTER_COLUMNS = {
    "name": "task_name",
    "catalog_code": "catalog_code",
    "code": "task_code",
    "task_type": "task_type",
    "use_level": "use_level",
    "department": "dept_code",
    "server_type": "server_type",
    "legal_basis": "by_law",
    "accept_condition": "accept_condition",
    "statutory_days": "anticipate_day",
    "statutory_day_unit": "anticipate_type",
    "promised_days": "promise_day",
    "promised_day_unit": "promise_type",
    "project_type": "project_type",
    "handle_type": "handle_type",
    "limit_scene_num": "limit_scene_num",
    "is_fee": "is_fee",
    "fee_basis": "fee_basis",
    "transact_addr": "transact_addr",
    "transact_time": "transact_time",
    "consult_phone": "consult_phone",
    "complain_phone": "complain_phone",
    "review_dept": "administrative_review_dept",
    "litigation_dept": "administrative_litigation_dept",
    "result_type": "result_type",
    "result_name": "result_name",
    "status": "task_state",
    "version": "task_version",
}

MATERIAL_COLUMNS = {
    "matter_code": "task_code",
    "name": "material_name",
    "code": "material_code",
    "order": "order_num",
    "material_type": "material_type",
    "material_format": "material_format",
    "source_type": "source_type",
    "issuer": "issuing_org",
    "original_num": "original_num",
    "copy_num": "copy_num",
    "fill_explain": "fill_explain",
    "accept_stand": "accept_stand",
    "sign_ask": "sign_ask",
    "legal_basis": "by_law",
    "remark": "remark",
}

DEPARTMENT_COLUMNS = {"code": "dept_code", "name": "dept_name"}

# National code → our value, where they differ (GB/T 39046 and the exchange tables).
NATIONAL_VALUES = {
    "statutory_day_unit": {"1": "working", "2": "calendar"},
    "promised_day_unit": {"1": "working", "2": "calendar"},
    "status": {"1": "in_use", "2": "suspended", "3": "cancelled"},
}

# Per-source translations of code values (source system → field → their code → ours). A province or
# vendor whose codes conflict with the national ones gets an entry here, chosen at import.
SOURCE_VALUES: dict[str, dict[str, dict[str, str]]] = {
    "national": NATIONAL_VALUES,
}

# 材料必要性 ``is_need``: 1 必要 / 2 非必要 / 3 容缺后补 → our (essential, tolerable).
IS_NEED = {"1": (True, False), "2": (False, False), "3": (False, True)}
