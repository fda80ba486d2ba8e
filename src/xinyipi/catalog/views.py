from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render

from xinyipi.catalog.models import Matter
from xinyipi.catalog.selectors import departments_with_matters, matter_by_code, matter_guide, matter_list_staff
from xinyipi.core.errors import NotFound


def _flag(raw: str):
    return {"1": True, "0": False}.get(raw)


def _can_edit(user) -> bool:
    return user.is_staff and user.has_perm("catalog.change_matter")


@login_required
@permission_required("catalog.view_matter", raise_exception=True)
def matter_list(request):
    filters = {
        key: request.GET.get(key, "").strip()[:100]
        for key in ("q", "department", "commitment_kind", "tolerance", "instant", "status")
    }
    matters = matter_list_staff(
        query=filters["q"],
        department_code=filters["department"],
        commitment_kind=filters["commitment_kind"]
        if filters["commitment_kind"] in Matter.CommitmentKind.values
        else "",
        tolerance=_flag(filters["tolerance"]),
        instant=_flag(filters["instant"]),
        status=filters["status"] if filters["status"] in Matter.Status.values else "",
    )
    return render(
        request,
        "catalog/matter_list.html",
        {
            "matters": matters,
            "filters": filters,
            "departments": departments_with_matters(),
            "commitment_kinds": Matter.CommitmentKind.choices,
            "statuses": Matter.Status.choices,
            "can_edit": _can_edit(request.user),
        },
    )


@login_required
@permission_required("catalog.view_matter", raise_exception=True)
def matter_detail(request, code: str):
    try:
        matter = matter_by_code(code)
    except NotFound as exc:
        raise Http404 from exc
    context = matter_guide(matter)
    context.update({"can_edit": _can_edit(request.user)})
    return render(request, "catalog/matter_detail.html", context)
