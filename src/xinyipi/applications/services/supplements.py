"""Supplying the materials a tolerance case still misses (R6): when the last one arrives, the case is
approved at once (即时办结) — the department reviewed it while it waited."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from xinyipi.accounts.access import access_application
from xinyipi.applications.files import file_fields, uploads_check
from xinyipi.applications.models import Application, ApplicationMaterial, Status
from xinyipi.applications.services.approval import decision_issue_approval, verification_schedule
from xinyipi.applications.services.materials import material_codes
from xinyipi.applications.workflow import SUPPLEMENT_STATUSES, transition_apply
from xinyipi.audit.services import audit_record
from xinyipi.core import clock
from xinyipi.core.actors import actor_label
from xinyipi.core.errors import DomainError, InvalidTransition
from xinyipi.core.text import in_default_language, join_list
from xinyipi.records.services import record_append


def application_supplement(
    *, actor, application: Application, materials: Iterable[str], files: dict | None = None
) -> Application:
    """Record that the materials ``materials`` (codes) were supplied, with optional ``files`` by code.

    Only while the case awaits supplements (``awaiting_supplement`` or ``reminded``; else 409
    ``not_awaiting_supplement``); each code must be one the case still misses (422 ``material_not_missing``).
    The applicant acting for the subject, or a window clerk, may supply.
    """
    access_application(actor, application, action="supplement")
    if application.status not in SUPPLEMENT_STATUSES:
        raise _not_awaiting(application.status)
    codes = material_codes(materials, "materials")
    if not codes:
        raise DomainError("materials_required", _("请至少选择一项补正材料。"), "materials")
    rows = {
        row.code: row for row in ApplicationMaterial.objects.filter(application=application).select_related("material")
    }
    unknown = [c for c in codes if c not in rows]
    if unknown:
        raise DomainError(
            "unknown_material",
            _("本办件没有以下材料：%(codes)s。") % {"codes": join_list(unknown)},
            "materials",
            codes=unknown,
        )
    not_missing = [c for c in codes if rows[c].state != ApplicationMaterial.State.MISSING]
    if not_missing:
        raise DomainError(
            "material_not_missing",
            _("以下材料不是待补正的材料：%(names)s。") % {"names": join_list(rows[c].name for c in not_missing)},
            "materials",
            codes=not_missing,
        )
    uploads = uploads_check(files, set(codes))
    return _supplement(actor=actor, application=application, codes=codes, uploads=uploads)


def _not_awaiting(status: str) -> InvalidTransition:
    return InvalidTransition(
        "not_awaiting_supplement",
        _("办件当前状态为“%(status)s”，不在补正期内。") % {"status": Status(status).label},
        from_status=status,
    )


@in_default_language
@transaction.atomic(durable=True)
def _supplement(*, actor, application: Application, codes: list[str], uploads: dict) -> Application:
    now = clock.now()
    # Take the case first (a conditional UPDATE, which also locks the row on PostgreSQL): two supplements
    # at once are serialised, so the one that brings the last material sees the other's rows.
    taken = Application.objects.filter(pk=application.pk, status__in=SUPPLEMENT_STATUSES).update(updated_at=now)
    current = Application.objects.filter(pk=application.pk).values_list("status", flat=True).first()
    if not taken:
        raise _not_awaiting(current or application.status)
    application.status = status = current
    label = actor_label(actor)
    for code in codes:
        changes = {"state": ApplicationMaterial.State.SUPPLIED, "supplied_at": now, "supplied_by_label": label}
        if code in uploads:
            changes |= file_fields(uploads[code])
        done = ApplicationMaterial.objects.filter(
            application=application, code=code, state=ApplicationMaterial.State.MISSING
        ).update(**changes)
        if not done:
            raise DomainError(
                "material_not_missing", _("材料 %(code)s 已由他人补正。") % {"code": code}, "materials", codes=[code]
            )
    remaining = list(
        ApplicationMaterial.objects.filter(application=application, state=ApplicationMaterial.State.MISSING)
        .order_by("id")
        .values_list("code", flat=True)
    )
    audit_record(
        actor=actor,
        action="applications.application.supplement",
        obj=application,
        after={
            "supplied": codes,
            "files": {code: f.sm3 for code, f in uploads.items()},
            "remaining": remaining,
            "status": status,
        },
    )
    if remaining:
        return application

    # The last missing material arrived: the pledge is kept and the case is decided at once (R6).
    transition_apply(
        application,
        to=Status.APPROVED,
        actor=actor,
        reason=_("容缺材料已全部补齐，即时办结"),
        changes={"decided_at": now, **verification_schedule(application, application.matter, clock.today())},
    )
    pledge = getattr(application, "supplement_pledge", None)
    record_append(
        subject=application.subject,
        type="pledge_fulfilled",
        summary=_("按承诺补齐容缺材料：%(matter)s（办件 %(number)s）")
        % {"matter": application.matter.name, "number": application.number},
        payload={
            "application_id": application.pk,
            "number": application.number,
            "due": application.supplement_due.isoformat() if application.supplement_due else None,
            "reminded": status == Status.REMINDED,
            "pledge_id": pledge.pk if pledge else None,
        },
        source=application,
        actor=actor,
        at=now,
    )
    decision_issue_approval(application, actor=actor)
    return application
