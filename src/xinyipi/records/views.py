"""The credit record's console pages (R8): downloading every subject's events of a period."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from xinyipi.accounts.access import access_records_export
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, NotPermitted
from xinyipi.credit.forms import add_domain_error
from xinyipi.records.exporting import records_export_download
from xinyipi.records.forms import RecordsExportForm


@login_required
@require_http_methods(["GET", "POST"])
def export(request):
    """The form (GET); the file, streamed as it is read from the database (POST)."""
    try:
        access_records_export(request.user)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc.message)) from exc
    today = clock.today()
    form = RecordsExportForm(request.POST or None, initial={"start": today.replace(day=1), "end": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            download = records_export_download(
                start=data["start"], end=data["end"], format=data["format"], actor=request.user
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
            response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
            response["X-Record-Events"] = str(download.events)
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "records/export.html",
        {"form": form, "max_days": settings.RECORDS_EXPORT_MAX_DAYS},
        status=422 if form.errors else 200,
    )
