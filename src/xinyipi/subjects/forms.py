"""Forms of the console and the admin. They only parse and pre-check; writes go through ``services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xinyipi.core.errors import DomainError
from xinyipi.core.forms import LabelledErrors
from xinyipi.subjects.models import Subject
from xinyipi.subjects.selectors import subject_code_taken
from xinyipi.subjects.services import UPDATABLE_FIELDS, SubjectExists, subject_details_clean
from xinyipi.subjects.validators import validate_subject_code

CODE_HELP = _("企业填写 18 位统一社会信用代码，个人填写 18 位居民身份证号码；空格和短横线会自动去除。")


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's error next to the field it names (or above the form)."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


class _DetailsChecks:
    """The service's own checks of name and contacts, run per field so that every fault shows at once."""

    def _check_details(self, cleaned: dict) -> None:
        for field in UPDATABLE_FIELDS:
            if field in self.fields and field in cleaned:
                try:
                    cleaned[field] = subject_details_clean(**{field: cleaned[field]})[field]
                except DomainError as exc:
                    add_domain_error(self, exc)

    def _check_code(self, cleaned: dict) -> None:
        kind, code = cleaned.get("kind"), cleaned.get("code")
        if not kind or code is None:
            return
        try:
            normalised = validate_subject_code(kind, code)
        except DomainError as exc:
            add_domain_error(self, exc)
            return
        if subject_code_taken(normalised):
            add_domain_error(self, SubjectExists())


class SubjectRegisterForm(_DetailsChecks, LabelledErrors, forms.Form):
    kind = forms.ChoiceField(
        label=_("主体类型"),
        choices=Subject.Kind.choices,
        initial=Subject.Kind.ENTERPRISE,
        # A person has no legal representative: the field shows for enterprises only.
        widget=forms.RadioSelect(attrs={"data-section-toggle": ""}),
    )
    code = forms.CharField(label=_("统一社会信用代码 / 身份证号码"), max_length=64, help_text=CODE_HELP)
    name = forms.CharField(label=_("名称 / 姓名"), max_length=200)
    legal_representative = forms.CharField(label=_("法定代表人/负责人"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("住所/地址"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        self._check_code(cleaned)
        self._check_details(cleaned)
        return cleaned


class SubjectAdminAddForm(_DetailsChecks, LabelledErrors, forms.ModelForm):
    """The admin's add form: the code is typed once and never stored in a form field of the model."""

    code = forms.CharField(label=_("统一社会信用代码 / 身份证号码"), max_length=64, help_text=CODE_HELP)

    class Meta:
        model = Subject
        fields = ["kind", "code", "name", "legal_representative", "contact_phone", "address"]

    def clean(self):
        cleaned = super().clean()
        self._check_code(cleaned)
        self._check_details(cleaned)
        return cleaned


class SubjectAdminChangeForm(_DetailsChecks, LabelledErrors, forms.ModelForm):
    class Meta:
        model = Subject
        fields = ["name", "legal_representative", "contact_phone", "address"]

    def clean(self):
        cleaned = super().clean()
        self._check_details(cleaned)
        return cleaned
