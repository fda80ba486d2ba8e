"""Entry point: development settings unless ``XINYIPI_ENV=production`` chooses production."""

from xinyipi.conf import env

if env.environment() == "production":
    from xinyipi.conf.production import *  # noqa: F403
else:
    from xinyipi.conf.base import *  # noqa: F403
