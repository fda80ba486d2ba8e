"""The modes a filing may take (R3, R4–R6, R10): the credit check a case rests on (R1), and which modes the
subject's entitlements, the policy and the matter allow, each refusal with its reason."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from xinyipi.applications.models import Mode
from xinyipi.catalog.exclusions import exclusions_on
from xinyipi.catalog.models import Matter
from xinyipi.core.errors import DomainError
from xinyipi.credit.categories import Entitlement, Level, Purpose
from xinyipi.credit.models import CreditCheck
from xinyipi.credit.selectors import credit_check_reusable
from xinyipi.credit.services import credit_check_made, credit_check_run

# ---------------------------------------------------------------------------------------------------
# R1: the check a filing rests on


def application_credit_check(*, actor, subject, incentive_card: str | None = None, store: bool = True) -> CreditCheck:
    """The credit check a case of ``subject`` rests on (R1): a complete check of the subject younger than
    ``XINYIPI_CHECK_REUSE_SECONDS`` is reused; otherwise (and always when a card is presented, since a card
    is re-checked at each use) a new check with purpose ``application`` is run. With ``store=False`` a new
    check comes back not yet stored (no ``pk``): the filing stores it (``credit_check_save``) in its own
    transaction, or alone when it refuses the filing (R8).

    Asks the credit sources outside any transaction: call it before the filing transaction opens.
    """
    if not incentive_card:
        reusable = credit_check_reusable(subject=subject, max_age_seconds=settings.APPLICATIONS["CHECK_REUSE_SECONDS"])
        if reusable is not None:
            return reusable
    run = credit_check_run if store else credit_check_made
    return run(subject=subject, purpose=Purpose.APPLICATION, actor=actor, incentive_card=incentive_card)


# ---------------------------------------------------------------------------------------------------
# Which modes the subject and the matter allow


@dataclass(frozen=True)
class ModeOffer:
    """One mode as offered to the applicant: allowed or not, and why not (``matter`` or ``credit``)."""

    mode: str
    allowed: bool
    reason: str = ""
    message: str = ""


def _matter_refusal(mode: str, matter: Matter) -> str:
    """Why ``matter`` does not offer ``mode`` ('' when it does)."""
    if mode == Mode.INSTANT and not matter.instant:
        return _("事项“%(name)s”未实行信用+秒批。")
    if mode == Mode.COMMITMENT:
        if matter.commitment_kind == Matter.CommitmentKind.NONE:
            return _("事项“%(name)s”未实行告知承诺制。")
        if exclusions_on().commitment_hits(matter.excluded_domains or []):
            return _("事项“%(name)s”涉及不适用告知承诺的领域（国办发〔2020〕42号）。")
    if mode == Mode.TOLERANCE:
        if not matter.tolerance:
            return _("事项“%(name)s”不在容缺受理事项目录中。")
        if exclusions_on().tolerance_hits(matter.excluded_domains or []):
            return _("事项“%(name)s”涉及不适用容缺受理的领域。")
    return ""


_ENTITLEMENT_OF_MODE = {
    Mode.INSTANT: Entitlement.INSTANT_APPROVAL,
    Mode.COMMITMENT: Entitlement.COMMITMENT,
    Mode.TOLERANCE: Entitlement.TOLERANCE,
}


def application_modes(*, matter: Matter, check: CreditCheck) -> list[ModeOffer]:
    """Every mode, each allowed or refused with its reason, for ``matter`` and the subject's ``check``.

    When the credit policy prescribes a mode for the subject's level (``key_review`` for a dishonest subject
    under the default policy, R3/R9), that mode is the only one, and a ``standard`` request is filed in it;
    a prescribed-only mode (``key_review``) is offered to no other level. The policy decides, so a new policy
    version changes filing without a change of code.
    """
    return [mode_offer(mode, matter=matter, check=check) for mode in Mode.values]


def mode_offer(mode: str, *, matter: Matter, check: CreditCheck) -> ModeOffer:
    """One mode for ``matter`` and the subject's ``check``, allowed or refused with its reason."""
    required = check.required_mode()
    if required:
        if mode == required:
            return ModeOffer(mode, True)
        return ModeOffer(
            mode,
            False,
            "credit",
            _("信用等级为“%(level)s”的申请主体按%(mode)s办理。")
            % {"level": _level_label(check), "mode": Mode(required).label},
        )
    if mode == Mode.KEY_REVIEW:
        return ModeOffer(mode, False, "credit", _("重点审查仅适用于信用政策规定的信用等级（失信主体）。"))
    if mode == Mode.STANDARD:
        return ModeOffer(mode, True)
    refusal = _matter_refusal(mode, matter)
    if refusal:
        return ModeOffer(mode, False, "matter", refusal % {"name": matter.name})
    entitlement = _ENTITLEMENT_OF_MODE[mode]
    if not check.allows(entitlement):
        incomplete = "" if check.complete else _("（本次信用核查不完整）")
        return ModeOffer(
            mode,
            False,
            "credit",
            _("申请主体信用等级为“%(level)s”%(incomplete)s，不享受“%(entitlement)s”便利措施。")
            % {"level": _level_label(check), "incomplete": incomplete, "entitlement": Entitlement(entitlement).label},
        )
    return ModeOffer(mode, True)


def _level_label(check: CreditCheck) -> str:
    return str(Level(check.level).label) if check.level in Level.values else check.level


def mode_effective(requested: str, matter: Matter, check: CreditCheck) -> str:
    """The mode the case is filed in, or 422 ``mode_not_allowed`` naming the matter or the credit."""
    required = check.required_mode()
    if requested == Mode.STANDARD and required:
        return required  # DESIGN.md: "mode: standard from a dishonest subject is filed as key_review"
    offer = mode_offer(requested, matter=matter, check=check)  # the other modes only when this one is refused
    if not offer.allowed:
        raise DomainError(
            "mode_not_allowed",
            offer.message,
            "mode",
            reason=offer.reason,
            allowed_modes=[o.mode for o in application_modes(matter=matter, check=check) if o.allowed],
            credit_level=check.level,
            credit_check_id=check.pk,
        )
    return requested
