"""The window receives the paper an online applicant said it would bring (``paper_at_window`` → ``provided``)."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from xinyipi.accounts.access import access_application
from xinyipi.applications.models import Application, ApplicationMaterial
from xinyipi.applications.services.materials import material_codes
from xinyipi.audit.services import audit_record
from xinyipi.core.errors import DomainError
from xinyipi.core.text import in_default_language, join_list

PAPER = ApplicationMaterial.State.PAPER_AT_WINDOW


def application_paper_receive(*, actor, application: Application, materials: Iterable[str]) -> Application:
    """Record that the window received the paper of ``materials`` (codes), each awaiting it: the material is
    then submitted (``provided``). A window clerk of the case's scope may (``receive_paper``); a code that
    names no material of the case, or one not awaiting paper, is refused naming it, and nothing changes."""
    access_application(actor, application, action="receive_paper")
    codes = material_codes(materials, "materials")
    if not codes:
        raise DomainError("materials_required", _("请选择已收到纸质件的材料。"), "materials")
    rows = {row.code: row for row in ApplicationMaterial.objects.filter(application=application)}
    unknown = [c for c in codes if c not in rows]
    if unknown:
        raise DomainError(
            "unknown_material",
            _("本办件没有以下材料：%(codes)s。") % {"codes": join_list(unknown)},
            "materials",
            codes=unknown,
        )
    not_awaited = [c for c in codes if rows[c].state != PAPER]
    if not_awaited:
        raise DomainError(
            "material_not_awaiting_paper",
            _("以下材料不是待窗口收取的纸质材料：%(names)s。")
            % {"names": join_list(rows[c].name for c in not_awaited)},
            "materials",
            codes=not_awaited,
        )
    return _receive(actor=actor, application=application, codes=codes)


@in_default_language
@transaction.atomic(durable=True)
def _receive(*, actor, application: Application, codes: list[str]) -> Application:
    for code in codes:
        # Compare-and-set: two clerks confirming the same paper at once, one wins and the other is told.
        done = ApplicationMaterial.objects.filter(application=application, code=code, state=PAPER).update(
            state=ApplicationMaterial.State.PROVIDED
        )
        if not done:
            raise DomainError(
                "material_not_awaiting_paper",
                _("材料 %(code)s 的纸质件已由他人确认收取。") % {"code": code},
                "materials",
                codes=[code],
            )
    awaiting = list(
        ApplicationMaterial.objects.filter(application=application, state=PAPER)
        .order_by("id")
        .values_list("code", flat=True)
    )
    audit_record(
        actor=actor,
        action="applications.material.paper_receive",
        obj=application,
        before={"paper_at_window": codes},
        after={"received": codes, "still_awaiting_paper": awaiting},
    )
    return application
