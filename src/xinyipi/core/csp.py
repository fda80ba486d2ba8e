"""The Content-Security-Policy header (settings ``CONTENT_SECURITY_POLICY``), built once per process.

django-csp builds the header anew for every response, the API's answers included: two dataclass copies and two
policy builds, about as much as one of a filing's statements. No view here uses a nonce or changes the policy,
so the header is the same for every response; one that does either is still built by django-csp.
"""

from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BuildingCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# What a view may set on its response to change the policy (django-csp's decorators).
_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_DEBUG_EXEMPT = (404, 500)  # django-csp leaves Django's debug pages alone


@cache
def _headers() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """``(header, value, exemption attribute, excluded path prefixes)`` for the enforced and report-only policy."""
    headers = []
    for header, setting, exemption, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True),
    ):
        value = build_policy(report_only=report_only)
        if value:
            prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
            headers.append((header, value, exemption, prefixes))
    return tuple(headers)


@receiver(setting_changed)
def _policy_changed(*, setting, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _headers.cache_clear()


class CSPMiddleware(BuildingCSPMiddleware):
    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(hasattr(response, a) for a in _PER_RESPONSE):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_EXEMPT and settings.DEBUG:
            return response
        for header, value, exemption, prefixes in _headers():
            excluded = prefixes and request.path_info.startswith(prefixes)
            if header not in response and not getattr(response, exemption, False) and not excluded:
                response[header] = value
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
