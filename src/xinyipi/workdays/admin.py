from django.contrib import admin

from xinyipi.workdays.models import CalendarYear, Holiday
from xinyipi.workdays.selectors import calendar_warnings
from xinyipi.workdays.services import calendar_year_save, holiday_delete, holiday_save


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "kind", "source"]
    list_filter = ["kind", "source", ("date", admin.DateFieldListFilter)]
    search_fields = ["name"]
    date_hierarchy = "date"

    def changelist_view(self, request, extra_context=None):
        for warning in calendar_warnings():
            self.message_user(request, warning, level="warning")
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = Holiday.Source.MANUAL
        holiday_save(actor=request.user, holiday=obj)

    def delete_model(self, request, obj):
        holiday_delete(actor=request.user, holiday=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            holiday_delete(actor=request.user, holiday=obj)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "covered", "source", "note"]

    def changelist_view(self, request, extra_context=None):
        for warning in calendar_warnings():
            self.message_user(request, warning, level="warning")
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        calendar_year_save(actor=request.user, calendar_year=obj)

    def has_delete_permission(self, request, obj=None):
        return False
