from django import forms
from django.utils.translation import gettext_lazy as _

from xinyipi.core.forms import LabelledErrors


class DeadlineForm(LabelledErrors, forms.Form):
    start = forms.DateField(label=_("起算日"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("工作日数"), min_value=0, max_value=3650)
