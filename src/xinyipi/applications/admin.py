"""The bureau's admin for letter templates (versioned: saving a change adds a version) and for the links
between applicant accounts and subjects. Forms only collect input; every save goes through the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinyipi.applications.letters import default_body, letter_template_check
from xinyipi.applications.models import DocumentPrefix, LetterTemplate, SubjectAgent
from xinyipi.applications.services import (
    letter_template_deactivate,
    letter_template_save,
    subject_agent_link,
    subject_agent_revoke,
)
from xinyipi.audit.services import audit_record, snapshot
from xinyipi.core.errors import DomainError
from xinyipi.core.forms import LabelledErrors


class LetterTemplateForm(LabelledErrors, forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["kind", "matter", "body", "note"]
        widgets = {"body": forms.Textarea(attrs={"rows": 30, "cols": 110})}
        help_texts = {
            "body": _(
                "Django 模板语法。可用变量：case、matter、subject、certificates、missing、signer、deadline、"
                "grace_days、verification、listing、decision、document。保存即生成新版本，已出具的文书不受影响。"
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A version is never edited: kind and matter stay; the body saved becomes the next version.
            self.fields["kind"].disabled = True
            self.fields["matter"].disabled = True
            self.fields["note"].initial = ""
        elif not self.initial.get("body"):
            kind = self.initial.get("kind") or LetterTemplate.Kind.COMMITMENT_LETTER
            self.fields["body"].initial = default_body(kind)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") and cleaned.get("body"):
            try:
                letter_template_check(cleaned["kind"], cleaned["body"])
            except DomainError as exc:
                raise ValidationError({"body": str(exc.message)}) from exc
        return cleaned


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    form = LetterTemplateForm
    list_display = ("kind", "matter", "version", "active", "created_at", "created_by_label", "note")
    list_filter = ("kind", "active")
    search_fields = ("matter__code", "matter__name", "note")
    raw_id_fields = ("matter",)
    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        return False  # frozen letters name their template version

    def save_model(self, request, obj, form, change):
        try:
            saved = letter_template_save(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                matter=form.cleaned_data.get("matter"),
                body=form.cleaned_data["body"],
                note=form.cleaned_data.get("note", ""),
            )
        except DomainError as exc:  # checked in clean(); a race on the version number remains
            messages.error(request, str(exc.message))
            return
        for field in ("pk", "version", "active", "created_at", "created_by_label", "body", "note"):
            setattr(obj, field, getattr(saved, field))

    @admin.action(description=_("停用选中的事项专用文本（改用默认文本）"), permissions=["change"])
    def deactivate(self, request, queryset):
        for template in queryset:
            try:
                letter_template_deactivate(actor=request.user, template=template)
            except DomainError as exc:
                messages.error(request, f"{template}：{exc.message}")


class SubjectAgentForm(LabelledErrors, forms.ModelForm):
    class Meta:
        model = SubjectAgent
        fields = ["user", "subject", "relation", "authorisation"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("relation") == SubjectAgent.Relation.AGENT and not (cleaned.get("authorisation") or "").strip():
            raise ValidationError({"authorisation": _("委托代理人须登记书面授权委托的内容。")})
        return cleaned


@admin.register(SubjectAgent)
class SubjectAgentAdmin(admin.ModelAdmin):
    form = SubjectAgentForm
    list_display = (
        "user",
        "subject",
        "relation",
        "status",
        "created_at",
        "verified_at",
        "verification_method",
        "revoked_at",
    )
    list_filter = ("status", "relation", "verification_method")
    raw_id_fields = ("user", "subject")
    search_fields = ("user__username", "subject__name")
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            saved = subject_agent_link(
                actor=request.user,
                user=form.cleaned_data["user"],
                subject=form.cleaned_data["subject"],
                relation=form.cleaned_data["relation"],
                authorisation=form.cleaned_data.get("authorisation", ""),
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return
        obj.pk, obj.created_at, obj.created_by_label = saved.pk, saved.created_at, saved.created_by_label

    @admin.action(description=_("解除选中的关联"), permissions=["change"])
    def revoke(self, request, queryset):
        for link in queryset.open():
            subject_agent_revoke(actor=request.user, link=link)


@admin.register(DocumentPrefix)
class DocumentPrefixAdmin(admin.ModelAdmin):
    """The 机关代字 of each department's document numbers (扎市监许〔2026〕12号). A change applies to documents
    issued from then on; the year's sequence is kept per prefix, so a new prefix starts at 1."""

    list_display = ["department", "prefix"]
    search_fields = ["department__name", "prefix"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = snapshot(DocumentPrefix.objects.get(pk=obj.pk), ["department", "prefix"]) if change else None
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action="applications.document_prefix.save",
                obj=obj,
                before=before,
                after=snapshot(obj, ["department", "prefix"]),
            )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
