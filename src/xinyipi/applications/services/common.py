"""What every service of a case shares: how the applicant is told, and the documents issued. Who may act is
``accounts.access``'s answer."""

from django.contrib.auth import get_user_model
from django.db import connection

from xinyipi.applications import letters
from xinyipi.applications.models import Application, ApplicationMaterial, CaseDocument, Mode, SubjectAgent
from xinyipi.applications.numbers import document_number_next
from xinyipi.core import clock
from xinyipi.core.rows import row_insert
from xinyipi.core.text import choice_label, in_default_language
from xinyipi.notifications.services import notify_subject
from xinyipi.workdays.calendar import add_working_days


def recipients(application: Application) -> list:
    """The accounts told about a case: everyone acting for its subject, and the applicant who filed online."""
    # Most subjects have no linked account: a plain probe for the ids (every move of a case asks, and the ORM
    # would spend more building it than the database answering), the accounts only when there are some.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT user_id FROM {SubjectAgent._meta.db_table} WHERE subject_id = %s AND status = %s ORDER BY id",
            [application.subject_id, SubjectAgent.Status.VERIFIED],
        )
        ids = [row[0] for row in cursor.fetchall()]
    users = list(get_user_model().objects.filter(pk__in=ids).order_by("id")) if ids else []
    users.sort(key=lambda user: ids.index(user.pk))
    if application.channel == Application.Channel.ONLINE and application.filed_by_id:
        users.append(application.filed_by)
    return users


def tell_applicant(application: Application, *, kind: str, key: str, title: str, body: str) -> None:
    """Put the message in the outbox, in the caller's transaction; one event is told once (``key``)."""
    notify_subject(
        subject=application.subject,
        kind=kind,
        title=title,
        body=body,
        dedupe_key=f"application:{application.pk}:{key}",
        source=application,
        users=recipients(application),
    )


@in_default_language
def case_context(application: Application) -> dict:
    return {
        "number": application.number,
        "filed_on": letters.date_label(clock.to_beijing(application.created_at).date()),
        "channel_label": choice_label(Application.Channel, application.channel),
        "mode": application.mode,
        "mode_label": choice_label(Mode, application.mode),
        "supplement_due": letters.date_label(application.supplement_due),
        "decided_on": letters.date_label(clock.to_beijing(application.decided_at).date())
        if application.decided_at
        else "",
    }


def missing_materials(application: Application) -> list:
    """The catalog materials of the case still missing (in catalog order)."""
    rows = ApplicationMaterial.objects.filter(application=application, state=ApplicationMaterial.State.MISSING)
    return [row.material for row in rows.select_related("material").order_by("material__order", "material__id")]


def document_context(application: Application, **extra) -> dict:
    today = clock.today()
    matter = application.matter
    context = {
        "case": case_context(application),
        "matter": letters.matter_context(matter),
        "subject": letters.subject_context(application.subject),
        "listing": letters.listing_context(today),
        "verification": letters.verification_context(matter, application.verification_due),
        "decision": {"reason": ""},
        "missing": [],
    }
    context.update(extra)
    return context


def document_issue(application: Application, kind: str, context: dict) -> CaseDocument:
    """Render, number and freeze one document of the case. The number is the department's next 文号 of the
    year (``numbers.document_number_next``: 扎市监许〔2026〕12号), taken in the issuing transaction."""
    template = letters.letter_template_current(kind, application.matter)
    now = clock.now()
    number = document_number_next(department=application.department, on=clock.to_beijing(now).date())
    context = {**context, "document": {"number": number, "issued_on": letters.date_label(clock.to_beijing(now).date())}}
    text, digest = letters.render(template, context)
    document = CaseDocument(
        application=application,
        kind=kind,
        number=number,
        issued_at=now,
        template=template,
        template_version=template.version,
        text=text,
        text_sm3=digest,
    )
    row_insert(document)  # a plain INSERT: every decision writes one (core/rows.py)
    return document


def deadline(start, days: int):
    """The ``days``-th working day after ``start`` (start not counted) and whether it is provisional."""
    return add_working_days(start, days)
