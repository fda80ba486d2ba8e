"""The credit pages of the staff console: the clerk's check, a check's page, the list, the policy."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xinyipi.accounts.access import access_credit_check_by_id, access_subject_by_id
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, NotFound
from xinyipi.core.paging import query_number
from xinyipi.core.text import join_list
from xinyipi.credit.categories import Entitlement, Level, Severity
from xinyipi.credit.forms import CheckForm, ManualEntryForm, add_domain_error
from xinyipi.credit.labels import finding_label, source_label
from xinyipi.credit.policy.engine import policy_for, policy_versions
from xinyipi.credit.selectors import (
    credit_check_list,
    credit_subject_for_card,
    credit_subject_for_code,
    looks_like_subject_code,
)
from xinyipi.credit.services import (
    credit_check_access_log,
    credit_check_list_access_log,
    credit_check_run,
    manual_entry_record,
)
from xinyipi.credit.sources.registry import registry
from xinyipi.subjects.models import Subject


def _subject_from_form(request, data) -> tuple[Subject, str | None]:
    """The subject asked about, and the card presented: by subject id (from another page), by code, or by
    card number alone (its holder is looked up in the card registry)."""
    card = (data.get("incentive_card") or "").strip() or None
    if data.get("subject_id"):
        try:
            return access_subject_by_id(request.user, data["subject_id"], action="credit_check"), card
        except NotFound as exc:
            raise NotFound("subject_not_found", exc.message, "query") from exc
    query = data["query"].strip()
    if looks_like_subject_code(query):
        return credit_subject_for_code(query, field="query"), card
    subject, number = credit_subject_for_card(query)
    return subject, number


@login_required
@permission_required("credit.add_creditcheck", raise_exception=True)
def check(request):
    """Code or card number in, result out. With htmx the result replaces ``#credit-result`` only."""
    form = CheckForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            subject, card = _subject_from_form(request, form.cleaned_data)
            result = credit_check_run(
                subject=subject, purpose=form.cleaned_data["purpose"], actor=request.user, incentive_card=card
            )
        except DomainError as exc:
            add_domain_error(form, exc)
    context = {"form": form, "check": result, "sources": registry.configured()}
    if request.headers.get("HX-Request"):
        return render(request, "credit/_check_outcome.html", context)
    return render(request, "credit/check.html", context)


@login_required
@permission_required("credit.view_creditcheck", raise_exception=True)
def check_detail(request, check_id: int):
    try:
        found = access_credit_check_by_id(request.user, check_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    credit_check_access_log(check=found, actor=request.user, channel="console")
    return render(request, "credit/check_detail.html", {"check": found})


@login_required
@permission_required("credit.view_creditcheck", raise_exception=True)
def check_list(request):
    code = request.GET.get("code", "").strip()[:30]
    level = request.GET.get("level", "")
    level = level if level in Level.values else ""
    before = request.GET.get("before", "")
    page = credit_check_list(actor=request.user, subject_code=code, level=level, before_id=query_number(before))
    credit_check_list_access_log(actor=request.user, filters={"level": level, "code": bool(code), "before": before})
    return render(
        request,
        "credit/check_list.html",
        {"page": page, "code": code, "level": level, "levels": Level.choices},
    )


@login_required
@permission_required("credit.view_policy", raise_exception=True)
def policy(request):
    """The credit policy in words for everyone who applies it; the YAML file too for the bureau, which keeps it."""
    versions = list(policy_versions())
    in_force = policy_for(clock.today())
    wanted = request.GET.get("version", "")
    shown = next((p for p in versions if p.version == wanted), in_force)
    later = [p.valid_from for p in versions if p.valid_from > shown.valid_from]
    level_specs = [
        {**vars(spec), "entitlement_labels": [Entitlement(e).label for e in spec.entitlements]}
        for spec in shown.levels.values()
    ]
    rules = [
        {
            "id": rule.id,
            "says": rule.says,
            "when_text": _condition_text(rule.when),
            "level": rule.level,
            "level_label": shown.levels[rule.level].label,
            "withhold_labels": [Entitlement(e).label for e in rule.withhold],
            "unless_text": _condition_text(rule.unless) if rule.unless else "",
            "reference": rule.reference,
        }
        for rule in shown.rules
    ]
    source_rows = [{"name": s.name, "label": s.label, "configured": s.is_configured()} for s in registry.all()]
    return render(
        request,
        "credit/policy.html",
        {
            "policy": shown,
            "in_force": in_force,
            "valid_until": min(later) - dt.timedelta(days=1) if later else None,
            "versions": versions,
            "level_specs": level_specs,
            "rules": rules,
            "source_rows": source_rows,
            "default_label": shown.levels[shown.default_level].label,
            "show_file": request.user.has_perm("credit.view_policy_file"),
        },
    )


def _condition_text(condition: dict) -> str:
    """A rule's condition in words: the record's kind, grade, severity and source by name."""
    parts = []
    for key, value in condition.items():
        values = value if isinstance(value, list) else [value]
        if key == "category":
            values = [finding_label(v) for v in values]
        elif key == "severity":
            values = [Severity(v).label if v in Severity.values else v for v in values]
        elif key == "source":
            values = [source_label(v) for v in values]
        elif key == "grade":
            values = [_("%(g)s 级") % {"g": v} for v in values]
        parts.append(join_list(values))
    return "，".join(parts)


@login_required
@permission_required("credit.add_manualentry", raise_exception=True)
def manual_entry(request, subject_id: int):
    try:
        subject = access_subject_by_id(request.user, subject_id, action="manual_entry")
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    form = ManualEntryForm(request.POST or None, request.FILES or None, initial={"site": request.GET.get("site", "")})
    if request.method == "POST" and form.is_valid():
        try:
            entry = manual_entry_record(
                subject=subject,
                site=form.cleaned_data["site"],
                findings=form.findings(),
                evidence=form.cleaned_data["evidence"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("已保存人工查询结果（%(site)s，证据 SM3 %(hash)s）。请重新核查。")
                % {"site": entry.get_site_display(), "hash": entry.evidence_sm3[:16] + "…"},
            )
            return redirect(f"{request.path}?done=1")
    return render(
        request,
        "credit/manual_entry.html",
        {"form": form, "subject": subject, "done": request.GET.get("done") == "1", "check_form": CheckForm()},
    )
