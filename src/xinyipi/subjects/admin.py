from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from xinyipi.subjects.forms import SubjectAdminAddForm, SubjectAdminChangeForm
from xinyipi.subjects.models import Subject
from xinyipi.subjects.selectors import subject_by_id, subject_key
from xinyipi.subjects.services import UPDATABLE_FIELDS, subject_register, subject_update

_ADD_FIELDS = ["kind", "code", *UPDATABLE_FIELDS]
_CHANGE_FIELDS = ["kind", "code_display", *UPDATABLE_FIELDS, "created_at", "updated_at"]


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    """The bureau's view of the registry. Writes go through the services (validated and audited); the
    ciphertext and the blind index are never shown, and subjects are never deleted (records point to them)."""

    list_display = ["code_display", "kind", "name", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    search_help_text = _("按名称搜索；输入完整代码可精确查找。")
    show_full_result_count = False
    ordering = ["-id"]

    def get_fields(self, request, obj=None):
        return _ADD_FIELDS if obj is None else _CHANGE_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["kind", "code_display", "created_at", "updated_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = SubjectAdminAddForm if obj is None else SubjectAdminChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results = results | queryset.filter(code_hash=subject_key(search_term))
        return results, may_have_duplicates

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            current = subject_by_id(actor=request.user, subject_id=obj.pk)
            subject_update(
                actor=request.user,
                subject=current,
                **{f: data[f] for f in form.changed_data if f in UPDATABLE_FIELDS},
            )
            return
        subject = subject_register(
            actor=request.user, kind=data["kind"], code=data["code"], **{f: data[f] for f in UPDATABLE_FIELDS}
        )
        # The admin goes on to log and redirect with ``obj``: give it the registered row.
        for field in Subject._meta.concrete_fields:
            setattr(obj, field.attname, getattr(subject, field.attname))
        obj._state.adding = False
