"""Every form people fill in names the field at fault in its messages (no stock "确保该值不超过 100 个字符")."""

import importlib
import pkgutil

import pytest
from django import forms
from django.utils import translation

import xinyipi
from xinyipi.core.forms import LabelledErrors


def _project_forms() -> list[type]:
    for module in pkgutil.walk_packages(xinyipi.__path__, "xinyipi."):
        if not any(part in module.name for part in (".tests", ".migrations", ".management", ".conf.", "wsgi")):
            importlib.import_module(module.name)
    found, stack = [], [forms.BaseForm]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("xinyipi.") and ".tests" not in cls.__module__:
            found.append(cls)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_every_form_of_the_project_names_its_fields_in_its_messages():
    forms_found = _project_forms()
    assert len(forms_found) > 30
    assert [f"{c.__module__}.{c.__qualname__}" for c in forms_found if not issubclass(c, LabelledErrors)] == []


class _Sample(LabelledErrors, forms.Form):
    name = forms.CharField(label="企业名称", max_length=100)
    kind = forms.ChoiceField(label="主体类型", choices=[("person", "个人")])
    start = forms.DateField(label="开始日期", required=False)
    days = forms.IntegerField(label="天数", min_value=1, required=False)
    own = forms.CharField(label="备注", required=True, error_messages={"required": "请说明理由。"})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "企" * 101}, {"name": "企业名称不能超过 100 个字（现有 101 个）。"}),
        ({}, {"name": "请填写企业名称。", "kind": "请选择主体类型。", "own": "请说明理由。"}),
        ({"kind": "robot"}, {"kind": "主体类型：请从所列选项中选择。"}),
        ({"start": "2026-13-40"}, {"start": "开始日期不是有效的日期，请按“年-月-日”填写。"}),
        ({"days": "0"}, {"days": "天数不能小于 1。"}),
    ],
)
def test_messages_name_the_field_and_the_limit(data, expected):
    with translation.override("zh-hans"):
        form = _Sample(data)
        form.is_valid()
        errors = {field: form.errors[field][0] for field in expected}
    assert errors == expected
