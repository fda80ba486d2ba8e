"""The channel plugins shipped with the system; importing this package registers them."""

from xinyipi.notifications.contrib.email import plugin as email_plugin  # noqa: F401
from xinyipi.notifications.contrib.in_app import plugin as in_app_plugin  # noqa: F401
from xinyipi.notifications.contrib.sms import plugin as sms_plugin  # noqa: F401
