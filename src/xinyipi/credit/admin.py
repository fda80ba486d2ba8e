"""Admin for the bureau: the local card table (through the services, audited) and read-only views of the
imported records and imports. Credit checks are read in the console, where every read is recorded (R8)."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from xinyipi.core.errors import DomainError
from xinyipi.core.forms import LabelledErrors
from xinyipi.credit.models import CreditImport, CreditRecord, IncentiveCard
from xinyipi.credit.services import incentive_card_revoke, incentive_card_save
from xinyipi.subjects.validators import guess_kind, validate_subject_code


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = ("category", "subject_name", "source", "record_id", "document_number", "decided_on", "status")
    list_filter = ("category", "status", "source")
    search_fields = ("record_id", "document_number", "subject_name")
    show_full_result_count = False


@admin.register(CreditImport)
class CreditImportAdmin(ReadOnlyAdmin):
    list_display = ("id", "source", "category", "file_name", "rows", "status", "started_at", "finished_at")


class IncentiveCardForm(LabelledErrors, forms.ModelForm):
    holder_code = forms.CharField(label=_("持卡主体代码"), max_length=30)

    class Meta:
        model = IncentiveCard
        fields = ("number", "holder_name", "grade_year", "valid_from", "valid_until", "revoked_on", "revoked_reason")

    def clean_holder_code(self):
        # Refused here, on the field, rather than after "saved" (the service checks again when saving).
        raw = self.cleaned_data["holder_code"]
        try:
            return validate_subject_code(guess_kind(raw), raw, field="holder_code")
        except DomainError as exc:
            raise forms.ValidationError(str(exc.message)) from exc

    def clean(self):
        data = super().clean()
        if data.get("revoked_on") and not (data.get("revoked_reason") or "").strip():
            self.add_error("revoked_reason", _("撤销时请填写撤销原因。"))
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            self.add_error("valid_until", _("有效期至不能早于有效期起。"))
        return data


@admin.register(IncentiveCard)
class IncentiveCardAdmin(admin.ModelAdmin):
    form = IncentiveCardForm
    list_display = (
        "number",
        "holder_name",
        "holder_code_display",
        "grade_year",
        "valid_from",
        "valid_until",
        "revoked_on",
    )
    search_fields = ("number", "holder_name")
    readonly_fields = ("holder_code_display",)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            card = incentive_card_save(
                actor=request.user,
                number=data["number"],
                holder_code=data["holder_code"],
                holder_name=data["holder_name"],
                grade_year=data["grade_year"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
            )
            if data.get("revoked_on") and card.revoked_on != data["revoked_on"]:
                incentive_card_revoke(
                    actor=request.user, card=card, on=data["revoked_on"], reason=data.get("revoked_reason") or ""
                )
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return
        obj.pk = card.pk
