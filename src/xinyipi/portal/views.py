from django.shortcuts import render

from xinyipi.catalog.selectors import matter_list_public


def home(request):
    query = request.GET.get("q", "").strip()[:100]
    department = request.GET.get("department", "").strip()[:50]
    guides = matter_list_public(query=query, department_code=department)
    context = {"guides": guides, "query": query, "department": department}
    if request.headers.get("HX-Request"):
        return render(request, "portal/_guide_list.html", context)
    return render(request, "portal/home.html", context)


def about(request):
    return render(request, "portal/about.html")


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    return render(request, "500.html", status=500)
