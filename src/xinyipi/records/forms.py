from django import forms
from django.utils.translation import gettext_lazy as _

from xinyipi.core.forms import LabelledErrors
from xinyipi.records.exporting import FORMATS


class RecordsExportForm(LabelledErrors, forms.Form):
    """A period of Beijing dates, both included, and a file format (DESIGN §6.1 ``export_records``)."""

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
    format = forms.ChoiceField(
        label=_("格式"),
        choices=[(f, f) for f in FORMATS],
        initial="xlsx",
        error_messages={"required": _("请选择格式。"), "invalid_choice": _("格式须为 jsonl、csv 或 xlsx 之一。")},
    )
