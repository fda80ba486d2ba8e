"""One log line and one metrics observation per request, under a request id the answer also carries."""

import re
import time
import uuid

from django.conf import settings

from xinyipi.ops import metrics
from xinyipi.ops.logs import request_id_var, request_log

# A proxy's request id is kept when it looks like one (so lines of nginx and of the app can be joined).
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if REQUEST_ID.match(offered) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            route = _route(request)
            user_id = _user_id(request)
            request_log(
                method=request.method,
                route=route,
                status=response.status_code,
                duration_ms=round(seconds * 1000, 2),
                user_id=user_id,
            )
            metrics.request_observe(method=request.method, route=route, status=response.status_code, seconds=seconds)
            response["X-Request-ID"] = request_id
            return response
        finally:
            request_id_var.reset(token)


def _route(request) -> str:
    """The URL pattern that answered (``api/v1/applications/<int:application_id>``), never the path itself."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return match.route
    if request.path_info.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


def _user_id(request) -> int | None:
    """Who made the request, as far as the request already knows: reading ``request.user`` here would cost
    a session lookup on requests that never needed one (``_cached_user`` is Django's own memo of it)."""
    for user in (getattr(request, "auth", None), getattr(request, "_cached_user", None)):
        if user is not None and getattr(user, "is_authenticated", False):
            return user.pk
    return None
