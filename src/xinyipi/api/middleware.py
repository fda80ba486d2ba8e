"""Refuse text the database cannot store before it reaches a view (API and pages).

PostgreSQL text cannot hold NUL (U+0000); a client that sends one gets a 422 naming the field rather than
a database error. (Django's forms refuse NUL on their own; API schemas do not.)
"""

import json

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


def _nul_path(value, path=()):
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                return (*path, str(key))
            found = _nul_path(item, (*path, str(key)))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, (*path, str(index)))
            if found is not None:
                return found
    return None


def _refusal(field: str):
    body = {
        "code": "invalid_characters",
        "message": _("字段 %(field)s 含有不允许的控制字符（NUL）。") % {"field": field},
    }
    if field:
        body["field"] = field
    return JsonResponse(body, status=422)


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            # Pages: forms refuse NUL themselves; a path or query string carrying one is simply a bad request
            # (PostgreSQL refuses NUL in text, so a page looking up such a path would fail).
            if "\x00" in request.path_info or any(
                "\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists()
            ):
                return HttpResponseBadRequest(_("请求含有不允许的控制字符。"), content_type="text/plain; charset=utf-8")
            return self.get_response(request)
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return _refusal(key.replace("\x00", ""))
        if "\x00" in request.path_info:
            return _refusal("")
        if request.content_type == "application/json" and request.body and b"\\u0000" in request.body:
            try:
                found = _nul_path(json.loads(request.body))
            except ValueError:
                found = None  # malformed JSON is answered by the API itself
            if found is not None:
                return _refusal(".".join(found))
        return self.get_response(request)
