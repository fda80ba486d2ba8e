"""Every error the API answers, in the one shape of DESIGN.md §6.1: ``{code, message, field?}``.

Ninja's own shapes (``{"detail": …}``) are replaced here; nothing a client sends yields a 500, and no
stack trace ever leaves the server.
"""

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DataError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from xinyipi.core.errors import DomainError

logger = logging.getLogger(__name__)

_LOCATION_PARTS = {"body", "query", "path", "header", "cookie", "form", "file", "payload", "data"}


def _field_of(loc) -> str | None:
    parts = [str(p) for p in loc if str(p) not in _LOCATION_PARTS and not isinstance(p, int)]
    return ".".join(parts) or None


def _message_for(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("缺少必填项。")
    if kind in {
        "string_type",
        "int_type",
        "int_parsing",
        "bool_type",
        "bool_parsing",
        "list_type",
        "dict_type",
        "model_type",
        "float_type",
        "float_parsing",
        "date_type",
        "date_parsing",
        "date_from_datetime_parsing",
        "datetime_type",
        "datetime_parsing",
        "model_attributes_type",
        "json_invalid",
        "uuid_parsing",
    }:
        return _("格式不正确。")
    if kind in {"literal_error", "enum"}:
        return _("取值不在允许范围内：%(expected)s。") % {"expected": ctx.get("expected", "")}
    if kind in {"string_too_short", "too_short"}:
        return _("内容过短。")
    if kind in {"string_too_long", "too_long"}:
        return _("内容过长。")
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        return _("数值超出允许范围。")
    if kind == "value_error":
        return str(ctx.get("error") or error.get("msg", ""))
    return str(error.get("msg") or _("输入无效。"))


def validation_body(errors: list[dict]) -> dict:
    first = errors[0] if errors else {"loc": (), "type": ""}
    field = _field_of(first.get("loc", ()))
    message = _message_for(first)
    if field:
        message = _("字段 %(field)s：%(message)s") % {"field": field, "message": message}
    body = {"code": "invalid_input", "message": message}
    if field:
        body["field"] = field
    body["errors"] = [
        {"field": _field_of(e.get("loc", ())), "code": e.get("type", "invalid"), "message": _message_for(e)}
        for e in errors
    ]
    return body


def install(api) -> None:
    """Register the handlers on a NinjaAPI."""

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        return api.create_response(request, validation_body(list(exc.errors)), status=422)

    @api.exception_handler(MultiPartParserError)
    def unreadable_body(request, exc):
        return api.create_response(request, {"code": "malformed_body", "message": _("请求内容无法解析。")}, status=400)

    @api.exception_handler(RequestDataTooBig)
    def body_too_large(request, exc):
        return body_too_large_response()

    @api.exception_handler(TooManyFieldsSent)
    @api.exception_handler(TooManyFilesSent)
    def too_many_parts(request, exc):
        return api.create_response(
            request, {"code": "malformed_body", "message": _("请求内容包含的字段或文件过多。")}, status=400
        )

    @api.exception_handler(DataError)
    def database_refused_value(request, exc):
        # A value the schema let through but the database refuses (length, encoding): the client's input.
        logger.warning("database refused a value in %s %s: %s", request.method, request.path, exc)
        return api.create_response(
            request,
            {"code": "invalid_value", "message": _("提交的数据无法保存：某个值的长度或字符不符合要求。")},
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc: AuthenticationError):
        return api.create_response(
            request, {"code": "not_authenticated", "message": _("需要有效的访问令牌。")}, status=401
        )

    @api.exception_handler(Http404)
    def not_found(request, exc: Http404):
        return api.create_response(request, {"code": "not_found", "message": _("未找到。")}, status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return api.create_response(
                request, {"code": "malformed_body", "message": _("请求内容不是有效的 JSON。")}, status=400
            )
        code = {
            400: "bad_request",
            401: "not_authenticated",
            403: "permission_denied",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
        }.get(exc.status_code, "error")
        return api.create_response(request, {"code": code, "message": str(exc)}, status=exc.status_code)

    @api.exception_handler(Exception)
    def unexpected(request, exc: Exception):
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return api.create_response(
            request, {"code": "internal_error", "message": _("服务器内部错误，已记录，请稍后重试。")}, status=500
        )


def body_too_large_response():
    """413 for a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (also answered by ``api.middleware``)."""
    from django.http import JsonResponse

    return JsonResponse({"code": "body_too_large", "message": _("请求内容过大，超过了允许的上限。")}, status=413)


def api_not_found(request, *args, **kwargs):
    """Any path under /api/ that no route serves: the JSON error shape, not an HTML page."""
    from django.http import JsonResponse

    return JsonResponse({"code": "not_found", "message": _("接口不存在。")}, status=404)
