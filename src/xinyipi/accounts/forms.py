from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from xinyipi.core.forms import LabelledErrors


class LoginForm(LabelledErrors, AuthenticationForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("该账号已停用。"),
    }


class OTPTokenForm(LabelledErrors, forms.Form):
    otp = forms.CharField(
        label=_("动态口令"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class StaffForm(LabelledErrors, forms.ModelForm):
    """A staff account as the bureau administrator keeps it: no superuser box, no raw groups or permissions.

    The rules of who may change what are ``services.staff_save``'s; ``clean`` asks it beforehand only to
    show a refusal beside the form instead of an error page.
    """

    roles = forms.MultipleChoiceField(label=_("角色"), required=False, widget=forms.CheckboxSelectMultiple)
    password1 = forms.CharField(
        label=_("新密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("新建账号必填；修改账号时留空表示不改密码。"),
    )
    password2 = forms.CharField(
        label=_("再次输入新密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    actor = None

    class Meta:
        from xinyipi.accounts.models import User

        model = User
        fields = ["username", "display_name", "email", "phone", "department", "is_active"]

    def __init__(self, *args, **kwargs):
        from xinyipi.accounts import roles

        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(key, label) for key, label in roles.ROLE_LABELS.items()]
        if self.instance.pk:
            self.fields["roles"].initial = roles.roles_of(self.instance)
        actor = self.actor
        if actor is not None and self.instance.pk == actor.pk and not actor.is_superuser:
            for name in ("roles", "department", "is_active"):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("不能修改自己的角色、部门或启用状态，请由其他管理员办理。")

    def clean(self):
        import copy

        from django.contrib.auth.password_validation import validate_password

        from xinyipi.accounts.services import staff_save_check
        from xinyipi.core.errors import DomainError

        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if not self.instance.pk and not password1:
            self.add_error("password1", _("新建账号须设置密码。"))
        if password1 and password1 != password2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        if self.errors:
            return cleaned
        candidate = copy.copy(self.instance)
        for name in self._meta.fields:
            if name in cleaned:
                setattr(candidate, name, cleaned[name])
        if password1:
            try:
                validate_password(password1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
                return cleaned
        try:
            staff_save_check(actor=self.actor, user=candidate, roles_wanted=set(cleaned.get("roles") or []))
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return cleaned
