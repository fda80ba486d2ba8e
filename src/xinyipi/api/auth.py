"""API authentication: bearer tokens for systems, the session (with CSRF) for the console's own pages.

Who the caller is comes first: an anonymous request to a protected operation is 401 ``not_authenticated``
whatever its method. The CSRF check guards a signed-in browser session only, so it runs once the session
is known to carry a user; a session request without a valid token is then a JSON 403 ``csrf_failed``.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from xinyipi.accounts.services import api_token_user
from xinyipi.core.errors import NotPermitted


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session; unsafe methods also need the CSRF token, checked only for a signed-in session."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise NotPermitted("csrf_failed", _("请求缺少有效的 CSRF 令牌，请刷新页面后重试。"))
        return user


bearer = BearerToken()
session = SessionAuth()
STAFF_AUTH = [bearer, session]
