"""Who may see and act on what: the one place that answers it (DESIGN.md §3, R9a, §7 Security).

Every router, page and service asks here. Two questions, always in this order:

1. May the actor do this kind of thing at all? An anonymous actor is 401 ``not_authenticated``; an actor whose
   role never does it (an applicant deciding a case, a credit officer confirming a booking) is 403.
2. Is this object within the actor's scope? Superusers see everything; staff by permission, and reviewers only
   their own department's cases (``department_scope``, unless they hold ``view_all_applications``);
   applicants only what belongs to the subjects they act for through a verified link
   (``SubjectAgent.objects.acting``). An object outside the scope is "not found" (404), exactly like an
   absent one, so that ids cannot be probed.

``access_<thing>_by_id(actor, id, *, action)`` returns the object or raises; ``<things>_for_actor(actor)`` is the
queryset a list starts from.
"""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from xinyipi.core.errors import NotAuthenticated, NotFound, NotPermitted


def is_signed_in(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def require_authenticated(actor) -> None:
    if not is_signed_in(actor):
        raise NotAuthenticated("not_authenticated", _("请先登录。"))


def require_perm(actor, perm: str) -> None:
    require_authenticated(actor)
    if not actor.has_perm(perm):
        raise NotPermitted()


def sees_all_departments(actor) -> bool:
    return actor.is_superuser or actor.has_perm("accounts.all_departments")


def department_scope(actor, queryset: QuerySet, field: str = "department") -> QuerySet:
    """Rows of ``queryset`` the actor may see: all for superusers, else the actor's department."""
    if sees_all_departments(actor):
        return queryset
    if actor.department_id is None:
        return queryset.none()
    return queryset.filter(**{f"{field}_id": actor.department_id})


def access_by_id(actor, queryset: QuerySet, pk, *, perm: str, field: str = "department"):
    """One department-scoped row; absent and out-of-scope rows are both "not found"."""
    require_perm(actor, perm)
    obj = department_scope(actor, queryset, field).filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def _acting_subject_ids(actor) -> QuerySet:
    from xinyipi.applications.models import SubjectAgent

    return SubjectAgent.objects.acting(actor).values("subject_id")


def acts_for(actor, subject_id) -> bool:
    """Whether ``actor`` acts for the subject through a verified link (R9a)."""
    from xinyipi.applications.models import SubjectAgent

    return SubjectAgent.objects.acts_for(actor, subject_id)


def subjects_for_actor(actor) -> QuerySet:
    """The subjects ``actor`` acts for through a verified link (R9a), by name: what it may file and follow."""
    from xinyipi.subjects.models import Subject

    if not is_signed_in(actor):
        return Subject.objects.none()
    return Subject.objects.filter(pk__in=_acting_subject_ids(actor)).order_by("name")


def accounts_acting_for(subject) -> list:
    """The active accounts acting for ``subject`` through a verified link: who is told of what happens to it."""
    from xinyipi.applications.models import SubjectAgent

    links = SubjectAgent.objects.verified().filter(subject=subject, user__is_active=True)
    return [link.user for link in links.select_related("user").order_by("id")]


def acts_for_anyone(actor) -> bool:
    from xinyipi.applications.models import SubjectAgent

    return SubjectAgent.objects.acting(actor).exists()


# ---------------------------------------------------------------------------------------------------
# Cases (办件)

APPLICATION_VIEW = "applications.view_application"
APPLICATION_VIEW_ALL = "applications.view_all_applications"

# action → the staff permission it takes. Applicants need none for the actions in ``APPLICANT_ACTIONS``:
# they act through their link to the case's subject.
APPLICATION_ACTIONS = {
    "view": APPLICATION_VIEW,
    "supplement": "applications.supplement_application",
    "withdraw": "applications.withdraw_application",
    "decide": "applications.decide_application",
    "verify": "applications.verify_application",
    # 补正 (Art. 32(4)): the window at acceptance, the reviewer during review; the answer is a ``supplement``.
    "request_correction": "applications.request_correction",
    # 退回: the reviewer sends a case back to the window; the window sends it on again or closes it.
    "return": "applications.return_application",
    "resubmit": "applications.add_application",
    # 好差评 from the window's rating device: staff serving at a window, within their case scope (not the credit
    # officers or the bureau, who read every case but serve no applicant); applicants rate online.
    "rate": "ratings.add_rating",
    # The window confirms that paper an online applicant said it would bring has arrived.
    "receive_paper": "applications.supplement_application",
}
APPLICANT_ACTIONS = frozenset({"view", "supplement", "withdraw", "rate"})


def _application_not_found() -> NotFound:
    return NotFound("application_not_found", _("未找到该办件。"))


def sees_every_case(actor) -> bool:
    return sees_all_departments(actor) or actor.has_perm(APPLICATION_VIEW_ALL)


def applications_in_staff_scope(actor, queryset: QuerySet) -> QuerySet:
    """``queryset`` narrowed to the cases ``actor`` sees as staff: every case, or the own department's."""
    return queryset if sees_every_case(actor) else department_scope(actor, queryset)


def applications_for_actor(actor, *, applicant_only: bool = False) -> QuerySet:
    """The cases ``actor`` may read: staff holding ``view_application`` their scope, everyone else the cases
    of the subjects they act for. ``applicant_only``: only the latter (the portal's "my cases")."""
    from xinyipi.applications.models import Application

    require_authenticated(actor)
    if not applicant_only and actor.has_perm(APPLICATION_VIEW):
        return applications_in_staff_scope(actor, Application.objects.all())
    return Application.objects.filter(subject_id__in=_acting_subject_ids(actor))


def _staff_may(actor, application, action: str) -> bool:
    if not actor.has_perm(APPLICATION_ACTIONS[action]):
        return False
    if sees_every_case(actor):
        return True
    return actor.department_id is not None and application.department_id == actor.department_id


def access_application(actor, application, *, action: str = "view", applicant_only: bool = False) -> None:
    """Raise unless ``actor`` may ``action`` the loaded ``application``: 401 anonymous, 403 when the actor never
    does ``action`` (a staff-only action without its permission), 404 outside the actor's scope."""
    perm = APPLICATION_ACTIONS[action]
    require_authenticated(actor)
    if action not in APPLICANT_ACTIONS and (applicant_only or not actor.has_perm(perm)):
        raise NotPermitted()
    if action in APPLICANT_ACTIONS and acts_for(actor, application.subject_id):
        return
    if applicant_only:
        raise _application_not_found()
    if _staff_may(actor, application, action):
        return
    # Seen through the staff scope but without this action's permission (a reviewer withdrawing): a refusal.
    if actor.has_perm(APPLICATION_VIEW) and _staff_may(actor, application, "view"):
        raise NotPermitted()
    raise _application_not_found()


def access_application_by_id(actor, application_id, *, action: str = "view", applicant_only: bool = False):
    """One case, with its matter, subject, department and materials, for ``actor`` to ``action`` it."""
    from xinyipi.applications.models import Application, ApplicationMaterial

    perm = APPLICATION_ACTIONS[action]
    require_authenticated(actor)
    if action not in APPLICANT_ACTIONS and (applicant_only or not actor.has_perm(perm)):
        raise NotPermitted()
    application = (
        Application.objects.filter(pk=application_id)
        .select_related("matter", "subject", "department")
        .prefetch_related(Prefetch("materials", queryset=ApplicationMaterial.objects.order_by("id")))
        .first()
    )
    if application is None:
        raise _application_not_found()
    access_application(actor, application, action=action, applicant_only=applicant_only)
    return application


def application_actions(actor, application, *, applicant_only: bool = False) -> set[str]:
    """The actions ``actor`` may take on a case it reads (which forms a case page offers; the case's state
    decides the rest). The same answers as ``access_application``, with the link read once."""
    if not is_signed_in(actor):
        return set()
    agent = acts_for(actor, application.subject_id)
    allowed = set()
    for action in APPLICATION_ACTIONS:
        if (agent and action in APPLICANT_ACTIONS) or (not applicant_only and _staff_may(actor, application, action)):
            allowed.add(action)
    return allowed


def access_document(actor, application_id, ref: str, *, applicant_only: bool = False):
    """``(case, document)``: a printable document of a case the actor may read (its letter, pledge, notices
    and decisions); a ref the case does not have is "not found" like the case."""
    from xinyipi.applications.selectors_documents import case_document

    application = access_application_by_id(actor, application_id, applicant_only=applicant_only)
    document = case_document(application, ref)
    if document is None:
        raise NotFound("document_not_found", _("未找到该文书。"))
    return application, document


def access_licence(actor, application_id, *, applicant_only: bool = False):
    """``(case, licence)``: the electronic licence of a case the actor may read; a case without one is "not
    found" like the case."""
    from xinyipi.licences.selectors import licence_of

    application = access_application_by_id(actor, application_id, applicant_only=applicant_only)
    licence = licence_of(application)
    if licence is None:
        raise NotFound("licence_not_found", _("该办件没有电子证照。"))
    return application, licence


def access_material_file(actor, application_id, code: str, *, applicant_only: bool = False):
    """``(case, material row)``: the uploaded file of a material of a case the actor may read."""
    application = access_application_by_id(actor, application_id, applicant_only=applicant_only)
    row = next((m for m in application.materials.all() if m.code == code and m.file), None)
    if row is None:
        raise NotFound("file_not_found", _("该材料没有电子文件。"))
    return application, row


def access_acting_for(actor, subject=None) -> None:
    """403 unless ``actor`` acts for ``subject`` through a verified link (without ``subject``: for any subject).
    A subject's code and name are public, so naming one proves nothing (R9a): the refusal is
    ``not_acting_for_subject`` whether or not the subject exists in our registry's eyes."""
    require_authenticated(actor)
    linked = acts_for_anyone(actor) if subject is None else acts_for(actor, subject.pk)
    if not linked:
        raise NotPermitted("not_acting_for_subject", _("您未被授权代表该主体办理。"))


def access_filing(actor, subject=None) -> bool:
    """Whether ``actor`` files at the window (``True``: for anyone, with ``add_application``) or online
    (``False``: only for a subject it acts for, ``access_acting_for``). Without ``subject``: whether it files
    at all (403 for an account that neither holds the window's permission nor acts for any subject)."""
    require_authenticated(actor)
    if actor.has_perm("applications.add_application"):
        return True
    if subject is None:
        if not acts_for_anyone(actor):
            raise NotPermitted()
    else:
        access_acting_for(actor, subject)
    return False


# ---------------------------------------------------------------------------------------------------
# Subjects, credit checks, the city list

SUBJECT_ACTIONS = {
    "view": "subjects.view_subject",
    "change": "subjects.change_subject",
    "credit_check": "credit.add_creditcheck",
    "manual_entry": "credit.add_manualentry",
}


def access_subject_by_id(actor, subject_id, *, action: str = "view"):
    """A registered subject for staff: the registry is the service center's, not a department's."""
    from xinyipi.subjects.models import Subject

    require_perm(actor, SUBJECT_ACTIONS[action])
    subject = Subject.objects.filter(pk=subject_id).first()
    if subject is None:
        raise NotFound("subject_not_found", _("未找到该主体。"))
    return subject


def access_subject_by_code(actor, raw_code: str, *, action: str = "view"):
    from xinyipi.subjects.selectors import subject_by_code

    require_perm(actor, SUBJECT_ACTIONS[action])
    return subject_by_code(raw_code)


RECORD_VIEW = "records.view_creditrecordevent"


def access_credit_record(actor, raw_code: str):
    """The subject whose credit record (R8) the actor may read: staff who read records, or an applicant acting
    for the subject. Anyone else gets "not found", as for a case outside their scope: a code is public, a
    record is not."""
    from xinyipi.subjects.selectors import subject_by_code

    require_authenticated(actor)
    subject = subject_by_code(raw_code)
    if actor.has_perm(RECORD_VIEW) or acts_for(actor, subject.pk):
        return subject
    raise NotFound("subject_not_found", _("未找到该主体。"))


RECORD_EXPORT = "records.export_creditrecordevent"


def access_records_export(actor) -> None:
    """Exporting a period's events of every subject (R8 sharing): credit officers and the bureau. The record is
    the whole city's, not a department's, so there is no narrower scope to give anyone else: 403."""
    require_perm(actor, RECORD_EXPORT)


def access_credit_check_by_id(actor, check_id):
    """One credit check for staff who read checks (the caller logs the read, R8)."""
    from xinyipi.credit.models import CreditCheck

    require_perm(actor, "credit.view_creditcheck")
    check = CreditCheck.objects.select_related("subject", "actor").filter(pk=check_id).first()
    if check is None:
        raise NotFound("credit_check_not_found", _("未找到该信用核查记录。"))
    return check


def credit_checks_for_actor(actor) -> QuerySet:
    from xinyipi.credit.models import CreditCheck

    require_perm(actor, "credit.view_creditcheck")
    return CreditCheck.objects.all()


def blacklist_entries_for_actor(actor) -> QuerySet:
    """Every entry of the city list, for staff who read it (the public sees the published page only)."""
    from xinyipi.supervision.models import BlacklistEntry

    require_perm(actor, "supervision.view_blacklistentry")
    return BlacklistEntry.objects.all()


# ---------------------------------------------------------------------------------------------------
# Bookings (上门服务, 帮办代办)

BOOKING_VIEW = "bookings.view_servicebooking"
BOOKING_HANDLE = "bookings.handle_servicebooking"
BOOKING_ACTIONS = {"view": BOOKING_VIEW, "cancel": BOOKING_HANDLE, "confirm": BOOKING_HANDLE, "done": BOOKING_HANDLE}
BOOKING_APPLICANT_ACTIONS = frozenset({"view", "cancel"})


def bookings_for_actor(actor, *, applicant_only: bool = False) -> QuerySet:
    """Bookings are the service center's, not a department's: staff who read them see them all; an applicant
    the bookings of the subjects it acts for."""
    from xinyipi.bookings.models import ServiceBooking

    require_authenticated(actor)
    if not applicant_only and actor.has_perm(BOOKING_VIEW):
        return ServiceBooking.objects.all()
    return ServiceBooking.objects.filter(subject_id__in=_acting_subject_ids(actor))


def booking_way(actor, booking) -> str:
    """How ``actor`` reaches ``booking``: ``"applicant"`` (acts for its subject), ``"staff"`` (reads bookings),
    or '' (neither)."""
    if not is_signed_in(actor):
        return ""
    if acts_for(actor, booking.subject_id):
        return "applicant"
    if actor.has_perm(BOOKING_VIEW):
        return "staff"
    return ""


def access_booking(actor, booking, *, action: str = "view") -> str:
    """Raise unless ``actor`` may ``action`` the loaded ``booking``; answer how it reaches it."""
    require_authenticated(actor)
    perm = BOOKING_ACTIONS[action]
    if action not in BOOKING_APPLICANT_ACTIONS and not actor.has_perm(perm):
        raise NotPermitted()
    way = booking_way(actor, booking)
    if not way:
        raise NotFound("booking_not_found", _("未找到该预约。"))
    if way == "staff" and not actor.has_perm(perm):
        raise NotPermitted()
    return way


def access_booking_by_id(actor, booking_id, *, action: str = "view"):
    from xinyipi.bookings.models import ServiceBooking

    require_authenticated(actor)
    if action not in BOOKING_APPLICANT_ACTIONS and not actor.has_perm(BOOKING_ACTIONS[action]):
        raise NotPermitted()
    booking = (
        ServiceBooking.objects.select_related("subject", "matter", "requested_by", "credit_check")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise NotFound("booking_not_found", _("未找到该预约。"))
    access_booking(actor, booking, action=action)
    return booking


# ---------------------------------------------------------------------------------------------------
# 差评 follow-ups (好差评)

FOLLOW_UP_VIEW = "ratings.view_followup"


def follow_ups_for_actor(actor) -> QuerySet:
    """The follow-ups ``actor`` watches: its own department's (谁办理、谁负责), every department's for the bureau."""
    from xinyipi.ratings.models import FollowUp

    require_perm(actor, FOLLOW_UP_VIEW)
    if actor.has_perm("ratings.view_all_followups"):
        return FollowUp.objects.all()
    return department_scope(actor, FollowUp.objects.all())


def access_follow_up_by_id(actor, follow_up_id, *, action: str = "view"):
    """One follow-up: ``view`` it in the queue's scope, ``answer`` it only as its own department's staff."""
    from xinyipi.ratings.models import FollowUp

    require_perm(actor, FOLLOW_UP_VIEW)
    if action == "answer":
        require_perm(actor, "ratings.change_followup")
        scoped = department_scope(actor, FollowUp.objects.all())
    else:
        scoped = follow_ups_for_actor(actor)
    follow_up = scoped.select_related("rating__application__matter", "department").filter(pk=follow_up_id).first()
    if follow_up is None:
        raise NotFound("follow_up_not_found", _("未找到该差评整改。"))
    return follow_up


def access_ratings_export(actor) -> None:
    """The national upload carries every department's ratings: the bureau's alone (403 for anyone else)."""
    require_perm(actor, "ratings.export_rating")


def stats_rows_for_actor(actor, rows: QuerySet) -> QuerySet:
    """The cases or statistics rows (each has a department) whose figures ``actor`` may see (R13): the bureau
    every department's, a reviewer the own."""
    require_perm(actor, "applications.view_statistics")
    return applications_in_staff_scope(actor, rows)
