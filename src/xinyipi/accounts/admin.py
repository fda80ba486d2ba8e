from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinyipi.accounts.models import Department, User
from xinyipi.accounts.services import department_save, user_save, user_snapshot


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "short_name", "phone", "is_active"]
    search_fields = ["name", "code"]

    def save_model(self, request, obj, form, change):
        department_save(actor=request.user, department=obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "department", "is_staff", "is_active"]
    list_filter = ["department", "groups", "is_staff", "is_active"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("信易批"), {"fields": ("display_name", "department", "phone")}),
    )

    def save_model(self, request, obj, form, change):
        # The admin saves groups after the user (save_related, same transaction): the audit entry is
        # written there, with the state read here as "before".
        request.audit_before = user_snapshot(User.objects.get(pk=obj.pk)) if change else {}
        obj.save()

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            user_save(actor=request.user, user=form.instance, before=getattr(request, "audit_before", None) or None)

    def has_delete_permission(self, request, obj=None):
        return False
