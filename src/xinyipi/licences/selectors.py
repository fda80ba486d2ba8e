"""Reads of electronic licences: the public check (no personal ID number, a person's name masked), the
licence of a case, and the licences a holder can present instead of a material (免提交)."""

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from xinyipi.applications.models import Application
from xinyipi.core import clock
from xinyipi.licences.identifiers import identifier_parse
from xinyipi.licences.models import Licence, LicenceStatus
from xinyipi.supervision.selectors import mask_person_name


@dataclass(frozen=True)
class LicenceCheck:
    identifier: str
    status: str
    status_label: str
    name: str
    holder: str
    holder_kind: str
    matter: str
    matter_code: str
    issuer: str
    issued_on: dt.date
    valid_until: dt.date | None
    revoked_on: dt.date | None


def licence_url(licence: Licence) -> str:
    """The path of the public check page (the QR code carries it as an absolute URL)."""
    return reverse("licences:check", args=[licence.identifier])


def holder_label(licence: Licence) -> str:
    """The holder as the public sees it: an enterprise by name, a person by masked name (R12's rule)."""
    return mask_person_name(licence.holder_name) if licence.holder.is_person else licence.holder_name


def licence_check(identifier: str) -> LicenceCheck | None:
    """The public answer for ``identifier``; ``None`` alike for a malformed, forged (wrong check character)
    or unknown identifier, so the answer says nothing about what exists."""
    parsed = identifier_parse(identifier)
    if parsed is None:
        return None
    licence = Licence.objects.select_related("holder", "matter", "issuer").filter(identifier=str(parsed)).first()
    if licence is None:
        return None
    status = licence.status_on(clock.today())
    return LicenceCheck(
        identifier=licence.identifier,
        status=status,
        status_label=str(LicenceStatus(status).label),
        name=licence.name,
        holder=holder_label(licence),
        holder_kind=str(licence.holder.get_kind_display()),
        matter=licence.matter.name,
        matter_code=licence.matter.code,
        issuer=licence.issuer.name,
        issued_on=licence.issued_on,
        valid_until=licence.valid_until,
        revoked_on=clock.to_beijing(licence.revoked_at).date() if licence.revoked_at else None,
    )


def licence_of(application: Application) -> Licence | None:
    """The licence a case's approval issued, if any (cached on the case right after issuing)."""
    try:
        return application.licence
    except Licence.DoesNotExist:
        return None


def licence_materials_held(*, holder, materials, on: dt.date) -> dict[str, Licence]:
    """免提交: of ``materials`` (catalog rows not brought), those that stand for a licence type ``holder``
    holds valid on ``on``, by material code with the licence that stands in. No query when none of them
    stands for a licence type."""
    wanted = {m.code: m.licence_type_code for m in materials if m.licence_type_code}
    held = licences_held(holder=holder, type_codes=set(wanted.values()), on=on)
    return {code: held[type_code] for code, type_code in wanted.items() if type_code in held}


def licences_held(*, holder, type_codes: set[str], on: dt.date) -> dict[str, Licence]:
    """The newest licence of each of ``type_codes`` that ``holder`` holds valid on ``on``."""
    if not type_codes:
        return {}
    rows = Licence.objects.filter(holder=holder, type_code__in=type_codes, revoked_at__isnull=True).order_by(
        "-issued_at"
    )
    held: dict[str, Licence] = {}
    for licence in rows:
        if licence.type_code not in held and licence.status_on(on) == LicenceStatus.VALID:
            held[licence.type_code] = licence
    return held
