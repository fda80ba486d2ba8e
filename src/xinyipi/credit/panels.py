"""The credit panel on a subject's console page: its past checks (R8), newest first."""

from xinyipi.credit.selectors import credit_checks_for
from xinyipi.credit.services import credit_check_list_access_log
from xinyipi.subjects.panels import SubjectPanel, subject_panel_register


def _context(request, subject) -> dict:
    # The panel shows the levels of past checks: reading them is an access to the credit record (R8).
    credit_check_list_access_log(actor=request.user, filters={"subject_id": subject.pk, "via": "subject_page"})
    return {
        "checks": credit_checks_for(subject=subject, limit=10),
        "can_check": request.user.has_perm("credit.add_creditcheck"),
    }


def subject_panels_register() -> None:
    subject_panel_register(
        SubjectPanel(
            key="credit_checks",
            template_name="credit/_subject_checks.html",
            perm="credit.view_creditcheck",
            context=_context,
            order=10,
        )
    )
