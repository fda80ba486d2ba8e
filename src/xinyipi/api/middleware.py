"""Refuse client input that would otherwise fail deep inside a view, before any view (or django-axes) sees it.

Under ``/api/`` every request body is read here once, so that:

- a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a JSON 413 ``body_too_large`` (left to Django it is a 500
  or an HTML 400, depending on where the body is first read; pages get ``core.views.bad_request``);
- a JSON body that is not an object is a 422: every API body is an object, and a schema whose fields are
  all optional would otherwise take ``[]`` or ``null`` for "change nothing" and still write an audit entry;
- text the database cannot store is a 422 naming the field: NUL (PostgreSQL text cannot hold U+0000) and
  a lone UTF-16 surrogate (``"\\ud800"`` is a valid JSON escape but no UTF-8 text; SQLite, PostgreSQL and
  django-axes's attempt lookup all fail on it). A surrogate pair (an emoji) decodes to one character and
  passes. Ninja parses every body as JSON whatever its content type, so the content type is not consulted.

Pages decode form posts with ``errors="replace"`` (an invalid ``%ED%A0%80`` arrives as U+FFFD) and their
forms refuse NUL, so only NUL in a page's path or query string is refused here.
"""

import json
import re

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from xinyipi.api.errors import body_too_large_response

# A JSON escape of a UTF-16 surrogate (high D800–DBFF or low DC00–DFFF); only then is the body parsed here.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _has_nul(text: str) -> bool:
    return "\x00" in text


def _has_lone_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def _bad_text_path(value, test, path=()):
    """The path (keys and list positions) of the first string, key or value, that ``test`` refuses."""
    if isinstance(value, str):
        return path if test(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if test(key):
                return (*path, key)
            found = _bad_text_path(item, test, (*path, key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _bad_text_path(item, test, (*path, str(index)))
            if found is not None:
                return found
    return None


def _field_name(path) -> str:
    return ".".join(part.replace("\x00", "").encode("utf-8", "replace").decode("utf-8") for part in path)


def _refusal(code: str, message: str, field: str = ""):
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    return JsonResponse(body, status=422)


def _nul_refusal(field: str):
    return _refusal("invalid_characters", _("字段 %(field)s 含有不允许的控制字符（NUL）。") % {"field": field}, field)


def _json_body_refusal(body: bytes):
    """The 422 for a JSON body that is not an object or carries unstorable text; None when it may pass."""
    stripped = body.lstrip()
    if not stripped:
        return None
    has_nul = b"\\u0000" in body
    has_surrogate = _SURROGATE_ESCAPE.search(body) is not None
    if stripped[:1] == b"{" and not has_nul and not has_surrogate:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None  # malformed JSON is answered by the API itself (400 malformed_body)
    if not isinstance(data, dict):
        return _refusal("invalid_input", _("请求内容须为 JSON 对象。"))
    if has_nul:
        found = _bad_text_path(data, _has_nul)
        if found is not None:
            return _nul_refusal(_field_name(found))
    if has_surrogate:
        found = _bad_text_path(data, _has_lone_surrogate)
        if found is not None:
            field = _field_name(found)
            return _refusal(
                "invalid_input",
                _("字段 %(field)s 含有无效的 Unicode 字符（孤立的代理码位）。") % {"field": field},
                field,
            )
    return None


class ClientInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            # Pages: a path or query string carrying NUL is simply a bad request (PostgreSQL refuses NUL in
            # text, so a page looking up such a path would fail).
            if "\x00" in request.path_info or any(
                "\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists()
            ):
                return HttpResponseBadRequest(_("请求含有不允许的控制字符。"), content_type="text/plain; charset=utf-8")
            return self.get_response(request)
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return _nul_refusal(key.replace("\x00", ""))
        if "\x00" in request.path_info:
            return _nul_refusal("")
        try:
            body = request.body
        except RequestDataTooBig:
            return body_too_large_response()
        refusal = _json_body_refusal(body)
        if refusal is not None:
            return refusal
        return self.get_response(request)
