"""``/healthz``, ``/readyz`` (JSON, for load balancers and orchestrators) and ``/metrics`` (Prometheus)."""

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from xinyipi.ops.metrics import metrics_render
from xinyipi.ops.selectors import database_answers, readiness

PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


@require_GET
@never_cache
def healthz(request):
    """The process answers and so does the database: 200, else 503 (restart or take out of rotation)."""
    if database_answers():
        return JsonResponse({"status": "ok", "database": "ok"})
    return _unlogged(JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503))


@require_GET
@never_cache
def readyz(request):
    """Ready to take work: migrations applied, a worker alive, nothing waiting too long to leave. 200 or 503."""
    ready, checks = readiness()
    if ready:
        return JsonResponse({"status": "ready", "checks": checks})
    return _unlogged(JsonResponse({"status": "not_ready", "checks": checks}, status=503))


@require_GET
@never_cache
def metrics(request):
    """Prometheus text; to loopback callers that came through no proxy, or with the metrics token. Anyone
    else gets the 404 of any unknown page (the figures say how busy the hall is and how deep queues run)."""
    if not _may_scrape(request):
        raise Http404
    body = metrics_render(multiproc_dir=settings.METRICS["MULTIPROC_DIR"])
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def _unlogged(response):
    """A probe's 503 is an answer, not a server error: the request line records it, Django's error log not
    (a load balancer asks every few seconds)."""
    response._has_been_logged = True
    return response


def _may_scrape(request) -> bool:
    token = settings.METRICS["TOKEN"]
    offered = request.headers.get("Authorization", "")
    if token and offered.startswith("Bearer ") and hmac.compare_digest(offered[7:].encode(), token.encode()):
        return True
    # A request relayed by a proxy on this host arrives from loopback too: the proxy's headers give it away.
    if any(header in request.headers for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
