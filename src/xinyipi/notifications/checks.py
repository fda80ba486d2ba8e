"""System checks of the delivery settings (``manage.py check``, and at every command's start)."""

from django.conf import settings
from django.core import checks


@checks.register()
def delivery_settings_check(app_configs=None, **kwargs):
    """The lease must outlast an attempt (or a second worker takes a message its holder is still sending)."""
    config = settings.NOTIFICATIONS
    found = []
    longest = max(config["SMS_TIMEOUT_SECONDS"], float(getattr(settings, "EMAIL_TIMEOUT", None) or 0))
    if config["LEASE_SECONDS"] < 2 * longest:
        found.append(
            checks.Warning(
                f"XINYIPI_OUTBOX_LEASE_SECONDS ({config['LEASE_SECONDS']:g}) should be at least twice the longest "
                f"delivery timeout ({longest:g} s)",
                hint="Raise XINYIPI_OUTBOX_LEASE_SECONDS or lower XINYIPI_SMS_TIMEOUT_SECONDS.",
                id="notifications.W001",
            )
        )
    if config["MAX_ATTEMPTS"] < 1:
        found.append(checks.Error("XINYIPI_OUTBOX_MAX_ATTEMPTS must be at least 1", id="notifications.E001"))
    return found
