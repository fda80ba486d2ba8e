"""Forms of 好差评: the rating of a service event, the answer to a 差评, the period of the national export."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xinyipi.core.forms import LabelledErrors, PeriodForm
from xinyipi.ratings.exporting import FORMATS
from xinyipi.ratings.models import Level, ServiceEvent


class _DomainErrors(LabelledErrors):
    def add_domain_error(self, exc) -> None:
        """A service's refusal next to the field it names (or above the form)."""
        self.add_error(exc.field if exc.field in self.fields else None, str(exc.message))


class RatingForm(_DomainErrors, forms.Form):
    """The five national levels (5 非常满意 … 1 非常不满意) for one service event not rated yet."""

    event = forms.ChoiceField(
        label=_("评价的服务"),
        error_messages={"required": _("请选择评价的服务。"), "invalid_choice": _("这项服务已经评价过或尚未发生。")},
    )
    score = forms.TypedChoiceField(
        label=_("满意度"),
        coerce=int,
        choices=sorted(Level.choices, reverse=True),
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意度。"), "invalid_choice": _("满意度只能是五个等级之一。")},
    )
    comment = forms.CharField(
        label=_("评价内容（选填；不满意时请写明问题，便于部门整改）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("评价内容不能超过 500 字。")},
    )

    def __init__(self, *args, events: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ServiceEvent.choices)
        self.fields["event"].choices = [(e, labels[e]) for e in events]
        if events:
            self.fields["event"].initial = events[-1]


class FollowUpAnswerForm(_DomainErrors, forms.Form):
    """The three steps of a 差评 follow-up: call back and verify, fix, report back to the applicant."""

    call_back = forms.CharField(
        label=_("回访核实（何时、如何联系申请人，核实的情况）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写回访核实情况。")},
    )
    rectification = forms.CharField(
        label=_("整改措施（立行立改或限期整改的内容；无法整改的说明依据）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    answer = forms.CharField(
        label=_("反馈申请人（申请人将在办件页面和站内消息中看到）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写向申请人反馈的整改结果。")},
    )


class RatingsExportForm(_DomainErrors, PeriodForm):
    """A period of Beijing dates, both included, and a file format."""

    format = forms.ChoiceField(
        label=_("格式"),
        choices=[(f, f) for f in FORMATS],
        initial="xlsx",
        error_messages={"required": _("请选择格式。"), "invalid_choice": _("格式须为 csv 或 xlsx。")},
    )
