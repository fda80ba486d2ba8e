"""API authentication: bearer tokens for systems, the session (with CSRF) for the console's own pages."""

from ninja.security import HttpBearer, django_auth

from xinyipi.accounts.services import api_token_user


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


bearer = BearerToken()
STAFF_AUTH = [bearer, django_auth]
