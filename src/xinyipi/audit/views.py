from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from xinyipi.audit.labels import action_choices, action_label, object_label, object_type_choices
from xinyipi.audit.selectors import (
    AuditFilter,
    audit_case_numbers,
    audit_chain_check,
    audit_entry_page,
    audit_filter_from,
)
from xinyipi.core.errors import DomainError

_CASE = "applications.application"


@login_required
@permission_required("audit.view_auditentry", raise_exception=True)
def entries(request):
    """The trail in plain words, filtered by action, actor, object and Beijing dates; a bad filter is named (400)."""
    try:
        found = audit_filter_from(request.GET)
    except DomainError as exc:
        found, page, next_before, error, error_field = AuditFilter(), [], None, str(exc.message), exc.field
    else:
        page, next_before = audit_entry_page(found=found, before=request.GET.get("before", ""))
        error, error_field = "", ""
    numbers = audit_case_numbers(page)
    rows = [
        {
            "entry": e,
            "action": action_label(e.action),
            "object": object_label(e.object_type),
            "case_number": numbers.get(e.object_id, "") if e.object_type == _CASE else "",
            "case_url": reverse("applications:detail", args=[int(e.object_id)])
            if e.object_type == _CASE and e.object_id in numbers
            else "",
        }
        for e in page
    ]
    return render(
        request,
        "audit/entries.html",
        {
            "rows": rows,
            "found": found,
            "raw": request.GET,
            "error": error,
            "error_field": error_field,
            "next_query": urlencode({**found.query(), "before": next_before}) if next_before else "",
            "actions": action_choices(),
            "object_types": object_type_choices(),
        },
        status=400 if error else 200,
    )


@login_required
@permission_required("audit.verify_audit", raise_exception=True)
@require_POST
def verify(request):
    return render(request, "audit/_verify_result.html", {"result": audit_chain_check()})
