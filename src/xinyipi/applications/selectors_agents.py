"""Reads of account links (R9a): the window's queue of pending links, one link for staff, an account's own
links, and the agents of an enterprise its legal representative may withdraw."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from xinyipi.accounts.access import require_perm
from xinyipi.applications.models import SubjectAgent
from xinyipi.applications.services.agents import VERIFY, code_phone, mask_phone
from xinyipi.core.errors import NotFound
from xinyipi.core.paging import cursor_id, page_limit
from xinyipi.subjects.identity import identity_platform_configured

VIEW = "applications.view_subjectagent"


@dataclass
class LinkPage:
    items: list
    next: str | None


def agent_link_page(*, actor, status: str = SubjectAgent.Status.PENDING, cursor: str | None = None, limit: int = 50):
    """Links of one status for the window. Pending ones oldest first (the queue: who has waited longest comes
    first), the others newest first. Keyset on id, no count."""
    if not (actor is not None and actor.is_authenticated and actor.has_perm(VERIFY)):
        require_perm(actor, VIEW)
    rows = SubjectAgent.objects.filter(status=status).select_related("user", "subject")
    pending = status == SubjectAgent.Status.PENDING
    if cursor:
        number = cursor_id(cursor)
        rows = rows.filter(id__gt=number) if pending else rows.filter(id__lt=number)
    limit = page_limit(limit)
    items = list(rows.order_by("id" if pending else "-id")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return LinkPage(items=items, next=str(items[-1].pk) if more and items else None)


def agent_link_by_id(*, actor, link_id: int) -> SubjectAgent:
    """One link for staff who keep or verify links."""
    if not (actor is not None and actor.is_authenticated and actor.has_perm(VERIFY)):
        require_perm(actor, VIEW)
    link = SubjectAgent.objects.select_related("user", "subject").filter(pk=link_id).first()
    if link is None:
        raise NotFound("link_not_found", _("未找到该关联。"))
    return link


def own_link(*, user, link_id: int) -> SubjectAgent:
    """A link of the signed-in account; any other is "not found"."""
    link = None
    if getattr(user, "is_authenticated", False):
        link = SubjectAgent.objects.select_related("user", "subject").filter(pk=link_id, user=user).first()
    if link is None:
        raise NotFound("link_not_found", _("未找到该关联。"))
    return link


def represented_link(*, user, link_id: int) -> SubjectAgent:
    """Another account's open link of an enterprise ``user`` is the verified legal representative of."""
    subjects = SubjectAgent.objects.acting(user).filter(
        relation=SubjectAgent.Relation.LEGAL_REPRESENTATIVE, subject__kind="enterprise"
    )
    link = (
        SubjectAgent.objects.open()
        .select_related("user", "subject")
        .filter(pk=link_id, subject_id__in=subjects.values("subject_id"))
        .exclude(user=user)
        .first()
    )
    if link is None:
        raise NotFound("link_not_found", _("未找到该关联。"))
    return link


def account_links(*, user) -> dict:
    """What the "my links" page shows: each own link with the ways open to verify it, and the agents of the
    enterprises the account is the verified legal representative of."""
    if not getattr(user, "is_authenticated", False):
        return {"links": [], "agents": []}
    links = list(SubjectAgent.objects.filter(user=user).select_related("subject", "confirmation_code").order_by("-id"))
    identity_on = identity_platform_configured()
    rows = []
    for link in links:
        pending = link.status == SubjectAgent.Status.PENDING
        phone = code_phone(link) if pending else None
        code = getattr(link, "confirmation_code", None) if pending else None
        rows.append(
            {
                "link": link,
                "pending": pending,
                "code_phone": mask_phone(phone) if phone else "",
                "code_sent": code is not None and code.used_at is None,
                "code_expires_at": code.expires_at if code is not None else None,
                "identity_possible": pending
                and link.subject.is_person
                and link.relation == SubjectAgent.Relation.LEGAL_REPRESENTATIVE,
                "identity_on": identity_on,
            }
        )
    rows.sort(key=lambda r: (r["link"].status == SubjectAgent.Status.REVOKED, -r["link"].pk))
    represented = [
        r["link"].subject_id
        for r in rows
        if r["link"].status == SubjectAgent.Status.VERIFIED
        and r["link"].relation == SubjectAgent.Relation.LEGAL_REPRESENTATIVE
        and not r["link"].subject.is_person
    ]
    agents = list(
        SubjectAgent.objects.open()
        .filter(subject_id__in=represented)
        .exclude(user=user)
        .select_related("user", "subject")
        .order_by("subject__name", "id")
    )
    return {"links": rows, "agents": agents}
