from django.http import Http404
from django.shortcuts import render

from xinyipi.catalog.selectors import departments_with_matters, matter_by_code, matter_guide, matter_list_public
from xinyipi.core.errors import NotFound


def home(request):
    query = request.GET.get("q", "").strip()[:100]
    department = request.GET.get("department", "").strip()[:50]
    guides = matter_list_public(query=query, department_code=department)
    context = {"guides": guides, "query": query, "department": department}
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        return render(request, "portal/_guide_list.html", context)
    context["departments"] = departments_with_matters()
    return render(request, "portal/home.html", context)


def guide(request, code: str):
    """The public service guide of one matter (办事指南), with its commitment and tolerance rules."""
    try:
        matter = matter_by_code(code, public=True)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "portal/guide.html", matter_guide(matter))


def about(request):
    return render(request, "portal/about.html")


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    return render(request, "500.html", status=500)
