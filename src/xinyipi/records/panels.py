"""The credit-record timeline on a subject's console page (R8), for staff who may read records."""

from xinyipi.core.errors import DomainError
from xinyipi.records.selectors import credit_record_page
from xinyipi.records.services import credit_record_read_log
from xinyipi.subjects.panels import SubjectPanel, subject_panel_register


def _context(request, subject) -> dict:
    cursor = request.GET.get("record_cursor") or None
    try:
        page = credit_record_page(subject=subject, cursor=cursor, limit=20)
    except DomainError:  # a cursor altered by hand: start again at the newest events
        page = credit_record_page(subject=subject, limit=20)
    credit_record_read_log(actor=request.user, subject=subject, via="subject_page")
    return {"events": page.events, "next": page.next}


def subject_panels_register() -> None:
    subject_panel_register(
        SubjectPanel(
            key="credit_record",
            template_name="records/_timeline.html",
            perm="records.view_creditrecordevent",
            context=_context,
            order=20,
        )
    )
