"""django-import-export resources for the admin's import/export buttons of Matter and Material.

Each imported row is validated by ``services.matter_check`` (so an excluded matter marked tolerable is
refused here as everywhere else, shown as a row error in the dry run) and written through the
services, audited. The whole-catalog import with all three sheets is ``manage.py import_catalog``.
"""

import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from xinyipi.accounts.models import Department
from xinyipi.catalog.models import Material, Matter
from xinyipi.catalog.services import (
    MATERIAL_FIELDS,
    MATTER_FIELDS,
    material_create,
    material_update,
    matter_check,
    matter_create,
    matter_update,
)
from xinyipi.core.errors import ValidationFailed

_TRUE = {"1", "true", "t", "yes", "y", "是", "√"}
_FALSE = {"0", "false", "f", "no", "n", "否", "×"}


class StrictBooleanWidget(widgets.BooleanWidget):
    """是/否, 1/0, true/false; anything else is a row error, never a silent False."""

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            return value
        token = str(value).strip().lower()
        if isinstance(value, float) and value.is_integer():
            token = str(int(value))
        if token in _TRUE:
            return True
        if token in _FALSE:
            return False
        raise ValueError(_("“%(v)s”不是有效的是/否值。") % {"v": value})

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "是" if value else "否"


def _guard_errors(exc: ValidationFailed, own_fields: set[str], material_index: int | None = None) -> ValidationError:
    """Guard faults as a django ValidationError keyed by resource field (others as non-field errors)."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        name = error.field or NON_FIELD_ERRORS
        match = re.fullmatch(r"materials\.(\d+)\.(\w+)", name)
        if match:
            name = match.group(2) if material_index == int(match.group(1)) else NON_FIELD_ERRORS
        if name not in own_fields:
            name = NON_FIELD_ERRORS
        errors.setdefault(name, []).append(f"{error.code}: {error.message}")
    return ValidationError(errors)


def _actor(kwargs):
    user = kwargs.get("user")
    return user if getattr(user, "is_authenticated", False) else None


class _GuardedResource(resources.ModelResource):
    def save_instance(self, instance, is_create, row, **kwargs):
        if not self._is_using_transactions(kwargs) and self._is_dry_run(kwargs):
            return
        self.before_save_instance(instance, row, **kwargs)
        saved = self.write(instance, is_create, _actor(kwargs))
        instance.pk = saved.pk
        self.after_save_instance(instance, row, **kwargs)


def _list_widget():
    return widgets.SimpleArrayWidget(separator=",")


class MatterResource(_GuardedResource):
    department = fields.Field(
        attribute="department", column_name="department", widget=widgets.ForeignKeyWidget(Department, "code")
    )
    server_type = fields.Field(attribute="server_type", column_name="server_type", widget=_list_widget())
    handle_type = fields.Field(attribute="handle_type", column_name="handle_type", widget=_list_widget())
    excluded_domains = fields.Field(attribute="excluded_domains", column_name="excluded_domains", widget=_list_widget())
    faq = fields.Field(attribute="faq", column_name="faq", widget=widgets.JSONWidget())

    class Meta:
        model = Matter
        import_id_fields = ["code"]
        fields = ["department", *[f for f in MATTER_FIELDS if f != "department"]]
        export_order = fields
        use_transactions = True
        skip_unchanged = True

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if f.get_internal_type() == "BooleanField":
            return StrictBooleanWidget
        return super().widget_from_django_field(f, default)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        super().validate_instance(instance, import_validation_errors, validate_unique)
        materials = list(instance.materials.all()) if instance.pk else []
        try:
            matter_check(matter=instance, materials=materials)
        except ValidationFailed as exc:
            raise _guard_errors(exc, set(MATTER_FIELDS)) from exc

    def write(self, instance, is_create, actor):
        data = {name: getattr(instance, name) for name in MATTER_FIELDS}
        if is_create or instance.pk is None:
            return matter_create(actor=actor, data=data)
        return matter_update(actor=actor, matter=instance, data=data)


class MaterialResource(_GuardedResource):
    matter = fields.Field(
        attribute="matter", column_name="matter_code", widget=widgets.ForeignKeyWidget(Matter, "code")
    )

    class Meta:
        model = Material
        import_id_fields = ["matter", "code"]
        fields = ["matter", *MATERIAL_FIELDS]
        export_order = fields
        use_transactions = True
        skip_unchanged = True

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if f.get_internal_type() == "BooleanField":
            return StrictBooleanWidget
        return super().widget_from_django_field(f, default)

    def get_queryset(self):
        return Material.objects.select_related("matter")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        super().validate_instance(instance, import_validation_errors, validate_unique)
        if instance.matter_id is None:
            raise ValidationError({"matter": [_("未知的事项实施编码。")]})
        matter = instance.matter
        rows = [m for m in matter.materials.all() if m.pk != instance.pk or instance.pk is None]
        rows.append(instance)
        try:
            matter_check(matter=matter, materials=rows)
        except ValidationFailed as exc:
            raise _guard_errors(exc, set(MATERIAL_FIELDS), material_index=len(rows) - 1) from exc

    def write(self, instance, is_create, actor):
        data = {name: getattr(instance, name) for name in MATERIAL_FIELDS}
        if is_create or instance.pk is None:
            return material_create(actor=actor, matter=instance.matter, data=data)
        return material_update(actor=actor, material=instance, data=data)
