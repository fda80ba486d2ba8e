"""Seed the holiday table from the chinesecalendar package (the table is then the bureau's to edit)."""

from django.db import migrations


def seed(apps, schema_editor):
    from xinyipi.workdays.seed import PACKAGE_SOURCE, package_rows, package_years

    Holiday = apps.get_model("workdays", "Holiday")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    existing = set(Holiday.objects.values_list("date", flat=True))
    Holiday.objects.bulk_create(
        [Holiday(date=d, kind=k, name=n, source="chinesecalendar") for d, k, n in package_rows() if d not in existing]
    )
    for year in package_years():
        CalendarYear.objects.get_or_create(year=year, defaults={"covered": True, "source": PACKAGE_SOURCE})


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
