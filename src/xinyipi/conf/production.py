"""Production: explicit, and refuses to run with the development secrets from the repository."""

from django.core.exceptions import ImproperlyConfigured

from xinyipi.conf import env
from xinyipi.conf.base import *  # noqa: F403
from xinyipi.conf.base import FIELD_KEY, SECRET_KEY

if SECRET_KEY == env.DEMO_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a private value of at least 50 characters in production")
if FIELD_KEY == env.DEMO_FIELD_KEY:
    raise ImproperlyConfigured("XINYIPI_FIELD_KEY must be set to a private 64-hex-character key in production")

DEBUG = env.flag("DEBUG", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Served over HTTPS (directly or behind a proxy that sets X-Forwarded-Proto): redirect plain HTTP and send
# HSTS, so that no password, session or ID number crosses the network in clear (等保 2.0: 通信传输).
if env.flag("XINYIPI_HTTPS", default=True):
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env.integer("XINYIPI_HSTS_SECONDS")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.flag("XINYIPI_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = SECURE_HSTS_INCLUDE_SUBDOMAINS and env.flag("XINYIPI_HSTS_PRELOAD", default=True)
    # Probes of the load balancer and of monitoring may speak plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
