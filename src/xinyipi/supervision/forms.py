"""Forms of the city list's pages. They only collect: the services check every value (the same checks as
the API) and their errors are shown next to the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xinyipi.core.forms import LabelledErrors
from xinyipi.supervision.models import BlacklistEntry


class DomainErrorsForm(LabelledErrors, forms.Form):
    def add_domain_error(self, exc) -> None:
        for error in getattr(exc, "errors", None) or [exc]:
            field = (error.field or "").split(".")[0]
            self.add_error(field if field in self.fields else None, str(error.message))


class ProposalForm(DomainErrorsForm):
    subject_code = forms.CharField(label=_("统一社会信用代码或居民身份证号码"), max_length=40)
    reason = forms.ChoiceField(label=_("列入事由"), choices=BlacklistEntry.Reason.choices)
    reason_text = forms.CharField(
        label=_("事由说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    severity = forms.ChoiceField(
        label=_("失信信息类别"), choices=BlacklistEntry.Severity.choices, initial=BlacklistEntry.Severity.GENERAL
    )
    basis = forms.CharField(
        label=_("列入依据（留空则使用本名单的依据）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.CharField(label=_("证据"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class StatementForm(DomainErrorsForm):
    statement = forms.CharField(
        label=_("陈述"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class ObjectionDecisionForm(DomainErrorsForm):
    outcome = forms.ChoiceField(
        label=_("处理结果"),
        choices=[("uphold", _("异议成立，撤回拟列入")), ("dismiss", _("异议不成立"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("理由（异议不成立时必填）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RepairDecisionForm(DomainErrorsForm):
    outcome = forms.ChoiceField(
        label=_("决定"),
        choices=[("approve", _("准予修复（立即移出黑名单）")), ("refuse", _("不予修复"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("理由（不予修复时必填）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
