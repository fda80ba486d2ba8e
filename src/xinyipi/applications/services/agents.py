"""Links between user accounts and the subjects they act for online (legal representative or agent with a
written authorisation), R9a. A link staff make at the window is verified at once (they checked the identity
and the authorisation); a link an account asks for online stays pending until it is verified."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xinyipi.accounts.access import require_perm
from xinyipi.applications.models import SubjectAgent
from xinyipi.applications.services.common import actor_label
from xinyipi.audit.services import audit_record, snapshot
from xinyipi.core import clock
from xinyipi.core.errors import DomainError

_AUDITED = [
    "user",
    "subject",
    "relation",
    "status",
    "created_at",
    "verified_at",
    "verification_method",
    "revoked_at",
]


def subject_agent_link(*, actor, user, subject, relation: str, authorisation: str = "") -> SubjectAgent:
    """Let ``user`` act for ``subject``. An agent needs the text of the written authorisation."""
    require_perm(actor, "applications.add_subjectagent")
    if relation not in SubjectAgent.Relation.values:
        raise DomainError("invalid_relation", _("关系应为法定代表人/本人或委托代理人。"), "relation")
    authorisation = (authorisation or "").strip()[:2000]
    if relation == SubjectAgent.Relation.AGENT and not authorisation:
        raise DomainError("authorisation_required", _("委托代理人须登记书面授权委托的内容。"), "authorisation")
    if not user.is_active:
        raise DomainError("user_inactive", _("该用户已停用。"), "user")
    now = clock.now()
    try:
        with transaction.atomic():
            link = SubjectAgent.objects.create(
                user=user,
                subject=subject,
                relation=relation,
                status=SubjectAgent.Status.VERIFIED,
                authorisation=authorisation,
                created_at=now,
                created_by_label=actor_label(actor),
                verified_at=now,
                verified_by_label=actor_label(actor),
                verification_method=SubjectAgent.Method.WINDOW,
            )
            audit_record(
                actor=actor, action="applications.subject_agent.link", obj=link, after=snapshot(link, _AUDITED)
            )
    except IntegrityError as exc:
        raise DomainError("already_linked", _("该用户已关联此主体。"), "user") from exc
    return link


def subject_agent_revoke(*, actor, link: SubjectAgent) -> SubjectAgent:
    """End a link (the agent's authorisation ended). The cases filed stay the subject's."""
    require_perm(actor, "applications.change_subjectagent")
    with transaction.atomic():
        before = snapshot(link, _AUDITED)
        now = clock.now()
        label = actor_label(actor)
        updated = (
            SubjectAgent.objects.open()
            .filter(pk=link.pk)
            .update(status=SubjectAgent.Status.REVOKED, revoked_at=now, revoked_by_label=label)
        )
        if not updated:
            raise DomainError("already_revoked", _("该关联已经解除。"))
        link.status, link.revoked_at, link.revoked_by_label = SubjectAgent.Status.REVOKED, now, label
        audit_record(
            actor=actor,
            action="applications.subject_agent.revoke",
            obj=link,
            before=before,
            after=snapshot(link, _AUDITED),
        )
    return link
