"""Writes to the holiday table. Every write is audited and refreshes this process's calendar at once."""

from django.core.exceptions import ValidationError
from django.db import transaction

from xinyipi.audit.services import audit_record, snapshot
from xinyipi.core.errors import from_django_validation
from xinyipi.workdays import seed
from xinyipi.workdays.calendar import table
from xinyipi.workdays.models import CalendarYear, Holiday


def _clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise from_django_validation(exc) from exc


def _refresh_calendar() -> None:
    """This process sees the change at once; on commit, again, in case a reload raced the commit."""
    table.invalidate()
    transaction.on_commit(table.invalidate)


def holiday_save(*, actor, holiday: Holiday) -> Holiday:
    with transaction.atomic():
        before = snapshot(Holiday.objects.get(pk=holiday.pk)) if holiday.pk else None
        _clean(holiday)
        holiday.save()
        CalendarYear.objects.get_or_create(year=holiday.date.year, defaults={"covered": False})
        audit_record(actor=actor, action="workdays.holiday.save", obj=holiday, before=before, after=snapshot(holiday))
        _refresh_calendar()
    return holiday


def holiday_delete(*, actor, holiday: Holiday) -> None:
    with transaction.atomic():
        before = snapshot(holiday)
        pk = holiday.pk
        holiday.delete()
        audit_record(
            actor=actor,
            action="workdays.holiday.delete",
            object_type="workdays.holiday",
            object_id=str(pk),
            before=before,
        )
        _refresh_calendar()


def calendar_year_save(*, actor, calendar_year: CalendarYear) -> CalendarYear:
    with transaction.atomic():
        before = snapshot(CalendarYear.objects.get(pk=calendar_year.pk)) if calendar_year.pk else None
        _clean(calendar_year)
        calendar_year.save()
        audit_record(
            actor=actor, action="workdays.year.save", obj=calendar_year, before=before, after=snapshot(calendar_year)
        )
        _refresh_calendar()
    return calendar_year


def holidays_seed_from_package(*, actor=None) -> dict:
    """Add what the package knows and the table lacks; rows entered by hand are never overwritten."""
    created = 0
    with transaction.atomic():
        existing = set(Holiday.objects.values_list("date", flat=True))
        new_rows = [
            Holiday(date=day, kind=kind, name=name, source=Holiday.Source.PACKAGE)
            for day, kind, name in seed.package_rows()
            if day not in existing
        ]
        Holiday.objects.bulk_create(new_rows)
        created = len(new_rows)
        years_added = []
        for year in seed.package_years():
            _obj, made = CalendarYear.objects.get_or_create(
                year=year, defaults={"covered": True, "source": seed.PACKAGE_SOURCE}
            )
            if made:
                years_added.append(year)
        audit_record(
            actor=actor,
            action="workdays.seed",
            object_type="workdays.holiday",
            after={"created": created, "years_added": years_added, "source": seed.PACKAGE_SOURCE},
            actor_label=None if actor else "system:seed_holidays",
        )
        _refresh_calendar()
    return {"created": created, "years_added": years_added}
