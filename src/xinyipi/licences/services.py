"""Issuing and revoking electronic licences. Both run inside the transaction of the case's move (the
approval that issues it, the revocation that ends it), so a licence exists exactly when its approval does
and reads ``revoked`` from the instant the approval is revoked."""

import datetime as dt

from django.db import connection
from django.utils.translation import gettext as _

from xinyipi.applications.models import Application, CaseCounter
from xinyipi.audit.services import audit_record
from xinyipi.core import clock
from xinyipi.licences.identifiers import identifier_compose, serial_robust
from xinyipi.licences.models import Licence

VERSION = "001"


def _serial_next(*, type_code: str, issuer_code: str, year: int) -> str:
    """The next serial of a licence type from one issuer: ``{year}{NNNNNN}`` framed by ``serial_robust``.

    The sequence is taken with one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement on the case
    counters (as case numbers are), so concurrent approvals get distinct serials on SQLite and PostgreSQL."""
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, last) VALUES (%s, 1) "
            f"ON CONFLICT (scope) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [f"lic:{type_code}:{issuer_code}:{year}"],
        )
        seq = cursor.fetchone()[0]
    return serial_robust(type_code=type_code, issuer_code=issuer_code, stem=f"{year}{seq:06d}", version=VERSION)


def valid_until_for(issued_on: dt.date, years: int | None) -> dt.date | None:
    """The last day of a validity of ``years`` from ``issued_on`` (29 February falls back to the 28th);
    ``None`` for a licence without a term (长期有效)."""
    if not years:
        return None
    try:
        end = issued_on.replace(year=issued_on.year + years)
    except ValueError:
        end = issued_on.replace(year=issued_on.year + years, day=28)
    return end - dt.timedelta(days=1)


def licence_issue(application: Application, *, actor, audit: bool = True) -> Licence | None:
    """The licence of an approval whose matter issues one (``Matter.issues_licence``), else ``None``. Runs in
    the approving transaction; two statements (the serial, the row) plus the audit entry, unless the caller's
    own audit entry of the approval names the licence (``audit=False``: the filing on the hot path)."""
    matter = application.matter
    if not matter.issues_licence:
        return None
    now = application.decided_at or clock.now()
    issued_on = clock.to_beijing(now).date()
    department = application.department
    type_code, issuer_code = matter.licence_type, department.code
    serial = _serial_next(type_code=type_code, issuer_code=issuer_code, year=issued_on.year)
    identifier = identifier_compose(type_code=type_code, issuer_code=issuer_code, serial=serial, version=VERSION)
    licence = Licence.objects.create(
        identifier=str(identifier),
        type_code=type_code,
        issuer_code=issuer_code,
        serial=serial,
        version=VERSION,
        name=matter.result_name or matter.name,
        holder=application.subject,
        holder_name=application.subject.name,
        matter=matter,
        application=application,
        issuer=department,
        scope=matter.name,
        issued_at=now,
        issued_on=issued_on,
        valid_until=valid_until_for(issued_on, matter.licence_validity_years),
    )
    if audit:
        audit_record(actor=actor, action="licences.licence.issue", obj=licence, after=licence_audit(licence))
    return licence


def licence_audit(licence: Licence) -> dict:
    return {
        "identifier": licence.identifier,
        "application_id": licence.application_id,
        "holder_id": licence.holder_id,
        "issued_on": licence.issued_on,
        "valid_until": licence.valid_until,
    }


def licence_revoke(application: Application, *, actor, reason: str) -> Licence | None:
    """Revoke the licence of a case whose approval is being revoked (in that transaction), with its audit
    entry; ``None`` when the case issued none."""
    licence = Licence.objects.filter(application=application, revoked_at__isnull=True).first()
    if licence is None:
        return None
    now = clock.now()
    reason = (reason or _("许可被撤销")).strip()[:2000]
    Licence.objects.filter(pk=licence.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_reason=reason)
    licence.revoked_at, licence.revoked_reason = now, reason
    audit_record(
        actor=actor,
        action="licences.licence.revoke",
        obj=licence,
        before={"identifier": licence.identifier, "revoked_at": None},
        after={"identifier": licence.identifier, "revoked_at": now, "reason": reason},
    )
    return licence
