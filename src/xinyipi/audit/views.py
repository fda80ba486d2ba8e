from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.views.decorators.http import require_POST

from xinyipi.audit.models import AuditEntry
from xinyipi.audit.selectors import audit_chain_check
from xinyipi.core.paging import query_number

PAGE_SIZE = 50


@login_required
@permission_required("audit.view_auditentry", raise_exception=True)
def entries(request):
    """Newest first, keyset-paginated on ``seq`` (no COUNT over the whole trail)."""
    rows = AuditEntry.objects.order_by("-seq")
    before = query_number(request.GET.get("before", ""))
    if before is not None:
        rows = rows.filter(seq__lt=before)
    action = request.GET.get("action", "").strip()
    if action:
        rows = rows.filter(action__startswith=action)
    page = list(rows[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return render(
        request,
        "audit/entries.html",
        {"entries": page, "next_before": page[-1].seq if more else None, "action": action},
    )


@login_required
@permission_required("audit.verify_audit", raise_exception=True)
@require_POST
def verify(request):
    return render(request, "audit/_verify_result.html", {"result": audit_chain_check()})
