from django import forms
from django.utils.translation import gettext_lazy as _

from xinyipi.core.forms import LabelledErrors
from xinyipi.credit.categories import Category, Grade, Purpose, Severity
from xinyipi.credit.models import ManualEntry


class CheckForm(LabelledErrors, forms.Form):
    query = forms.CharField(
        label=_("统一社会信用代码 / 身份证号码 / 激励卡号"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "placeholder": _("输入代码或卡号")}),
    )
    incentive_card = forms.CharField(
        label=_("出示的激励卡号（可选）"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    purpose = forms.ChoiceField(label=_("核查目的"), choices=Purpose.choices, initial=Purpose.WINDOW_ENQUIRY)
    subject_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("query", "").strip() and not data.get("subject_id"):
            self.add_error("query", _("请输入统一社会信用代码、居民身份证号码或激励卡号。"))
        return data


class ManualEntryForm(LabelledErrors, forms.Form):
    site = forms.ChoiceField(label=_("查询的官方网站"), choices=ManualEntry.Site.choices)
    category = forms.ChoiceField(
        label=_("网站显示的记录类别"),
        choices=[("", _("未发现不良记录")), *Category.choices],
        required=False,
    )
    document_number = forms.CharField(label=_("文书号"), max_length=200, required=False)
    authority = forms.CharField(label=_("认定机关"), max_length=200, required=False)
    decided_on = forms.DateField(label=_("决定日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    publicity_until = forms.DateField(
        label=_("公示截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    severity = forms.ChoiceField(
        label=_("严重程度（行政处罚）"), choices=[("", "—"), *Severity.choices], required=False
    )
    grade = forms.ChoiceField(label=_("纳税信用等级"), choices=[("", "—"), *Grade.choices], required=False)
    summary = forms.CharField(label=_("事由"), max_length=300, required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("信用报告 PDF 或网页截图"))

    def findings(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("category"):
            return []
        return [
            {
                "category": data["category"],
                "document_number": data.get("document_number", ""),
                "authority": data.get("authority", ""),
                "decided_on": data.get("decided_on"),
                "publicity_until": data.get("publicity_until"),
                "severity": data.get("severity", ""),
                "grade": data.get("grade", ""),
                "summary": data.get("summary", ""),
            }
        ]


def add_domain_error(form: forms.Form, exc) -> None:
    """Show a ``DomainError`` (or each error of a ``ValidationFailed``) on the field it names."""
    errors = getattr(exc, "errors", None) or [exc]
    for error in errors:
        field = (error.field or "").split(".")[-1]
        form.add_error(field if field in form.fields else None, str(error.message))
