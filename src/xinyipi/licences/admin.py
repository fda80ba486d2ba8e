"""Read-only list of the licences issued, for the bureau: issued and revoked only with their case's approval
and revocation (``licences.services``), never by hand."""

from django.contrib import admin

from xinyipi.licences.models import Licence


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ("identifier", "name", "holder_name", "issued_on", "valid_until", "revoked_at")
    list_filter = ("issued_on",)
    search_fields = ("identifier", "holder_name", "application__number")
    list_select_related = ("holder",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
