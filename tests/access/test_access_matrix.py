"""Who may reach what: every API operation and every console and portal page, for every role, on an object of
the actor's own scope (A) and on one of another department and another subject (B) — DESIGN.md §3, R9a, §7.

``TABLE`` is the whole answer. The test walks the Ninja routes and the URLconf and fails for any endpoint or
page that the table does not name: a new one is added here deliberately, with its answer for every role.

Roles: ``anon``; ``app`` — an applicant with a verified link to subject A; ``pend`` — an applicant whose link
to subject A is still pending (R9a: sees and does nothing for it); ``clerk`` (department A, the window
files and collects for every department); ``rev`` / ``rev2`` — reviewers of department A / B; ``officer``
(credit officer); ``admin`` (bureau administrator); ``auditor``; ``root`` (superuser).

Expected answers: an HTTP status; ``"login"`` — a redirect to the login page; ``"ok"`` — access granted, the
rule may still refuse the harmless body (2xx, 302 to a page, 409, 422); ``"pdf"`` — 200 where the PDF
component is installed, else 404. A tuple gives the answer for A then for B. Every refused write is checked
to have changed nothing.
"""

import datetime as dt
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from xinyipi.accounts import roles
from xinyipi.accounts.tests.factories import DepartmentFactory, UserFactory
from xinyipi.api.v1 import api
from xinyipi.applications import printing
from xinyipi.applications.models import Application, ApplicationMaterial, SubjectAgent
from xinyipi.applications.selectors_documents import case_documents
from xinyipi.applications.services import application_credit_check, application_file
from xinyipi.audit.models import AuditEntry
from xinyipi.bookings.models import ServiceBooking
from xinyipi.bookings.services import booking_request
from xinyipi.catalog.models import Matter
from xinyipi.catalog.tests.factories import MaterialFactory, MatterFactory
from xinyipi.core import clock
from xinyipi.core.testing import ApiClient, uscc_for
from xinyipi.credit.models import CreditCheck
from xinyipi.licences.identifiers import identifier_compose
from xinyipi.licences.models import Licence
from xinyipi.notifications.models import InAppMessage, Notification
from xinyipi.ratings.models import FollowUp, Rating
from xinyipi.ratings.services import rating_record
from xinyipi.subjects.models import Subject
from xinyipi.subjects.services import subject_register
from xinyipi.supervision.models import BlacklistEntry, CreditRepair, Objection
from xinyipi.supervision.services import blacklist_entry_list, blacklist_propose
from xinyipi.supervision.services.objections import objection_file
from xinyipi.supervision.services.repairs import credit_repair_request
from xinyipi.workdays.calendar import is_working_day

ROLES = ["anon", "app", "pend", "clerk", "rev", "rev2", "officer", "admin", "auditor", "root"]
STAFF_DECORATED = ("app", "pend", "auditor")  # accounts a staff page's permission refuses outright

NO_SOURCES = {"enterprise_publicity": {"url": ""}, "credit_china": {"url": ""}, "incentive_card": {"url": ""}}


def every(answer, **exceptions) -> dict:
    """``answer`` for every role, but for those named."""
    return {role: exceptions.get(role, answer) for role in ROLES}


def signed_in(answer, **exceptions) -> dict:
    """401 for the anonymous caller (API), ``answer`` for everyone else but those named."""
    return every(answer, anon=401, **exceptions)


def page(answer, **exceptions) -> dict:
    """A page behind the login: the anonymous visitor is sent to log in."""
    return every(answer, anon="login", **exceptions)


def staff(allowed: set[str], answer="ok", denied=403, *, api: bool = True, **exceptions) -> dict:
    """``answer`` for the roles in ``allowed``, ``denied`` for the others (401 / login when anonymous)."""
    table = {role: exceptions.get(role, answer if role in allowed else denied) for role in ROLES}
    table["anon"] = 401 if api else "login"
    return table


VIEW_SUBJECT = {"clerk", "rev", "rev2", "officer", "admin", "root"}
ADD_SUBJECT = {"clerk", "officer", "admin", "root"}
VIEW_CASES = {"clerk", "rev", "rev2", "officer", "admin", "root"}
RUN_CHECKS = {"clerk", "officer", "root"}
READ_CHECKS = {"clerk", "rev", "rev2", "officer", "root"}
READ_BOOKINGS = {"clerk", "officer", "admin", "root"}
HANDLE_BOOKINGS = {"clerk", "root"}
DECIDE = {"rev", "rev2", "root"}
CORRECT = {"clerk", "rev", "rev2", "root"}  # 补正 notices: the window at acceptance, the department's reviewer
NOTIFICATIONS = {"officer", "admin", "root"}
KEEP_LINKS = {"clerk", "admin", "root"}  # the window and the bureau keep the account links (R9a)
READ_LIST = VIEW_CASES  # the city list is the whole city's: every entry for staff who read it
RECORD_FOR_SUBJECT = {"clerk", "officer", "root"}  # objections and repair requests recorded at the window
DECIDE_LIST = {"officer", "root"}
READ_REPAIRS = {"officer", "admin", "root"}
EXPORT_RECORDS = {"officer", "admin", "root"}

# A case of department A and subject A, and one of department B and subject B.
CASE_READ = signed_in(
    200, app=(200, 404), pend=404, rev=(200, 404), rev2=(404, 200), auditor=404
)  # 404 outside the scope, never 403
CASE_APPLICANT_ACT = signed_in(
    "ok",
    app=("ok", 404),
    pend=404,
    rev=(403, 404),
    rev2=(404, 403),
    officer=403,
    admin=403,
    auditor=404,
)
CASE_STAFF_ACT = staff(DECIDE, rev=("ok", 404), rev2=(404, "ok"))
CASE_PAGE = staff(VIEW_CASES, 200, api=False, rev=(200, 404), rev2=(404, 200))
MY_CASE = page(404, app=(200, 404))
RATE_CASE_API = signed_in(
    "ok", app=("ok", 404), pend=404, rev=("ok", 404), rev2=(404, "ok"), officer=403, admin=403, auditor=404
)
FOLLOW_UPS = {"rev", "rev2", "admin", "root"}  # a department's reviewers their own, the bureau every department's
# A link of ``pend`` to subject A (pending) and one of another account to subject B (verified): the portal shows
# an account its own links only; ``app``, subject A's verified legal representative, may withdraw pend's.
OWN_LINK = page(404, pend=("ok", 404))

# fmt: off
TABLE = {
    # ---- API (/api/v1) ------------------------------------------------------------------------------------
    ("POST", "/api/v1/auth/token"): every(401),  # public; the body's unknown account is refused
    ("GET", "/api/v1/auth/me"): signed_in(200),
    ("GET", "/api/v1/calendar/working-days"): every(200),
    ("POST", "/api/v1/subjects"): staff(ADD_SUBJECT),
    ("GET", "/api/v1/subjects/{code}"): staff(VIEW_SUBJECT, 200),
    # R8: staff who serve applicants read any record; an applicant only its own subject's (404 otherwise).
    ("GET", "/api/v1/subjects/{code}/credit-record"): signed_in(200, app=(200, 404), pend=404, auditor=404),
    ("GET", "/api/v1/matters"): every(200),
    ("POST", "/api/v1/matters"): staff({"admin", "root"}),
    ("GET", "/api/v1/matters/{code}"): every(200),
    ("PATCH", "/api/v1/matters/{code}"): staff({"admin", "root"}),
    ("POST", "/api/v1/credit-checks"): staff(RUN_CHECKS),
    ("GET", "/api/v1/credit-checks/{check_id}"): staff(READ_CHECKS, 200),
    ("POST", "/api/v1/applications"): staff({"clerk", "root"}, app=("ok", 403)),
    ("GET", "/api/v1/applications"): staff(VIEW_CASES | {"app"}, 200),
    ("GET", "/api/v1/applications/{application_id}"): CASE_READ,
    ("POST", "/api/v1/applications/{application_id}/supplements"): CASE_APPLICANT_ACT,
    ("POST", "/api/v1/applications/{application_id}/correction-request"): staff(
        CORRECT, rev=("ok", 404), rev2=(404, "ok")
    ),
    ("POST", "/api/v1/applications/{application_id}/correction"): CASE_APPLICANT_ACT,
    ("POST", "/api/v1/applications/{application_id}/return"): CASE_STAFF_ACT,
    ("POST", "/api/v1/applications/{application_id}/return-resolution"): staff({"clerk", "root"}),
    ("POST", "/api/v1/applications/{application_id}/decision"): CASE_STAFF_ACT,
    ("POST", "/api/v1/applications/{application_id}/verification"): CASE_STAFF_ACT,
    ("POST", "/api/v1/applications/{application_id}/withdrawal"): CASE_APPLICANT_ACT,
    # 好差评: the applicant's agent online, or staff serving at a window within their case scope (the rating
    # device); credit officers and the bureau read every case but record no rating.
    ("POST", "/api/v1/applications/{application_id}/rating"): RATE_CASE_API,
    ("GET", "/api/v1/blacklist"): staff(VIEW_CASES, 200),
    ("POST", "/api/v1/bookings"): staff(set(), app=("ok", 403)),
    ("GET", "/api/v1/bookings"): staff(READ_BOOKINGS, 200),
    ("GET", "/api/v1/bookings/{booking_id}"): signed_in(
        200, app=(200, 404), pend=404, rev=404, rev2=404, auditor=404
    ),
    ("POST", "/api/v1/bookings/{booking_id}/cancellation"): signed_in(
        "ok", app=("ok", 404), pend=404, rev=404, rev2=404, officer=403, admin=403, auditor=404
    ),
    ("POST", "/api/v1/bookings/{booking_id}/confirmation"): staff(HANDLE_BOOKINGS),
    ("GET", "/api/v1/stats"): staff({"rev", "rev2", "admin", "root"}, 200),
    ("GET", "/api/v1/licences/{identifier}"): every(200),  # the public check of an electronic licence
    ("POST", "/api/v1/bookings/{booking_id}/completion"): staff(HANDLE_BOOKINGS),
    # The subject's side of an entry: its agent, or the window; staff who read the list but never speak for
    # a subject are refused, everyone else does not see the entry.
    ("POST", "/api/v1/blacklist/{entry_id}/objection"): signed_in(
        "ok", app=("ok", 404), pend=404, rev=403, rev2=403, admin=403, auditor=404
    ),
    ("POST", "/api/v1/blacklist/{entry_id}/objection-decision"): staff(DECIDE_LIST),
    ("POST", "/api/v1/credit-repairs"): staff(RECORD_FOR_SUBJECT, app=("ok", 403)),
    ("GET", "/api/v1/credit-repairs"): staff(READ_REPAIRS, 200),
    ("POST", "/api/v1/credit-repairs/{repair_id}/decision"): staff(DECIDE_LIST),
    # ---- Public pages -------------------------------------------------------------------------------------
    ("GET", "portal:home"): every(200),
    ("GET", "portal:guide"): every(200),
    ("GET", "portal:about"): every(200),
    ("GET", "portal:integrity"): every(200),
    # Probes and metrics: public JSON; /metrics to loopback (the test client's address) or a token only, 404 to
    # any other address (ops/tests/test_metrics.py). No worker runs here, so the system is not ready.
    ("GET", "ops:healthz"): every(200),
    ("GET", "ops:readyz"): every(503),
    ("GET", "ops:metrics"): every(200),
    ("GET", "portal:blacklist"): every(200),
    ("GET", "portal:verify"): every(200),
    ("GET", "licences:check"): every(200),
    ("GET", "portal:register"): every(302, anon=200),  # signed in: on to "my cases"
    ("GET", "accounts:login"): every(200),
    ("GET", "portal:login"): every(200),  # the applicants' sign-in page
    # The second factor is off (STAFF_OTP_REQUIRED false): its pages send everyone signed in on.
    ("GET", "accounts:otp_verify"): page(302),
    ("GET", "accounts:otp_enrol"): page(302),
    ("GET", "supervision:repair_guide"): every(200),
    ("GET", "accounts:logout"): every(405),  # logging out is a POST
    ("POST", "set_language"): every(302),
    # ---- Applicant pages ----------------------------------------------------------------------------------
    ("GET", "portal:apply"): page(200),
    ("POST", "portal:apply_preview"): page(404, app=200),  # only for a subject one acts for
    ("GET", "portal:my_cases"): page(200),
    ("GET", "portal:my_messages"): page(200),
    ("GET", "portal:my_record"): page(200),  # the record of the subjects one acts for, none for others
    ("GET", "portal:my_case"): MY_CASE,  # the portal shows only one's own cases, whatever the role
    ("POST", "portal:my_case_supplement"): page(404, app=("ok", 404)),
    ("POST", "portal:my_case_withdraw"): page(404, app=("ok", 404)),
    ("POST", "portal:my_case_correction"): page(404, app=("ok", 404)),
    ("POST", "ratings:my_case_rating"): page(404, app=("ok", 404)),
    ("GET", "portal:my_case_material_file"): MY_CASE,
    ("GET", "portal:my_case_document"): MY_CASE,
    ("GET", "portal:my_case_document_pdf"): page(404, app=("pdf", 404)),
    ("GET", "licences:my_case_licence"): MY_CASE,
    ("GET", "licences:my_case_licence_pdf"): page(404, app=("pdf", 404)),
    ("GET", "bookings:my_bookings"): page(200),
    ("POST", "bookings:my_booking_cancel"): page(
        "ok", app=("ok", 404), pend=404, rev=404, rev2=404, officer=403, admin=403, auditor=404
    ),
    ("GET", "notifications:inbox"): page(200),
    ("POST", "notifications:read"): page(404, app="ok"),  # one's own message only
    ("GET", "portal:my_links"): page(200),
    ("POST", "portal:my_link_request"): page("ok"),  # any account may ask to act for a subject
    ("POST", "portal:my_link_code_send"): OWN_LINK,
    ("POST", "portal:my_link_code_confirm"): OWN_LINK,
    ("POST", "portal:my_link_identity"): OWN_LINK,
    ("POST", "portal:my_link_give_up"): OWN_LINK,
    ("POST", "portal:my_link_revoke_agent"): page(404, app=("ok", 404)),
    ("GET", "supervision:my_credit"): page(200),
    # The portal's side of an entry: only through a verified link to its subject, whatever the role.
    ("POST", "supervision:my_objection"): page(404, app=("ok", 404)),
    ("GET", "supervision:my_repair"): page(404, app=(200, 404)),
    # ---- Console ------------------------------------------------------------------------------------------
    ("GET", "console:home"): page(200, app=302, pend=302),  # applicants go to the portal
    ("GET", "subjects:subject_list"): staff(VIEW_SUBJECT, 200, api=False),
    ("POST", "ratings:case_rating"): staff(
        {"clerk", "rev", "rev2", "root"}, api=False, rev=("ok", 404), rev2=(404, "ok")
    ),
    ("GET", "ratings:follow_ups"): staff(FOLLOW_UPS, 200, api=False),
    ("GET", "ratings:follow_up"): staff(FOLLOW_UPS, 200, api=False, rev=(200, 404), rev2=(404, 200)),
    # Answering is the department's own (谁办理、谁负责): the bureau watches but does not answer.
    ("POST", "ratings:follow_up"): staff(
        FOLLOW_UPS, api=False, rev=("ok", 404), rev2=(404, "ok"), admin=403
    ),
    ("GET", "ratings:export"): staff({"admin", "root"}, 200, api=False),
    ("POST", "ratings:export"): staff({"admin", "root"}, 200, api=False),
    ("GET", "subjects:subject_register"): staff(ADD_SUBJECT, 200, api=False),
    ("GET", "subjects:subject_detail"): staff(VIEW_SUBJECT, 200, api=False),
    ("GET", "catalog:matter_list"): staff(VIEW_SUBJECT, 200, api=False),
    ("GET", "catalog:matter_detail"): staff(VIEW_SUBJECT, 200, api=False),
    ("GET", "workdays:calendar"): staff({"admin", "root"}, 200, api=False),
    ("GET", "workdays:deadline"): staff({"admin", "root"}, 200, api=False),
    ("GET", "audit:entries"): staff({"admin", "auditor", "root"}, 200, api=False),
    ("POST", "audit:verify"): staff({"auditor", "root"}, api=False),
    ("GET", "credit:check"): staff(RUN_CHECKS, 200, api=False),
    ("GET", "credit:check_list"): staff(READ_CHECKS, 200, api=False),
    ("GET", "credit:check_detail"): staff(READ_CHECKS, 200, api=False),
    ("GET", "credit:policy"): staff({"clerk", "rev", "rev2", "officer", "admin", "root"}, 200, api=False),
    ("GET", "credit:manual_entry"): staff(RUN_CHECKS, 200, api=False),
    ("GET", "notifications:failures"): staff(NOTIFICATIONS, 200, api=False),
    ("GET", "notifications:detail"): staff(NOTIFICATIONS, 200, api=False),
    ("POST", "notifications:resend"): staff(NOTIFICATIONS, api=False),
    ("POST", "notifications:share_retry"): staff(NOTIFICATIONS, api=False),
    ("GET", "applications:list"): staff(VIEW_CASES, 200, api=False),
    ("GET", "applications:window"): staff({"clerk", "root"}, 200, api=False),
    ("GET", "applications:window_file"): staff({"clerk", "root"}, 200, api=False),
    ("POST", "applications:window_preview"): staff({"clerk", "root"}, 200, api=False),
    ("GET", "applications:queue_window"): staff({"clerk", "root"}, 200, api=False),
    ("GET", "applications:queue_review"): staff(DECIDE, 200, api=False),
    ("GET", "applications:queue_verification"): staff(DECIDE, 200, api=False),
    ("GET", "applications:detail"): CASE_PAGE,
    ("POST", "applications:supplement"): staff({"clerk", "root"}, api=False),
    ("POST", "applications:paper_receive"): staff({"clerk", "root"}, api=False),  # the window confirms paper
    ("POST", "applications:decide"): staff(DECIDE, api=False, rev=("ok", 404), rev2=(404, "ok")),
    ("POST", "applications:verify"): staff(DECIDE, api=False, rev=("ok", 404), rev2=(404, "ok")),
    ("POST", "applications:withdraw"): staff({"clerk", "root"}, api=False),
    ("POST", "applications:correction_request"): staff(CORRECT, api=False, rev=("ok", 404), rev2=(404, "ok")),
    ("POST", "applications:correction_answer"): staff({"clerk", "root"}, api=False),
    ("POST", "applications:return"): staff(DECIDE, api=False, rev=("ok", 404), rev2=(404, "ok")),
    ("POST", "applications:return_resolution"): staff({"clerk", "root"}, api=False),
    ("GET", "applications:material_file"): CASE_PAGE,
    ("GET", "applications:document"): CASE_PAGE,
    ("GET", "applications:document_pdf"): staff(VIEW_CASES, "pdf", api=False, rev=("pdf", 404), rev2=(404, "pdf")),
    ("GET", "licences:case_licence"): CASE_PAGE,
    ("GET", "licences:case_licence_pdf"): staff(VIEW_CASES, "pdf", api=False, rev=("pdf", 404), rev2=(404, "pdf")),
    ("GET", "bookings:queue"): staff(READ_BOOKINGS, 200, api=False),
    ("POST", "bookings:confirm"): staff(HANDLE_BOOKINGS, api=False),
    ("POST", "bookings:done"): staff(HANDLE_BOOKINGS, api=False),
    ("POST", "bookings:cancel"): staff(HANDLE_BOOKINGS, api=False),
    ("GET", "bookings:special_grants"): staff({"officer", "root"}, 200, api=False),
    ("GET", "applications:agent_queue"): staff(KEEP_LINKS, 200, api=False),
    ("GET", "applications:agent_detail"): staff(KEEP_LINKS, 200, api=False),
    ("GET", "applications:agent_file"): staff(KEEP_LINKS, 200, api=False),
    ("POST", "applications:agent_verify"): staff(KEEP_LINKS, api=False),
    ("POST", "applications:agent_refuse"): staff(KEEP_LINKS, api=False),
    ("POST", "applications:agent_revoke"): staff(KEEP_LINKS, api=False),
    ("GET", "supervision:entry_list"): staff(READ_LIST, 200, api=False),
    ("GET", "supervision:entry_detail"): staff(READ_LIST, 200, api=False),
    ("GET", "supervision:entry_file"): staff(READ_LIST, 200, api=False),
    ("GET", "supervision:entry_propose"): staff({"officer", "root"}, 200, api=False),
    ("POST", "supervision:entry_objection_record"): staff(RECORD_FOR_SUBJECT, api=False),
    ("POST", "supervision:entry_objection_decision"): staff(DECIDE_LIST, api=False),
    ("POST", "supervision:entry_repair_record"): staff(RECORD_FOR_SUBJECT, api=False),
    ("GET", "supervision:repair_list"): staff(READ_REPAIRS, 200, api=False),
    ("GET", "supervision:repair_detail"): staff(READ_REPAIRS, 200, api=False),
    ("POST", "supervision:repair_decision"): staff(DECIDE_LIST, api=False),
    # R8 sharing: every subject's events of a period, for credit officers and the bureau.
    ("GET", "records:export"): staff(EXPORT_RECORDS, 200, api=False),
    ("POST", "records:export"): staff(EXPORT_RECORDS, 200, api=False),
    ("GET", "stats:dashboard"): staff({"rev", "rev2", "admin", "root"}, 200, api=False),
    ("GET", "stats:export"): staff({"rev", "rev2", "admin", "root"}, 200, api=False),
    ("GET", "stats:report"): staff({"rev", "rev2", "admin", "root"}, 200, api=False),
    ("GET", "stats:report_pdf"): staff({"rev", "rev2", "admin", "root"}, 200, api=False),
}
# fmt: on

# Harmless bodies: valid where a valid one changes little, or refused by the rule after access is granted.
BODIES = {
    "/api/v1/auth/token": {"username": "nobody", "password": "wrong"},
    "/api/v1/subjects": {"kind": "enterprise", "code": "not-a-code", "name": "测试"},
    "/api/v1/matters": {
        "code": "NOSUCHDEPT41000000000000",
        "name": "测试事项",
        "department_code": "NOSUCHDEPT",
        "legal_basis": "测试",
        "statutory_days": 20,
        "promised_days": 10,
    },
    "/api/v1/matters/{code}": {},
    "/api/v1/credit-checks": {"subject_code": "{subject_code}", "purpose": "no-such-purpose"},
    "/api/v1/applications": {"matter_code": "{matter_code}", "subject_code": "{subject_code}", "mode": "standard"},
    "/api/v1/applications/{application_id}/supplements": {"materials": ["B1"]},
    "/api/v1/applications/{application_id}/decision": {"outcome": "reject", "reason": "条件不符"},
    "/api/v1/applications/{application_id}/verification": {"outcome": "fulfilled", "evidence": "核查记录"},
    "/api/v1/applications/{application_id}/withdrawal": {"reason": "不再办理"},
    "/api/v1/applications/{application_id}/rating": {"score": 9, "comment": ""},
    "/api/v1/applications/{application_id}/correction-request": {"items": [{"material_code": "ZZ", "reason": "x"}]},
    "/api/v1/applications/{application_id}/correction": {"materials": [], "note": ""},
    "/api/v1/applications/{application_id}/return": {"reason": ""},
    "/api/v1/applications/{application_id}/return-resolution": {"outcome": "resubmit", "reason": ""},
    "/api/v1/bookings": {
        "subject_code": "{subject_code}",
        "kind": "no-such-kind",
        "date": "2030-01-02",
        "slot": "morning",
        "phone": "13947000001",
    },
    "/api/v1/bookings/{booking_id}/cancellation": {"reason": ""},
    "/api/v1/blacklist/{entry_id}/objection": {"statement": ""},
    "/api/v1/blacklist/{entry_id}/objection-decision": {"outcome": "dismiss", "reason": ""},
    "/api/v1/credit-repairs": {"subject_code": "{subject_code}", "statement": ""},
    "/api/v1/credit-repairs/{repair_id}/decision": {"outcome": "refuse", "reason": ""},
    "portal:my_case_supplement": {"materials": "B1"},
    "portal:my_case_withdraw": {"reason": "不再办理"},
    "portal:my_case_correction": {"note": ""},
    "bookings:my_booking_cancel": {"reason": ""},
    "applications:supplement": {"materials": "B1"},
    "applications:paper_receive": {"materials": "A1"},
    "applications:decide": {"outcome": "reject", "reason": "条件不符"},
    "applications:verify": {"outcome": "fulfilled", "evidence": "核查记录"},
    "applications:withdraw": {"reason": "不再办理"},
    "applications:correction_request": {"items": "ZZ"},
    "applications:correction_answer": {"note": ""},
    "applications:return": {"reason": ""},
    "applications:return_resolution": {"outcome": "resubmit", "reason": ""},
    "bookings:cancel": {"reason": ""},
    "set_language": {"language": "zh-hans", "next": "/"},
    "applications:agent_revoke": {"reason": "授权已终止"},
    "portal:my_link_revoke_agent": {"reason": "授权已终止"},
    "records:export": {"start": "2026-01-01", "end": "2026-01-31", "format": "jsonl"},
    "ratings:my_case_rating": {"event": "filing", "score": "9"},
    "ratings:case_rating": {"event": "filing", "score": "9"},
    "ratings:follow_up": {"call_back": "", "answer": ""},
    "ratings:export": {"start": "2026-01-01", "end": "2026-01-31", "format": "csv"},
}


# ---------------------------------------------------------------------------------------------------------
# The endpoints that exist


def api_operations() -> set[tuple[str, str]]:
    found = set()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    found.add((method, f"/api/v1{prefix}{path}"))
    return found


def named_pages() -> set[str]:
    """Every named URL of the site but the API's and the Django admin's."""
    names = set()

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in {"admin", "api-v1"} or entry.app_name == "admin":
                    continue
                inner = entry.namespace or namespace
                walk(entry.url_patterns, f"{inner}" if inner else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(f"{namespace}:{entry.name}" if namespace else entry.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_endpoint_and_page_is_in_the_table():
    listed_api = {key for key in TABLE if key[1].startswith("/api/")}
    listed_pages = {key[1] for key in TABLE if not key[1].startswith("/api/")}
    assert api_operations() - listed_api == set(), "API operations missing from the access table"
    assert named_pages() - listed_pages == set(), "pages missing from the access table"
    assert listed_api - api_operations() == set(), "the table names API operations that do not exist"
    assert listed_pages - named_pages() == set(), "the table names pages that do not exist"
    for key, answers in TABLE.items():
        assert set(answers) == set(ROLES), key


# ---------------------------------------------------------------------------------------------------------
# The world: two departments, two subjects, a case of each, a booking of each, a listing, documents, a file


def _working_day() -> dt.date:
    day = clock.today() + dt.timedelta(days=2)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _matter(department) -> Matter:
    matter = MatterFactory(department=department, with_tolerance=True)
    for order, (code, essential, tolerable) in enumerate([("A1", True, False), ("B1", False, True)]):
        MaterialFactory(
            matter=matter, order=order, code=code, name=f"材料{code}", essential=essential, tolerable=tolerable
        )
    return Matter.objects.select_related("department").prefetch_related("materials").get(pk=matter.pk)


def _link(user, subject, status) -> SubjectAgent:
    return SubjectAgent.objects.create(
        user=user,
        subject=subject,
        relation=SubjectAgent.Relation.LEGAL_REPRESENTATIVE,
        created_at=clock.now(),
        created_by_label="test",
        status=status,
        verified_at=clock.now() if status == SubjectAgent.Status.VERIFIED else None,
    )


PDF = b"%PDF-1.4\n%%EOF"


def _licence(case) -> Licence:
    """A licence on the case (as its approval would issue), for the pages that show one."""
    type_code, issuer = f"{case.department.code}001", case.department.code
    serial = f"0{clock.today().year}{case.pk:06d}0"
    return Licence.objects.create(
        identifier=str(identifier_compose(type_code=type_code, issuer_code=issuer, serial=serial)),
        type_code=type_code,
        issuer_code=issuer,
        serial=serial,
        name=case.matter.name,
        holder=case.subject,
        holder_name=case.subject.name,
        matter=case.matter,
        application=case,
        issuer=case.department,
        issued_at=clock.now(),
        issued_on=clock.today(),
    )


def _repair_requested(clerk) -> CreditRepair:
    """A third subject's minor listing in effect, with a repair request the window recorded (and its proof)."""
    subject = subject_register(
        actor=None, kind="enterprise", code=uscc_for("91150783", "MA0AM0003"), name="扎兰屯市矩阵C有限公司"
    )
    entry = blacklist_propose(
        subject=subject, reason="pledge_breached", case=None, evidence="", actor=None, severity="minor"
    )
    moment = dt.datetime.combine(entry.objection_due + dt.timedelta(days=1), dt.time(9), tzinfo=clock.BEIJING)
    with clock.acting_at(moment):
        entry = blacklist_entry_list(entry_id=entry.pk)
        return credit_repair_request(
            subject=subject,
            entry=entry,
            actor=clerk,
            statement="已履行全部义务",
            files=[SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")],
            at_window=True,
        )


def _build() -> dict:
    dept_a, dept_b = DepartmentFactory(), DepartmentFactory()
    users = {
        "app": UserFactory(roles=[roles.APPLICANT]),
        "pend": UserFactory(roles=[roles.APPLICANT]),
        "clerk": UserFactory(roles=[roles.WINDOW_CLERK], department=dept_a),
        "rev": UserFactory(roles=[roles.REVIEWER], department=dept_a),
        "rev2": UserFactory(roles=[roles.REVIEWER], department=dept_b),
        "officer": UserFactory(roles=[roles.CREDIT_OFFICER]),
        "admin": UserFactory(roles=[roles.BUREAU_ADMIN], is_staff=True),
        "auditor": UserFactory(roles=[roles.AUDITOR]),
        "root": UserFactory(username="matrix-root", is_superuser=True, is_staff=True),
    }
    subjects, matters, cases, checks, bookings = {}, {}, {}, {}, {}
    for scope, department, body in (("A", dept_a, "MA0AM0001"), ("B", dept_b, "MA0AM0002")):
        subjects[scope] = subject_register(
            actor=None, kind="enterprise", code=uscc_for("91150783", body), name=f"扎兰屯市矩阵{scope}有限公司"
        )
        matters[scope] = _matter(department)
    # The applicant of subject B is another account; ``app`` acts for A only, ``pend`` waits for A.
    other_applicant = UserFactory(roles=[roles.APPLICANT])
    _link(users["app"], subjects["A"], SubjectAgent.Status.VERIFIED)
    links = {
        "A": _link(users["pend"], subjects["A"], SubjectAgent.Status.PENDING),
        "B": _link(other_applicant, subjects["B"], SubjectAgent.Status.VERIFIED),
    }
    for scope, link in links.items():  # the scan of a written authorisation, as the window keeps it
        link.authorisation_file.save(f"auth-{scope}.pdf", ContentFile(PDF), save=False)
        SubjectAgent.objects.filter(pk=link.pk).update(
            authorisation_file=link.authorisation_file.name,
            authorisation_file_name="授权委托书.pdf",
            authorisation_file_type="pdf",
        )
    for scope in ("A", "B"):
        cases[scope] = application_file(
            actor=users["clerk"],
            matter=matters[scope],
            subject=subjects[scope],
            mode="tolerance",
            materials=["A1"],
            supplement_pledge={"accepted": True},
            channel="window",
        )
        row = ApplicationMaterial.objects.get(application=cases[scope], material__code="A1")
        row.file.save(f"a1-{scope}.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        ApplicationMaterial.objects.filter(pk=row.pk).update(file=row.file.name, file_name="a1.pdf", file_type="pdf")
        checks[scope] = application_credit_check(actor=users["clerk"], subject=subjects[scope])
        applicant = users["app"] if scope == "A" else other_applicant
        bookings[scope] = booking_request(
            actor=applicant,
            subject=subjects[scope],
            kind="onsite_service",
            date=_working_day(),
            slot="morning",
            phone="139 4700 0001",
            address="扎兰屯市兴华街道布特哈大街 18 号",
        )
    entries = {
        scope: blacklist_propose(subject=subjects[scope], reason="pledge_breached", case=None, evidence="", actor=None)
        for scope in ("A", "B")
    }
    objection_file(
        entry=entries["A"],
        actor=users["app"],
        statement="已按期履行承诺",
        files=[SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf")],
        at_window=False,
    )
    objection = Objection.objects.get(entry=entries["A"])
    repair = _repair_requested(users["clerk"])
    # A 差评 of each case from the window's rating device: a follow-up for department A and one for B.
    follow_ups = {
        scope: rating_record(actor=users["clerk"], application=cases[scope], score=1, source="window").follow_up
        for scope in ("A", "B")
    }
    message = InAppMessage.objects.filter(user=users["app"]).order_by("id").first()
    clients = {"anon": Client()}
    tokens = {"anon": ApiClient()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
        tokens[role] = ApiClient(user)
    return {
        "users": users,
        "subjects": subjects,
        "matters": matters,
        "cases": cases,
        "checks": checks,
        "bookings": bookings,
        "documents": {scope: case_documents(cases[scope])[0] for scope in ("A", "B")},
        "licences": {scope: _licence(cases[scope]) for scope in ("A", "B")},
        "links": links,
        "entries": entries,
        "entry_files": {
            "A": (entries["A"].pk, "objection", objection.files.get().pk),
            "B": (repair.entry_id, "repair", repair.files.get().pk),
        },
        "repair": repair,
        "follow_ups": follow_ups,
        "notification": Notification.objects.order_by("id").first(),
        "message": message,
        "clients": clients,
        "api": tokens,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module in a transaction rolled back at its end; each test runs in a savepoint of it
    (pytest-django's ``db``). Marked as a test case's block, as Django's ``TestCase`` marks its own, so that the
    services' durable transactions may run inside it."""
    sources = override_settings(CREDIT_SOURCES={k: dict(v) for k, v in NO_SOURCES.items()})
    with sources, django_db_blocker.unblock():
        block = transaction.atomic()
        block._from_testcase = True
        block.__enter__()
        try:
            built = _build()
            assert built["message"] is not None and built["notification"] is not None
            yield built
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


# ---------------------------------------------------------------------------------------------------------
# Requests


def _path_values(world, target: str, scope: str) -> dict:
    case = world["cases"][scope]
    return {
        "code": (world["subjects"] if "/subjects/" in target else world["matters"])[scope].code_display
        if "/subjects/" in target
        else world["matters"][scope].code,
        "subject_code": world["subjects"][scope].code_display,
        "matter_code": world["matters"][scope].code,
        "check_id": world["checks"][scope].pk,
        "application_id": case.pk,
        "booking_id": world["bookings"][scope].pk,
        "entry_id": world["entries"][scope].pk,
        "identifier": world["licences"][scope].identifier,
        "repair_id": world["repair"].pk,  # the one request serves both scopes: repairs are the whole city's
    }


PAGE_ARGS = {
    "portal:guide": lambda w, s: [w["matters"][s].code],
    "portal:apply": lambda w, s: [w["matters"][s].code],
    "portal:apply_preview": lambda w, s: [w["matters"][s].code],
    "portal:verify": lambda w, s: [w["documents"][s].token],
    "licences:check": lambda w, s: [w["licences"][s].identifier],
    "catalog:matter_detail": lambda w, s: [w["matters"][s].code],
    "subjects:subject_detail": lambda w, s: [w["subjects"][s].pk],
    "credit:check_detail": lambda w, s: [w["checks"][s].pk],
    "credit:manual_entry": lambda w, s: [w["subjects"][s].pk],
    "notifications:detail": lambda w, s: [w["notification"].pk],
    "notifications:resend": lambda w, s: [w["notification"].pk],
    "notifications:read": lambda w, s: [w["message"].pk],
    "applications:window_file": lambda w, s: [w["checks"][s].pk, w["matters"][s].code],
    "applications:window_preview": lambda w, s: [w["checks"][s].pk, w["matters"][s].code],
    "bookings:my_booking_cancel": lambda w, s: [w["bookings"][s].pk],
    "bookings:confirm": lambda w, s: [w["bookings"][s].pk],
    "bookings:done": lambda w, s: [w["bookings"][s].pk],
    "bookings:cancel": lambda w, s: [w["bookings"][s].pk],
    "portal:my_link_code_send": lambda w, s: [w["links"][s].pk],
    "portal:my_link_code_confirm": lambda w, s: [w["links"][s].pk],
    "portal:my_link_identity": lambda w, s: [w["links"][s].pk],
    "portal:my_link_give_up": lambda w, s: [w["links"][s].pk],
    "portal:my_link_revoke_agent": lambda w, s: [w["links"][s].pk],
    "applications:agent_detail": lambda w, s: [w["links"][s].pk],
    "applications:agent_file": lambda w, s: [w["links"][s].pk],
    "applications:agent_verify": lambda w, s: [w["links"][s].pk],
    "applications:agent_refuse": lambda w, s: [w["links"][s].pk],
    "applications:agent_revoke": lambda w, s: [w["links"][s].pk],
    "supervision:entry_detail": lambda w, s: [w["entries"][s].pk],
    "supervision:entry_file": lambda w, s: list(w["entry_files"][s]),
    "supervision:entry_objection_record": lambda w, s: [w["entries"][s].pk],
    "supervision:entry_objection_decision": lambda w, s: [w["entries"][s].pk],
    "supervision:entry_repair_record": lambda w, s: [w["entries"][s].pk],
    "supervision:my_objection": lambda w, s: [w["entries"][s].pk],
    "supervision:my_repair": lambda w, s: [w["entries"][s].pk],
    "supervision:repair_detail": lambda w, s: [w["repair"].pk],
    "supervision:repair_decision": lambda w, s: [w["repair"].pk],
    "ratings:follow_up": lambda w, s: [w["follow_ups"][s].pk],
}
# Pages of one case: the case id, and the material or document of it they show.
CASE_PAGES = {
    "applications:detail": None,
    "applications:supplement": None,
    "applications:paper_receive": None,
    "applications:decide": None,
    "applications:verify": None,
    "applications:withdraw": None,
    "applications:correction_request": None,
    "applications:correction_answer": None,
    "applications:return": None,
    "applications:return_resolution": None,
    "applications:material_file": "A1",
    "applications:document": "pledge",
    "applications:document_pdf": "pledge",
    "portal:my_case": None,
    "portal:my_case_supplement": None,
    "portal:my_case_withdraw": None,
    "portal:my_case_correction": None,
    "ratings:my_case_rating": None,
    "ratings:case_rating": None,
    "portal:my_case_material_file": "A1",
    "portal:my_case_document": "pledge",
    "portal:my_case_document_pdf": "pledge",
    "licences:my_case_licence": None,
    "licences:my_case_licence_pdf": None,
    "licences:case_licence": None,
    "licences:case_licence_pdf": None,
}


def _page_url(world, name: str, scope: str) -> str:
    if name in PAGE_ARGS:
        return reverse(name, args=PAGE_ARGS[name](world, scope))
    if name in CASE_PAGES:
        part = CASE_PAGES[name]
        return reverse(name, args=[world["cases"][scope].pk] + ([part] if part else []))
    return reverse(name)


def _fill(body, values: dict):
    if isinstance(body, dict):
        return {key: _fill(value, values) for key, value in body.items()}
    if isinstance(body, str) and body.startswith("{") and body.endswith("}"):
        return str(values[body[1:-1]])
    return body


def _request(world, role: str, method: str, target: str, scope: str):
    if target.startswith("/api/"):
        values = _path_values(world, target, scope)
        path = target.format(**values)
        client = world["api"][role]
        body = _fill(BODIES.get(target, {}), values)
        if method == "GET":
            query = {"from": "2026-01-05", "add": 1} if target.endswith("working-days") else None
            return client.get(path, query)
        return getattr(client, method.lower())(path, body)
    client = world["clients"][role]
    url = _page_url(world, target, scope)
    if method == "GET":
        return client.get(url)
    return client.post(url, BODIES.get(target, {}))


def _state() -> tuple:
    """What a refused write must leave as it was."""
    return (
        AuditEntry.objects.count(),
        list(Application.objects.order_by("id").values_list("id", "status")),
        list(ServiceBooking.objects.order_by("id").values_list("id", "status")),
        Subject.objects.count(),
        list(Matter.objects.order_by("id").values_list("id", "name", "status")),
        CreditCheck.objects.count(),
        list(BlacklistEntry.objects.order_by("id").values_list("id", "status")),
        list(Objection.objects.order_by("id").values_list("id", "status")),
        list(CreditRepair.objects.order_by("id").values_list("id", "status")),
        list(SubjectAgent.objects.order_by("id").values_list("id", "status")),
        list(Notification.objects.order_by("id").values_list("id", "status")),
        list(InAppMessage.objects.order_by("id").values_list("id", "read_at")),
        list(Rating.objects.order_by("id").values_list("id", "score")),
        list(FollowUp.objects.order_by("id").values_list("id", "status")),
    )


def _to_login(response) -> bool:
    """A redirect to a login page: the staff one, or the applicants' one for the portal's own pages."""
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location.startswith((reverse("accounts:login"), reverse("portal:login")))


def _matches(response, expected) -> bool:
    status = response.status_code
    if expected == "login":
        return _to_login(response)
    if expected == "ok":
        return status in {200, 201, 204, 302, 409, 422} and not _to_login(response)
    if expected == "pdf":
        return status == (200 if printing.pdf_available() else 404)
    return status == expected


def _scoped(method: str, target: str) -> bool:
    """Whether the request names an object of scope A or B (in its path or its body)."""
    if target.startswith("/api/"):
        return "{" in target or "{" in json.dumps(BODIES.get(target, {}))
    return target in PAGE_ARGS or target in CASE_PAGES


CASES = [(method, target, role) for (method, target), answers in TABLE.items() for role in answers]


@pytest.mark.parametrize(("method", "target", "role"), CASES, ids=[f"{m} {t} {r}" for m, t, r in CASES])
def test_access(world, db, method, target, role):
    answer = TABLE[(method, target)][role]
    scopes = ["A", "B"] if _scoped(method, target) else ["A"]
    for scope in scopes:
        expected = answer[0 if scope == "A" else 1] if isinstance(answer, tuple) else answer
        before = _state() if method != "GET" else None
        response = _request(world, role, method, target, scope)
        denied = response.status_code in {401, 403, 404, 405} or _to_login(response)
        if before is not None and denied:
            assert _state() == before, f"a refused {method} {target} changed something ({role}, {scope})"
        assert _matches(response, expected), (
            f"{method} {target} as {role} on {scope}: expected {expected}, got {response.status_code} "
            f"{response.content[:300].decode(errors='replace')}"
        )
        if expected in {401, 403, 404} and target.startswith("/api/"):
            body = json.loads(response.content)
            assert set(body) >= {"code", "message"} and body["code"], body
