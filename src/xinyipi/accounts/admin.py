from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from xinyipi.accounts import roles
from xinyipi.accounts.forms import StaffForm
from xinyipi.accounts.models import Department, User
from xinyipi.accounts.selectors import staff_editable_by, staff_for_actor
from xinyipi.accounts.services import department_save, staff_save
from xinyipi.core.errors import DomainError


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "short_name", "phone", "is_active"]
    search_fields = ["name", "code"]

    def save_model(self, request, obj, form, change):
        department_save(actor=request.user, department=obj)

    def has_delete_permission(self, request, obj=None):
        return False


class RoleFilter(admin.SimpleListFilter):
    title = _("角色")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return list(roles.ROLE_LABELS.items())

    def queryset(self, request, queryset):
        if self.value() in roles.ROLE_LABELS:
            return queryset.filter(groups__name=self.value())
        return queryset


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Staff accounts through ``staff_save``: the form has no superuser box, groups or permissions."""

    form = StaffForm
    list_display = ["username", "display_name", "department", "role_labels", "is_active"]
    list_filter = [RoleFilter, "department", "is_active"]
    search_fields = ["username", "display_name", "phone"]
    ordering = ["username"]
    readonly_fields = ["is_staff", "last_login", "date_joined"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["username", "display_name", "email", "phone", "department", "is_active"]}),
            (_("角色"), {"fields": ["roles"]}),
            (_("密码"), {"fields": ["password1", "password2"]}),
        ]
        if obj is not None:
            fieldsets.append((_("记录"), {"fields": ["is_staff", "last_login", "date_joined"]}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_queryset(self, request):
        return staff_for_actor(request.user, super().get_queryset(request)).prefetch_related("groups")

    @admin.display(description=_("角色"))
    def role_labels(self, obj):
        return "、".join(str(roles.ROLE_LABELS[g.name]) for g in obj.groups.all() if g.name in roles.ROLE_LABELS)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or staff_editable_by(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            staff_save(
                actor=request.user,
                user=obj,
                roles_wanted=set(form.cleaned_data.get("roles") or []),
                password=form.cleaned_data.get("password1") or None,
            )
        except DomainError as exc:
            # The form asked the same rule a moment ago; this is only reached when the stored row changed since.
            raise PermissionDenied(str(exc.message)) from exc

    def save_related(self, request, form, formsets, change):
        # Roles are written by staff_save; the form has no other relation to save.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin):
    """The role groups are ``roles_sync``'s: only a superuser sees them, and a superuser's edit is undone by the
    next migrate. Nobody else may read or change them, whatever permissions they hold."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False
