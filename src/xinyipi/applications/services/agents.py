"""Links between user accounts and the subjects they act for online (legal representative or agent with a
written authorisation). Made at the window, after checking identity and authorisation, or by the bureau."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xinyipi.accounts.access import require_perm
from xinyipi.applications.models import SubjectAgent
from xinyipi.applications.services.common import actor_label
from xinyipi.audit.services import audit_record, snapshot
from xinyipi.core import clock
from xinyipi.core.errors import DomainError

_AUDITED = ["user", "subject", "relation", "created_at", "revoked_at"]


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
    try:
        with transaction.atomic():
            link = SubjectAgent.objects.create(
                user=user,
                subject=subject,
                relation=relation,
                authorisation=authorisation,
                created_at=clock.now(),
                created_by_label=actor_label(actor),
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
        if not SubjectAgent.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=now):
            raise DomainError("already_revoked", _("该关联已经解除。"))
        link.revoked_at = now
        audit_record(
            actor=actor,
            action="applications.subject_agent.revoke",
            obj=link,
            before=before,
            after=snapshot(link, _AUDITED),
        )
    return link
