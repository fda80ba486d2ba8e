"""Forms of the case pages. They only parse input; the rules (which modes, which materials, the letter) are
the services'. A refusal from a service is put back on the field it names (``add_domain_error``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xinyipi.applications.models import Mode, Verification
from xinyipi.applications.services import ModeOffer
from xinyipi.catalog.models import Matter
from xinyipi.core.forms import LabelledErrors

MODES_NEEDING_ACCEPTANCE = {Mode.COMMITMENT, Mode.TOLERANCE}


class WindowStartForm(LabelledErrors, forms.Form):
    """The window's first step: who applies (code or incentive card) and for which matter."""

    query = forms.CharField(
        label=_("统一社会信用代码 / 身份证号码 / 激励卡号"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    incentive_card = forms.CharField(
        label=_("出示的激励卡号（可选）"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    matter = forms.CharField(
        label=_("申请事项（实施编码）"),
        max_length=50,
        widget=forms.TextInput(attrs={"list": "matter-options", "autocomplete": "off"}),
    )


class FilingForm(LabelledErrors, forms.Form):
    """Mode, materials brought (with optional files), certificates replaced, and the acceptance of the
    letter or pledge. Built for one matter and the modes offered to one subject."""

    mode = forms.ChoiceField(label=_("办理模式"), widget=forms.RadioSelect)
    materials = forms.MultipleChoiceField(label=_("提交的材料"), required=False, widget=forms.CheckboxSelectMultiple)
    certificates = forms.MultipleChoiceField(
        label=_("以告知承诺替代的证明材料"), required=False, widget=forms.CheckboxSelectMultiple
    )
    paper = forms.MultipleChoiceField(
        label=_("纸质材料到窗口提交"), required=False, widget=forms.CheckboxSelectMultiple
    )
    accepted = forms.BooleanField(label=_("我已阅读并接受上述文书的全部内容"), required=False)
    agent_name = forms.CharField(label=_("代理人姓名（委托办理时填写）"), max_length=100, required=False)
    agent_authorisation = forms.CharField(
        label=_("书面授权委托（委托书编号或内容）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, matter: Matter, offers: list[ModeOffer], window: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.matter = matter
        self.offers = offers
        self.window = window
        self.catalog = list(matter.materials.all())
        # Every mode is a choice: one not offered is refused by the service with its reason, next to the field.
        self.fields["mode"].choices = [(o.mode, Mode(o.mode).label) for o in offers]
        allowed = [o.mode for o in offers if o.allowed]
        if len(allowed) == 1:
            self.fields["mode"].initial = allowed[0]
        self.fields["materials"].choices = [(m.code, m.name) for m in self.catalog]
        self.fields["paper"].choices = [(m.code, m.name) for m in self.catalog]
        self.fields["certificates"].choices = [
            (m.code, m.name) for m in self.catalog if m.certificate and m.replaceable
        ]
        self.file_fields = {}
        for index, material in enumerate(self.catalog):
            name = f"file_{index}"
            self.fields[name] = forms.FileField(label=material.name, required=False)
            self.file_fields[material.code] = name
        if window:
            del self.fields["paper"]  # the window holds the paper in its hands
        else:
            del self.fields["agent_name"]
            del self.fields["agent_authorisation"]

    # -- what the template shows -------------------------------------------------------------------

    def material_rows(self) -> list[dict]:
        chosen = set(self._value("materials"))
        replaced = set(self._value("certificates"))
        paper = set(self._value("paper")) if "paper" in self.fields else set()
        return [
            {
                "material": m,
                "checked": m.code in chosen,
                "replaced": m.code in replaced,
                "paper": m.code in paper,
                "file": self[self.file_fields[m.code]],
            }
            for m in self.catalog
        ]

    def mode_rows(self) -> list[dict]:
        chosen = self._value("mode")
        chosen = chosen[0] if chosen else self.fields["mode"].initial
        return [
            {"offer": o, "label": Mode(o.mode).label, "checked": o.allowed and o.mode == chosen} for o in self.offers
        ]

    def letter_modes(self) -> list[str]:
        """The modes offered here that come with a letter to read before filing (the preview button's modes)."""
        return [o.mode for o in self.offers if o.allowed and o.mode in MODES_NEEDING_ACCEPTANCE]

    def replaceable(self) -> list:
        replaced = set(self._value("certificates"))
        return [{"material": m, "checked": m.code in replaced} for m in self.catalog if m.certificate and m.replaceable]

    def _value(self, name: str) -> list[str]:
        if not self.is_bound:
            initial = self.fields[name].initial
            return [initial] if isinstance(initial, str) else list(initial or [])
        if hasattr(self.data, "getlist"):
            return [v for v in self.data.getlist(name) if isinstance(v, str)]
        value = self.data.get(name)
        return [value] if isinstance(value, str) else list(value or [])

    # -- what the service is called with ------------------------------------------------------------

    def chosen_mode(self) -> str:
        values = self._value("mode")
        return values[0] if values else ""

    def filing_arguments(self) -> dict:
        """The keyword arguments of ``application_file`` from the cleaned data (files by material code)."""
        data = self.cleaned_data
        mode = data["mode"]
        certificates = list(data.get("certificates") or []) if mode == Mode.COMMITMENT else []
        # A certificate replaced by the commitment is not also "brought": the form lets one tick either.
        materials = [code for code in data.get("materials") or [] if code not in certificates]
        files = {code: data[name] for code, name in self.file_fields.items() if data.get(name)}
        signer = {}
        if self.window:
            signer = {
                "agent_name": data.get("agent_name", ""),
                "agent_authorisation": data.get("agent_authorisation", ""),
            }
        statement = {"accepted": bool(data.get("accepted")), **signer}
        # Ticking "paper to the window" is bringing the material too.
        paper = [code for code in data.get("paper") or [] if code not in certificates]
        materials += [code for code in paper if code not in materials]
        return {
            "mode": mode,
            "materials": materials,
            "paper": paper,
            "files": {code: f for code, f in files.items() if code in materials},
            "commitment": {**statement, "certificates": certificates} if mode == Mode.COMMITMENT else None,
            "supplement_pledge": statement if mode == Mode.TOLERANCE else None,
        }

    def preview_choice(self) -> dict:
        """What the letter preview needs from the raw (possibly incomplete) input."""
        mode = self.chosen_mode()
        chosen = set(self._value("materials")) | (set(self._value("paper")) if "paper" in self.fields else set())
        replaced = [
            m for m in self.catalog if m.code in set(self._value("certificates")) and m.certificate and m.replaceable
        ]
        missing = [m for m in self.catalog if m.code not in chosen]
        agent = {}
        if self.window and hasattr(self.data, "get"):
            agent = {
                "agent_name": (self.data.get("agent_name") or "").strip()[:100],
                "agent_authorisation": (self.data.get("agent_authorisation") or "").strip()[:2000],
            }
        return {"mode": mode, "certificates": replaced, "missing": missing, **agent}

    def add_domain_error(self, exc) -> None:
        """Show a service's refusal next to the field it names (``commitment.certificates`` → certificates)."""
        errors = getattr(exc, "errors", None) or [exc]
        for error in errors:
            field = error.field or ""
            name = None
            if field.startswith("files."):
                name = self.file_fields.get(field.split(".", 1)[1])
            elif field.endswith(".accepted"):
                name = "accepted"
            elif field.endswith("certificates"):
                name = "certificates"
            elif field == "paper":
                name = "materials"
            elif field in self.fields:
                name = field
            self.add_error(name, str(error.message))


class SupplementForm(LabelledErrors, forms.Form):
    """The missing materials supplied now, each with an optional file."""

    materials = forms.MultipleChoiceField(label=_("本次补正的材料"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, missing: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.missing = missing
        self.fields["materials"].choices = [(m.code, m.name) for m in missing]
        self.fields["materials"].error_messages["required"] = _("请至少选择一项补正材料。")
        self.file_fields = {}
        for index, material in enumerate(missing):
            name = f"file_{index}"
            self.fields[name] = forms.FileField(label=material.name, required=False)
            self.file_fields[material.code] = name

    def rows(self) -> list[dict]:
        chosen = set(self.data.getlist("materials")) if self.is_bound and hasattr(self.data, "getlist") else set()
        return [
            {"material": m, "checked": m.code in chosen, "file": self[self.file_fields[m.code]]} for m in self.missing
        ]

    def files_by_code(self) -> dict:
        chosen = set(self.cleaned_data["materials"])
        return {
            code: self.cleaned_data[name]
            for code, name in self.file_fields.items()
            if code in chosen and self.cleaned_data.get(name)
        }

    def add_domain_error(self, exc) -> None:
        field = exc.field or ""
        name = self.file_fields.get(field.split(".", 1)[1]) if field.startswith("files.") else None
        if name is None and field in self.fields:
            name = field
        self.add_error(name, str(exc.message))


class DecisionForm(LabelledErrors, forms.Form):
    outcome = forms.ChoiceField(
        label=_("审批决定"),
        choices=[("approve", _("准予许可")), ("reject", _("不予许可"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("理由（不予许可时必填）"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def add_domain_error(self, exc) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, str(exc.message))


class VerificationForm(LabelledErrors, forms.Form):
    outcome = forms.ChoiceField(label=_("核查结果"), choices=Verification.Outcome.choices, widget=forms.RadioSelect)
    evidence = forms.CharField(
        label=_("核查证据（核查方式、所见事实、材料）"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def add_domain_error(self, exc) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, str(exc.message))


class WithdrawForm(LabelledErrors, forms.Form):
    reason = forms.CharField(
        label=_("撤回理由"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CorrectionRequestForm(LabelledErrors, forms.Form):
    """补正材料通知书: per material of the matter, whether it is listed and what is wrong; plus free text."""

    items = forms.MultipleChoiceField(label=_("需要补正的材料"), required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(
        label=_("其他补正要求（可选）"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, materials: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalog = materials
        self.fields["items"].choices = [(m.code, m.name) for m in materials]
        self.reason_fields = {}
        for index, material in enumerate(materials):
            name = f"reason_{index}"
            self.fields[name] = forms.CharField(label=material.name, max_length=1000, required=False)
            self.reason_fields[material.code] = name

    def rows(self) -> list[dict]:
        chosen = set(self.data.getlist("items")) if self.is_bound and hasattr(self.data, "getlist") else set()
        return [
            {"material": m, "checked": m.code in chosen, "reason": self[self.reason_fields[m.code]]}
            for m in self.catalog
        ]

    def service_items(self) -> list[dict]:
        return [
            {"material_code": code, "reason": self.cleaned_data.get(self.reason_fields[code], "")}
            for code in self.cleaned_data["items"]
        ]

    def add_domain_error(self, exc) -> None:
        field = exc.field or ""
        name = None
        if field.startswith("items[") and field.endswith(".reason"):
            index = int(field[len("items[") : field.index("]")])
            chosen = self.cleaned_data.get("items", [])
            if index < len(chosen):
                name = self.reason_fields.get(chosen[index])
        elif field in self.fields:
            name = field
        self.add_error(name or "items", str(exc.message))


class CorrectionAnswerForm(LabelledErrors, forms.Form):
    """The answer to the correction notice: a file per listed material (optional at the window, where paper is
    brought) and a note. Every listed material is answered at once."""

    note = forms.CharField(
        label=_("补正说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, items: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.file_fields = {}
        for index, item in enumerate(items):
            name = f"file_{index}"
            self.fields[name] = forms.FileField(label=item["name"], required=False)
            self.file_fields[item["code"]] = name

    def rows(self) -> list[dict]:
        return [{"item": item, "file": self[self.file_fields[item["code"]]]} for item in self.items]

    def codes(self) -> list[str]:
        return [item["code"] for item in self.items]

    def files_by_code(self) -> dict:
        return {code: self.cleaned_data[name] for code, name in self.file_fields.items() if self.cleaned_data.get(name)}

    def add_domain_error(self, exc) -> None:
        field = exc.field or ""
        name = self.file_fields.get(field.split(".", 1)[1]) if field.startswith("files.") else None
        if name is None and field in self.fields:
            name = field
        self.add_error(name, str(exc.message))


class ReturnForm(LabelledErrors, forms.Form):
    reason = forms.CharField(
        label=_("退回理由"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def add_domain_error(self, exc) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, str(exc.message))


class ReturnResolutionForm(LabelledErrors, forms.Form):
    outcome = forms.ChoiceField(
        label=_("处理结果"),
        choices=[("resubmit", _("重新提交审查")), ("not_accept", _("不予受理，终止办理"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def add_domain_error(self, exc) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, str(exc.message))
