"""The Content-Security-Policy header, built once per process (``core/csp.py``): the same header django-csp builds,
on pages and API answers alike; a response that changes the policy, or uses a nonce, still gets its own."""

import pytest
from csp.constants import NONCE
from csp.exceptions import CSPNonceError
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from xinyipi.core.csp import CSPMiddleware

HEADER = "Content-Security-Policy"


def _answer(view, path="/"):
    request = RequestFactory().get(path)
    middleware = CSPMiddleware(view)
    middleware.process_request(request)
    return request, middleware.process_response(request, view(request))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/healthz", "/api/v1/applications"])
def test_pages_and_api_answers_carry_the_configured_policy(client, path):
    answer = client.get(path)
    assert answer[HEADER] == build_policy()
    assert "frame-ancestors 'none'" in answer[HEADER] and "object-src 'none'" in answer[HEADER]
    assert "Content-Security-Policy-Report-Only" not in answer


def test_the_header_follows_a_changed_setting():
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        _, answer = _answer(lambda request: HttpResponse("x"))
        assert answer[HEADER] == "default-src 'none'"
    _, answer = _answer(lambda request: HttpResponse("x"))
    assert answer[HEADER] == build_policy()


def test_a_response_that_changes_the_policy_gets_its_own_header():
    def view(request):
        response = HttpResponse("x")
        response._csp_update = {"img-src": ["https://tiles.example.cn"]}
        return response

    _, answer = _answer(view)
    assert "https://tiles.example.cn" in answer[HEADER]
    assert answer[HEADER] != build_policy()


def test_a_nonce_used_by_the_view_is_in_the_header_and_none_can_be_asked_after():
    used = {}

    def view(request):
        used["nonce"] = str(request.csp_nonce)
        return HttpResponse("x")

    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": ["'self'", NONCE]}}):
        request, answer = _answer(view)
    assert f"script-src 'self' 'nonce-{used['nonce']}'" in answer[HEADER]

    request, answer = _answer(lambda request: HttpResponse("x"))
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_an_exempt_response_or_excluded_path_gets_no_header_and_one_already_set_is_kept():
    def exempt(request):
        response = HttpResponse("x")
        response._csp_exempt = True
        return response

    assert HEADER not in _answer(exempt)[1]
    _, answer = _answer(lambda request: HttpResponse("x", headers={HEADER: "default-src 'self'"}))
    assert answer[HEADER] == "default-src 'self'"
    policy = {"EXCLUDE_URL_PREFIXES": ["/static/"], "DIRECTIVES": {"default-src": ["'self'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        assert HEADER not in _answer(lambda request: HttpResponse("x"), "/static/app.css")[1]
        assert HEADER in _answer(lambda request: HttpResponse("x"), "/login/")[1]
