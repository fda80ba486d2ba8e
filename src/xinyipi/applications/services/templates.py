"""The bureau edits letter templates. A change is a new version (the text of a version is never edited),
checked first: it must compile, render, and still state what its kind must state (R4, R6)."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from xinyipi.accounts.access import require_perm
from xinyipi.applications.letters import letter_template_check
from xinyipi.applications.models import LetterTemplate
from xinyipi.audit.services import audit_record, snapshot
from xinyipi.core import clock
from xinyipi.core.actors import actor_label
from xinyipi.core.caches import CATALOG, generation_bump
from xinyipi.core.crypto import sm3_hex
from xinyipi.core.errors import DomainError

_AUDITED = ["kind", "matter", "version", "active", "note"]


def letter_template_save(*, actor, kind: str, body: str, matter=None, note: str = "") -> LetterTemplate:
    """Add the next version of the ``kind`` template (the default, or ``matter``'s own). Audited; the audit
    entry keeps the SM3 hash of the text."""
    require_perm(actor, "applications.add_lettertemplate")
    letter_template_check(kind, body)
    body = body.replace("\r\n", "\n")
    for _attempt in range(3):
        try:
            with transaction.atomic():
                latest = LetterTemplate.objects.filter(kind=kind, matter=matter).aggregate(v=Max("version"))["v"] or 0
                template = LetterTemplate.objects.create(
                    kind=kind,
                    matter=matter,
                    version=latest + 1,
                    active=True,
                    body=body,
                    note=(note or "").strip()[:300],
                    created_at=clock.now(),
                    created_by_label=actor_label(actor),
                )
                audit_record(
                    actor=actor,
                    action="applications.letter_template.save",
                    obj=template,
                    after=snapshot(template, _AUDITED) | {"body_sm3": sm3_hex(body)},
                )
                return template
        except IntegrityError:
            continue  # another editor took this version number at the same moment: take the next one
    raise DomainError("template_conflict", _("其他人正在修改同一模板，请稍后重试。"), "body")


def letter_template_deactivate(*, actor, template: LetterTemplate) -> LetterTemplate:
    """Stop using a matter's own template (the matter then uses the default). Defaults stay active."""
    require_perm(actor, "applications.change_lettertemplate")
    if template.matter_id is None:
        raise DomainError("default_template_required", _("默认文本不能停用，只能修订为新版本。"), "active")
    with transaction.atomic():
        before = snapshot(template, _AUDITED)
        LetterTemplate.objects.filter(pk=template.pk).update(active=False)
        generation_bump(CATALOG)
        template.active = False
        audit_record(
            actor=actor,
            action="applications.letter_template.deactivate",
            obj=template,
            before=before,
            after=snapshot(template, _AUDITED),
        )
    return template
