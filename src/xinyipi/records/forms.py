from django import forms
from django.utils.translation import gettext_lazy as _

from xinyipi.core.forms import PeriodForm
from xinyipi.records.exporting import FORMATS


class RecordsExportForm(PeriodForm):
    """A period of Beijing dates, both included, and a file format (DESIGN §6.1 ``export_records``)."""

    format = forms.ChoiceField(
        label=_("格式"),
        choices=[(f, f) for f in FORMATS],
        initial="xlsx",
        error_messages={"required": _("请选择格式。"), "invalid_choice": _("格式须为 jsonl、csv 或 xlsx 之一。")},
    )
