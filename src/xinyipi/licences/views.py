"""The public check page of an electronic licence, and the printable licence (HTML, or PDF through
``applications.printing``) for its holder in the portal and for staff in the console."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import reverse

from xinyipi.accounts.access import access_licence
from xinyipi.applications import printing
from xinyipi.applications.pages import page_access, pdf_page
from xinyipi.core import clock
from xinyipi.licences.models import LicenceStatus
from xinyipi.licences.selectors import licence_check, licence_url


def check(request, identifier: str):
    """Public: whether a licence is valid, revoked or expired. A malformed, forged or unknown identifier
    gets the same 404 page."""
    found = licence_check(identifier)
    return render(request, "licences/check.html", {"found": found}, status=200 if found else 404)


def _licence_response(request, pk: int, *, pdf: bool, case_view: str, pdf_view: str, applicant_only: bool):
    application, licence = page_access(access_licence, request.user, pk, applicant_only=applicant_only)
    check_url = request.build_absolute_uri(licence_url(licence))
    back_url = reverse(case_view, args=[application.pk])
    status = licence.status_on(clock.today())
    context = {
        "application": application,
        "licence": licence,
        "status": status,
        "status_label": LicenceStatus(status).label,
        "check_url": check_url,
        "qr": printing.qr_data_uri(check_url),
        "back_url": back_url,
        "pdf_url": reverse(pdf_view, args=[application.pk]) if printing.pdf_available() else "",
    }
    if not pdf:
        return render(request, "licences/licence.html", context)
    return pdf_page(
        request, "licences/licence.html", context, filename=f"licence-{application.number}.pdf", back_url=back_url
    )


_PORTAL = {"case_view": "portal:my_case", "pdf_view": "licences:my_case_licence_pdf", "applicant_only": True}
_CONSOLE = {"case_view": "applications:detail", "pdf_view": "licences:case_licence_pdf", "applicant_only": False}


@login_required
def my_case_licence(request, pk: int):
    return _licence_response(request, pk, pdf=False, **_PORTAL)


@login_required
def my_case_licence_pdf(request, pk: int):
    return _licence_response(request, pk, pdf=True, **_PORTAL)


@login_required
@permission_required("applications.view_application", raise_exception=True)
def case_licence(request, pk: int):
    return _licence_response(request, pk, pdf=False, **_CONSOLE)


@login_required
@permission_required("applications.view_application", raise_exception=True)
def case_licence_pdf(request, pk: int):
    return _licence_response(request, pk, pdf=True, **_CONSOLE)
