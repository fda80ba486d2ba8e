"""System checks of the sharing settings (``manage.py check``, and at every command's start)."""

from django.conf import settings
from django.core import checks


@checks.register()
def sharing_settings_check(app_configs=None, **kwargs):
    """The lease must outlast an attempt, or a second worker sends a batch its holder is still sending."""
    config = settings.CREDIT_PLATFORM
    found = []
    if config["LEASE_SECONDS"] < 2 * config["TIMEOUT_SECONDS"]:
        found.append(
            checks.Warning(
                f"XINYIPI_SHARE_LEASE_SECONDS ({config['LEASE_SECONDS']:g}) should be at least twice "
                f"XINYIPI_CREDIT_PLATFORM_TIMEOUT ({config['TIMEOUT_SECONDS']:g} s)",
                hint="Raise XINYIPI_SHARE_LEASE_SECONDS or lower XINYIPI_CREDIT_PLATFORM_TIMEOUT.",
                id="records.W001",
            )
        )
    if config["MAX_ATTEMPTS"] < 1 or config["BATCH"] < 1:
        found.append(
            checks.Error("XINYIPI_SHARE_MAX_ATTEMPTS and XINYIPI_SHARE_BATCH must be at least 1", id="records.E001")
        )
    return found
