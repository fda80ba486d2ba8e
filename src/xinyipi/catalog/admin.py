"""The bureau's admin for the catalog. Forms only collect input: the guard runs while the forms are
validated (its faults are shown on the form and nothing is saved) and every save goes through the
services, audited."""

import re

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from xinyipi.catalog.exclusions import domain_choices
from xinyipi.catalog.models import Material, Matter
from xinyipi.catalog.resources import MaterialResource, MatterResource
from xinyipi.catalog.services import (
    MATERIAL_FIELDS,
    MATTER_FIELDS,
    material_create,
    material_delete,
    material_update,
    matter_check,
    matter_create,
    matter_delete,
    matter_update,
)
from xinyipi.core.admin_formats import SAFE_FORMATS
from xinyipi.core.errors import ValidationFailed
from xinyipi.core.forms import LabelledErrors

SERVER_TYPES = [
    ("1", _("自然人")),
    ("2", _("企业法人")),
    ("3", _("事业法人")),
    ("4", _("社会组织法人")),
    ("5", _("行政机关")),
    ("6", _("其他组织")),
]
HANDLE_TYPES = [
    ("1", _("窗口办理")),
    ("2", _("电脑端网上办理")),
    ("3", _("移动端网上申请")),
    ("4", _("快递申请")),
    ("9", _("其他")),
]
_MATERIAL_FIELD = re.compile(r"materials\.(\d+)\.(\w+)")


class MatterForm(LabelledErrors, forms.ModelForm):
    excluded_domains = forms.MultipleChoiceField(
        label=_("涉及的除外领域"),
        choices=domain_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("涉及告知承诺或容缺受理除外领域的事项，保存时会被拒绝实行相应便利措施。"),
    )
    server_type = forms.MultipleChoiceField(
        label=_("服务对象"), choices=SERVER_TYPES, required=False, widget=forms.CheckboxSelectMultiple
    )
    handle_type = forms.MultipleChoiceField(
        label=_("办理形式"), choices=HANDLE_TYPES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Matter
        fields = MATTER_FIELDS


class MaterialInlineFormSet(BaseInlineFormSet):
    """Runs the guard over the matter (as edited in the main form) and its materials (as edited here)."""

    def kept_forms(self):
        kept = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or (not form.instance.pk and not form.has_changed()):
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            kept.append(form)
        return kept

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        for form in self.deleted_forms:
            if form.instance.pk is None:
                continue
            try:  # what a delete would cascade to, without deleting: a material cases refer to stays
                Collector(using=form.instance._state.db or "default").collect([form.instance])
            except (ProtectedError, RestrictedError) as exc:
                raise ValidationError(
                    _("“%(name)s”已被办件引用，不能删除。") % {"name": form.instance.name}, code="material_in_use"
                ) from exc
        kept = self.kept_forms()
        try:
            matter_check(matter=self.instance, materials=[form.instance for form in kept])
        except ValidationFailed as exc:
            general = []
            for error in exc.errors:
                match = _MATERIAL_FIELD.fullmatch(error.field or "")
                if match and int(match.group(1)) < len(kept) and match.group(2) in kept[int(match.group(1))].fields:
                    kept[int(match.group(1))].add_error(match.group(2), error.message)
                    continue
                label = _field_label(error.field)
                general.append(
                    ValidationError(f"{label}：{error.message}" if label else str(error.message), code=error.code)
                )
            if general:
                raise ValidationError(general) from exc


def _field_label(name: str | None) -> str:
    if not name:
        return ""
    try:
        return str(Matter._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a guard field that is not a model field keeps its code name
        return name


class MaterialInline(admin.TabularInline):
    model = Material
    formset = MaterialInlineFormSet
    extra = 0
    fields = [
        "order",
        "code",
        "name",
        "essential",
        "tolerable",
        "certificate",
        "replaceable",
        "material_type",
        "material_format",
        "source_type",
        "issuer",
        "original_num",
        "copy_num",
        "licence_type_code",
    ]


@admin.register(Matter)
class MatterAdmin(ImportExportModelAdmin):
    form = MatterForm
    resource_classes = [MatterResource]
    formats = SAFE_FORMATS
    inlines = [MaterialInline]
    list_display = ["name", "code", "department", "commitment_kind", "tolerance", "instant", "promised_days", "status"]
    list_filter = ["department", "commitment_kind", "tolerance", "instant", "status", "task_type"]
    search_fields = ["name", "code", "catalog_code"]
    list_select_related = ["department"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (
            _("基本信息"),
            {"fields": ["name", "code", "catalog_code", "department", "task_type", "use_level", "status", "version"]},
        ),
        (
            _("信易批"),
            {
                "fields": [
                    "instant",
                    "commitment_kind",
                    "verification_days",
                    "verification_mode",
                    "tolerance",
                    "supplement_days",
                    "excluded_domains",
                ]
            },
        ),
        (
            _("办事指南"),
            {
                "fields": [
                    "server_type",
                    "legal_basis",
                    "accept_condition",
                    ("statutory_days", "statutory_day_unit"),
                    ("promised_days", "promised_day_unit"),
                    "project_type",
                    "handle_type",
                    "limit_scene_num",
                    "is_fee",
                    "fee_basis",
                    "transact_addr",
                    "transact_time",
                    "consult_phone",
                    "complain_phone",
                    "review_dept",
                    "litigation_dept",
                    "result_type",
                    "result_name",
                    "issues_e_cert",
                    "licence_type_code",
                    "licence_validity_years",
                    "service_guide",
                    "faq",
                ]
            },
        ),
        (_("记录"), {"fields": ["created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        """Nothing here: the matter is written with its materials in ``save_related``, by the services."""

    def save_related(self, request, form, formsets, change):
        materials_formset = next(f for f in formsets if isinstance(f, MaterialInlineFormSet))
        rows = []
        for material_form in materials_formset.kept_forms():
            row = {k: v for k, v in material_form.cleaned_data.items() if k in MATERIAL_FIELDS}
            if material_form.instance.pk:
                row["id"] = material_form.instance.pk
            rows.append(row)
        data = {k: v for k, v in form.cleaned_data.items() if k in MATTER_FIELDS}
        if change:
            matter = matter_update(actor=request.user, matter=form.instance, data=data, materials=rows)
        else:
            matter = matter_create(actor=request.user, data=data, materials=rows)
            form.instance.pk = matter.pk
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        matter_delete(actor=request.user, matter=obj)

    def delete_queryset(self, request, queryset):
        for matter in queryset:
            matter_delete(actor=request.user, matter=matter)


class MaterialForm(LabelledErrors, forms.ModelForm):
    class Meta:
        model = Material
        fields = ["matter", *MATERIAL_FIELDS]

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self.instance.matter_id is None:
            return
        matter = self.instance.matter
        rows = [m for m in matter.materials.all() if m.pk != self.instance.pk]
        rows.append(self.instance)
        try:
            matter_check(matter=matter, materials=rows)
        except ValidationFailed as exc:
            for error in exc.errors:
                match = _MATERIAL_FIELD.fullmatch(error.field or "")
                if match and int(match.group(1)) == len(rows) - 1 and match.group(2) in self.fields:
                    self.add_error(match.group(2), error.message)
                else:
                    label = _field_label(error.field)
                    self.add_error(None, f"{label}：{error.message}" if label else str(error.message))


@admin.register(Material)
class MaterialAdmin(ImportExportModelAdmin):
    form = MaterialForm
    resource_classes = [MaterialResource]
    formats = SAFE_FORMATS
    list_display = ["name", "code", "matter", "essential", "tolerable", "certificate", "replaceable"]
    list_filter = ["essential", "tolerable", "certificate", "replaceable", "matter__department"]
    search_fields = ["name", "code", "matter__name", "matter__code"]
    list_select_related = ["matter", "matter__department"]
    autocomplete_fields = ["matter"]

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k in MATERIAL_FIELDS}
        if change:
            material_update(actor=request.user, material=obj, data=data)
        else:
            saved = material_create(actor=request.user, matter=obj.matter, data=data)
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        material_delete(actor=request.user, material=obj)

    def delete_queryset(self, request, queryset):
        for material in queryset:
            material_delete(actor=request.user, material=material)
