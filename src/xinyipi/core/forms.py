"""Form error messages that name their field: "企业名称不能超过 200 个字" rather than Django's stock
"确保该值不超过 200 个字符", which leaves a person guessing which box is meant once the page has several."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def _required(field: forms.Field):
    if isinstance(field, forms.FileField):
        return _("请上传{label}。")
    if isinstance(field, forms.ChoiceField | forms.BooleanField | forms.ModelChoiceField):
        return _("请选择{label}。")
    return _("请填写{label}。")


def _messages(field: forms.Field) -> dict:
    label = field.label or ""
    messages = {
        "required": format_lazy(_required(field), label=label),
        "invalid_choice": format_lazy(_("{label}：请从所列选项中选择。"), label=label),
    }
    if isinstance(field, forms.CharField):
        messages["max_length"] = format_lazy(
            _("{label}不能超过 %(limit_value)d 个字（现有 %(show_value)d 个）。"), label=label
        )
        messages["min_length"] = format_lazy(
            _("{label}至少要有 %(limit_value)d 个字（现有 %(show_value)d 个）。"), label=label
        )
    if isinstance(field, forms.DateField | forms.DateTimeField):
        messages["invalid"] = format_lazy(_("{label}不是有效的日期，请按“年-月-日”填写。"), label=label)
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        messages["invalid"] = format_lazy(_("{label}应为数字。"), label=label)
        messages["max_value"] = format_lazy(_("{label}不能大于 %(limit_value)s。"), label=label)
        messages["min_value"] = format_lazy(_("{label}不能小于 %(limit_value)s。"), label=label)
    if isinstance(field, forms.FileField):
        messages["max_length"] = format_lazy(
            _("{label}的文件名不能超过 %(max)d 个字（现有 %(length)d 个）。"), label=label
        )
        messages["empty"] = format_lazy(_("{label}是空文件。"), label=label)
    return messages


def _stock(field: forms.Field) -> dict:
    """Django's own messages of the field's class (what ``error_messages=`` did not override)."""
    stock = {}
    for cls in reversed(type(field).__mro__):
        stock.update(getattr(cls, "default_error_messages", {}))
    return stock


class LabelledErrors:
    """Mixin for every form people fill in: the stock messages of each field are replaced by ones that name
    it. Messages a form sets itself (``error_messages=``) are kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            stock = _stock(field)
            for code, message in _messages(field).items():
                if code not in field.error_messages or field.error_messages[code] is stock.get(code):
                    field.error_messages[code] = message


class PeriodForm(LabelledErrors, forms.Form):
    """A period of Beijing dates, both included, as the exports ask for it (``start`` and ``end``)."""

    start = forms.DateField(
        label=_("起始日期"),
        input_formats=["%Y-%m-%d"],
        error_messages={"required": _("请填写起始日期。"), "invalid": _("起始日期须为 YYYY-MM-DD 格式。")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("截止日期"),
        input_formats=["%Y-%m-%d"],
        error_messages={"required": _("请填写截止日期。"), "invalid": _("截止日期须为 YYYY-MM-DD 格式。")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
