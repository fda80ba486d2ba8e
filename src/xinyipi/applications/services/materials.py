"""The materials of a filing: the codes brought, checked against the matter, and the state of every
material under the chosen mode (provided, replaced by a commitment, or missing under tolerance)."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from xinyipi.applications.models import Application, ApplicationMaterial, Mode
from xinyipi.catalog.models import Material, Matter
from xinyipi.core.errors import DomainError
from xinyipi.core.text import join_list

# ---------------------------------------------------------------------------------------------------
# Materials


def _names(materials: Iterable[Material]) -> str:
    return join_list(f"{m.name}（{m.code}）" for m in materials)


def _materials_missing(missing: list[Material]) -> DomainError:
    # 行政许可法 Art. 32: every material to be supplied is told at once, in one notice.
    return DomainError(
        "materials_missing",
        _("申请材料不齐全，请一次性补齐以下材料：%(names)s。") % {"names": _names(missing)},
        "materials",
        missing=[m.code for m in missing],
    )


def material_codes(values, field: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise DomainError("invalid_input", _("应为材料编码的列表。"), field)
    codes = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise DomainError("invalid_input", _("材料编码应为非空文本。"), field)
        if value.strip() not in codes:
            codes.append(value.strip())
    return codes


def material_codes_known(codes: list[str], catalog: dict[str, Material], field: str) -> None:
    unknown = [c for c in codes if c not in catalog]
    if unknown:
        raise DomainError(
            "unknown_material",
            _("事项没有以下材料：%(codes)s。") % {"codes": join_list(unknown)},
            field,
            codes=unknown,
        )


def _accepted(statement, field: str, code: str, message) -> dict:
    if not isinstance(statement, dict) or statement.get("accepted") is not True:
        raise DomainError(code, message, field)
    return statement


def material_states(
    *, mode: str, matter: Matter, catalog: dict[str, Material], provided: list[str], commitment, pledge
) -> tuple[dict[str, str], list[Material]]:
    """The state of every material of the matter under ``mode``, and the certificates replaced; or the
    refusal naming what is wrong (nothing is written before this passes)."""
    ordered = list(catalog.values())
    provided_set = set(provided)
    states = {code: ApplicationMaterial.State.PROVIDED for code in provided}
    replaced: list[Material] = []
    if mode == Mode.COMMITMENT:
        _accepted(
            commitment,
            "commitment.accepted",
            "commitment_not_accepted",
            _("请阅读并接受告知承诺书（accepted: true）。"),
        )
        certificates = material_codes(commitment.get("certificates"), "commitment.certificates")
        material_codes_known(certificates, catalog, "commitment.certificates")
        for code in certificates:
            material = catalog[code]
            if not (material.certificate and material.replaceable):
                raise DomainError(
                    "certificate_not_replaceable",
                    _("材料“%(name)s”不是可以由告知承诺替代的证明材料。") % {"name": material.name},
                    "commitment.certificates",
                )
            if code in provided_set:
                raise DomainError(
                    "certificate_provided_and_replaced",
                    _("证明材料“%(name)s”不能既提交又以承诺替代，请选择其一。") % {"name": material.name},
                    "commitment.certificates",
                )
        if matter.commitment_kind == Matter.CommitmentKind.CERTIFICATE and not certificates:
            raise DomainError(
                "commitment_certificates_required",
                _("请选择以告知承诺替代的证明材料；不作承诺的，可选择一般办理并提交全部材料。"),
                "commitment.certificates",
            )
        replaced = [catalog[c] for c in certificates]
        missing = [m for m in ordered if m.code not in provided_set and m.code not in certificates]
        if missing:
            raise _materials_missing(missing)
        states |= {c: ApplicationMaterial.State.REPLACED for c in certificates}
    elif mode == Mode.TOLERANCE:
        missing = [m for m in ordered if m.code not in provided_set]
        essential = [m for m in missing if m.essential]
        if essential:
            raise DomainError(
                "essential_material_missing",
                _("容缺受理须主要材料齐全，缺少主要材料：%(names)s。") % {"names": _names(essential)},
                "materials",
                missing=[m.code for m in essential],
            )
        intolerable = [m for m in missing if not m.tolerable]
        if intolerable:
            raise DomainError(
                "material_not_tolerable",
                _("以下材料不在本事项可容缺材料清单中，须当场提交：%(names)s。") % {"names": _names(intolerable)},
                "materials",
                missing=[m.code for m in intolerable],
            )
        if not missing:
            raise DomainError(
                "nothing_to_tolerate",
                _("申请材料已经齐全，无需容缺受理，请选择其他办理模式。"),
                "mode",
            )
        _accepted(
            pledge,
            "supplement_pledge.accepted",
            "supplement_pledge_required",
            _("容缺受理须签署容缺受理承诺书（supplement_pledge.accepted: true）。"),
        )
        states |= {m.code: ApplicationMaterial.State.MISSING for m in missing}
    else:
        missing = [m for m in ordered if m.code not in provided_set]
        if missing:
            raise _materials_missing(missing)
    return states, replaced


def material_sources(
    *, states: dict[str, str], catalog: dict[str, Material], uploads: dict, paper: list[str]
) -> dict[str, str]:
    """An online filing's materials as they reach the department: each one brought needs its electronic file
    or the applicant's statement that the paper comes to the window (``paper_at_window`` until the window
    confirms receipt); materials replaced by the commitment or tolerated need neither. A material with
    neither is refused, every such material named at once."""
    without = [
        catalog[code]
        for code, state in states.items()
        if state == ApplicationMaterial.State.PROVIDED and code not in uploads and code not in paper
    ]
    if without:
        raise DomainError(
            "material_file_missing",
            _("网上申请须为每项提交的材料上传电子文件，或选择“纸质材料到窗口提交”：%(names)s。")
            % {"names": _names(without)},
            "materials",
            missing=[m.code for m in without],
        )
    return {
        code: ApplicationMaterial.State.PAPER_AT_WINDOW
        if state == ApplicationMaterial.State.PROVIDED and code not in uploads
        else state
        for code, state in states.items()
    }


def materials_cache(application: Application, rows: list[ApplicationMaterial]) -> None:
    """Keep the case's material rows as just written, as ``prefetch_related`` would: the answer to the filing
    request reads ``application.materials.all()`` without another query."""
    queryset = application.materials.all()  # lazy: never run
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    application._prefetched_objects_cache = {"materials": queryset}
