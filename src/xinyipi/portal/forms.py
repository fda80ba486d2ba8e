from django import forms
from django.utils.translation import gettext_lazy as _

from xinyipi.core.forms import LabelledErrors
from xinyipi.subjects.models import Subject


class RegisterForm(LabelledErrors, forms.Form):
    """An applicant's account: who signs in, and the subject the account acts for."""

    kind = forms.ChoiceField(
        label=_("注册身份"),
        choices=[(Subject.Kind.PERSON, _("个人（本人办理）")), (Subject.Kind.ENTERPRISE, _("企业经办人"))],
        widget=forms.RadioSelect,
        initial=Subject.Kind.PERSON,
    )
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput(render_value=False))
    password_again = forms.CharField(label=_("再次输入密码"), strip=False, widget=forms.PasswordInput)
    name = forms.CharField(label=_("姓名"), max_length=100)
    mobile = forms.CharField(label=_("手机号码"), max_length=20)
    id_number = forms.CharField(label=_("居民身份证号码"), max_length=30, required=False)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    enterprise_name = forms.CharField(label=_("企业名称"), max_length=200, required=False)
    authorisation = forms.CharField(
        label=_("授权委托说明（委托书编号、授权事项和期限）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("两次输入的密码不一致。"))
        return data

    def add_domain_error(self, exc) -> None:
        for error in getattr(exc, "errors", None) or [exc]:
            field = (error.field or "").split(".")[-1]
            self.add_error(field if field in self.fields else None, str(error.message))

    def register_fields(self) -> dict:
        """The arguments of ``applicant_register``: the cleaned values, or the values as typed where a field
        did not clean, so that the service can still report what else is wrong."""
        data = {name: self.cleaned_data.get(name, self.data.get(name, "")) for name in self.fields}
        person = data["kind"] == Subject.Kind.PERSON
        return {
            "username": data["username"],
            "password": data["password"],
            "name": data["name"],
            "mobile": data["mobile"],
            "kind": data["kind"],
            "code": data["id_number"] if person else data["uscc"],
            "enterprise_name": "" if person else data["enterprise_name"],
            "authorisation": "" if person else data["authorisation"],
        }

    def add_errors_not_shown(self, errors) -> None:
        """The service's faults of the fields the form has not already faulted (one message per field)."""
        for error in errors:
            field = (error.field or "").split(".")[-1]
            if field in self.fields and not self.has_error(field):
                self.add_error(field, str(error.message))


class LinkRequestForm(LabelledErrors, forms.Form):
    """申请关联主体: one more subject the account asks to act for — itself as a person, or an enterprise."""

    kind = forms.ChoiceField(
        label=_("关联主体类型"),
        choices=[(Subject.Kind.ENTERPRISE, _("企业")), (Subject.Kind.PERSON, _("本人（个人）"))],
        widget=forms.RadioSelect,
        initial=Subject.Kind.ENTERPRISE,
    )
    relation = forms.ChoiceField(
        label=_("您与企业的关系"),
        choices=[("agent", _("委托代理人（经办人）")), ("legal_representative", _("法定代表人"))],
        widget=forms.RadioSelect,
        initial="agent",
        required=False,
    )
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    enterprise_name = forms.CharField(label=_("企业名称"), max_length=200, required=False)
    authorisation = forms.CharField(
        label=_("授权委托说明（委托书编号、授权事项和期限）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    id_number = forms.CharField(label=_("本人居民身份证号码"), max_length=30, required=False)

    def add_domain_error(self, exc) -> None:
        for error in getattr(exc, "errors", None) or [exc]:
            field = (error.field or "").split(".")[-1]
            if field == "name":
                field = "enterprise_name" if self.data.get("kind") == Subject.Kind.ENTERPRISE else "id_number"
            self.add_error(field if field in self.fields else None, str(error.message))


class LinkCodeForm(LabelledErrors, forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
