"""Django's 400 handler: a plain error page (JSON under ``/api/``), never a traceback or Django's English page.

Django answers 400 for a ``SuspiciousOperation`` raised anywhere, which includes a form post over
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``RequestDataTooBig``, raised wherever the body is first read, often the
CSRF check): that one is told apart as 413. The pages are rendered without the request's context
processors, since the request itself is what failed.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from xinyipi.api.errors import body_too_large_response


def bad_request(request, exception=None):
    too_large = isinstance(exception, RequestDataTooBig)
    if request.path_info.startswith("/api/"):
        if too_large:
            return body_too_large_response()
        return JsonResponse({"code": "bad_request", "message": _("请求无效。")}, status=400)
    if too_large:
        return HttpResponse(render_to_string("413.html"), status=413)
    return HttpResponse(render_to_string("400.html"), status=400)
