from django import forms
from django.utils.translation import gettext_lazy as _

from xinyipi.bookings.models import Kind, Slot
from xinyipi.core.forms import LabelledErrors


class BookingForm(LabelledErrors, forms.Form):
    """The applicant's booking. The form only collects: ``booking_request`` checks every value (the same
    checks as the API) and its errors are shown next to the field they name."""

    kind = forms.CharField(label=_("服务类别"), required=False, widget=forms.RadioSelect(choices=Kind.choices))
    matter = forms.CharField(label=_("办理事项（可选）"), required=False, max_length=50)
    date = forms.CharField(label=_("预约日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    slot = forms.CharField(label=_("时段"), required=False, widget=forms.RadioSelect(choices=Slot.choices))
    address = forms.CharField(label=_("服务地址（上门服务必填）"), required=False, max_length=300)
    phone = forms.CharField(label=_("联系手机"), required=False, max_length=30)
    note = forms.CharField(
        label=_("需要办理的事项和说明（可选）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    # The service names the field ``matter_code`` (the API's name); the form's field is ``matter``.
    _FIELD_OF = {"matter_code": "matter"}

    def add_domain_error(self, exc) -> None:
        for error in getattr(exc, "errors", None) or [exc]:
            field = self._FIELD_OF.get(error.field or "", error.field or "")
            self.add_error(field if field in self.fields else None, str(error.message))


class SpecialGrantForm(LabelledErrors, forms.Form):
    """A credit officer's grant of one booking for special circumstances; ``special_grant_give`` checks it."""

    subject_code = forms.CharField(label=_("统一社会信用代码或居民身份证号码"), max_length=40)
    kind = forms.ChoiceField(label=_("服务类别"), choices=Kind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("特殊情况说明（例如申请人年老、残疾、行动不便）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    _FIELD_OF = {"subject_code": "subject_code"}

    def add_domain_error(self, exc) -> None:
        for error in getattr(exc, "errors", None) or [exc]:
            field = error.field or ""
            self.add_error(field if field in self.fields else None, str(error.message))
