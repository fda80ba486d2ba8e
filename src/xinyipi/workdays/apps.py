from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def seed_when_empty(sender, using="default", **kwargs) -> None:
    """A fresh database starts with the chinesecalendar schedule; the bureau edits it from then on."""
    from xinyipi.workdays.models import CalendarYear, Holiday
    from xinyipi.workdays.seed import PACKAGE_SOURCE, package_rows, package_years

    if CalendarYear.objects.using(using).exists():
        return
    Holiday.objects.using(using).bulk_create(
        [Holiday(date=d, kind=k, name=n, source=Holiday.Source.PACKAGE) for d, k, n in package_rows()],
        ignore_conflicts=True,
    )
    CalendarYear.objects.using(using).bulk_create(
        [CalendarYear(year=y, covered=True, source=PACKAGE_SOURCE) for y in package_years()], ignore_conflicts=True
    )
    from xinyipi.workdays.calendar import table

    table.invalidate()


class WorkdaysConfig(AppConfig):
    name = "xinyipi.workdays"
    label = "workdays"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        post_migrate.connect(seed_when_empty, sender=self, dispatch_uid="xinyipi-workdays-seed")
