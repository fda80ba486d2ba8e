from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "xinyipi.bookings"
    label = "bookings"
    verbose_name = _("上门服务与帮办代办")
