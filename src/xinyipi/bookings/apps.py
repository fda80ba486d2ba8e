from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "xinyipi.bookings"
    label = "bookings"
    verbose_name = _("上门服务与帮办代办")

    def ready(self):
        # R9: a listing taking effect cancels the subject's pending bookings.
        from xinyipi.bookings import services  # noqa: F401
