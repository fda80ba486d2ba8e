"""The roles of DESIGN.md §3 as Django groups, each with the permissions it needs.

Permissions are named ``app_label.codename``. Code checks permissions (``user.has_perm``), never role
names, so a bureau can regroup duties in the admin without touching code.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext_lazy as _

APPLICANT = "applicant"
WINDOW_CLERK = "window_clerk"
REVIEWER = "reviewer"
CREDIT_OFFICER = "credit_officer"
BUREAU_ADMIN = "bureau_admin"
AUDITOR = "auditor"

ROLE_LABELS = {
    APPLICANT: _("申请人"),
    WINDOW_CLERK: _("综合受理窗口"),
    REVIEWER: _("部门审核人员"),
    CREDIT_OFFICER: _("信用管理人员"),
    BUREAU_ADMIN: _("政务服务与数据管理局管理员"),
    AUDITOR: _("审计人员"),
}

_VIEW_CATALOG = {"catalog.view_matter", "catalog.view_material", "accounts.view_department"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    APPLICANT: set(),
    WINDOW_CLERK: _VIEW_CATALOG | {"subjects.view_subject", "subjects.add_subject"},
    REVIEWER: _VIEW_CATALOG | {"subjects.view_subject"},
    CREDIT_OFFICER: _VIEW_CATALOG
    | {"subjects.view_subject", "subjects.add_subject"}
    | {"notifications.view_notification", "notifications.resend_notification"},
    BUREAU_ADMIN: _VIEW_CATALOG
    | {
        "accounts.add_department",
        "accounts.change_department",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "catalog.add_matter",
        "catalog.change_matter",
        "catalog.delete_matter",
        "catalog.add_material",
        "catalog.change_material",
        "catalog.delete_material",
        "catalog.import_catalog",
        "workdays.view_holiday",
        "workdays.add_holiday",
        "workdays.change_holiday",
        "workdays.delete_holiday",
        "workdays.view_calendaryear",
        "workdays.change_calendaryear",
        "subjects.view_subject",
        "subjects.add_subject",
        "subjects.change_subject",
        "audit.view_auditentry",
        "notifications.view_notification",
        "notifications.resend_notification",
    },
    AUDITOR: {"audit.view_auditentry", "audit.verify_audit"},
}

# Credit checks: window clerks and credit officers run them (and record manual look-ups), reviewers read
# them, the bureau reads the credit policy and keeps the local incentive-card table.
_CREDIT_RUN = {"credit.add_creditcheck", "credit.view_creditcheck", "credit.add_manualentry"}
ROLE_PERMISSIONS[WINDOW_CLERK] |= _CREDIT_RUN
ROLE_PERMISSIONS[CREDIT_OFFICER] |= _CREDIT_RUN | {"credit.view_creditrecord", "credit.view_incentivecard"}
ROLE_PERMISSIONS[REVIEWER] |= {"credit.view_creditcheck"}
# The policy in words (levels, rules, entitlements, references, dates) for every role that applies or explains
# it; the policy file itself only for the bureau, which keeps it.
ROLE_PERMISSIONS[WINDOW_CLERK] |= {"credit.view_policy"}
ROLE_PERMISSIONS[REVIEWER] |= {"credit.view_policy"}
ROLE_PERMISSIONS[CREDIT_OFFICER] |= {"credit.view_policy"}
# The credit record (R8): every staff role that serves applicants or follows credit reads it.
ROLE_PERMISSIONS[WINDOW_CLERK] |= {"records.view_creditrecordevent"}
ROLE_PERMISSIONS[REVIEWER] |= {"records.view_creditrecordevent"}
ROLE_PERMISSIONS[CREDIT_OFFICER] |= {"records.view_creditrecordevent"}
ROLE_PERMISSIONS[BUREAU_ADMIN] |= {"records.view_creditrecordevent"}
# Exporting every subject's events of a period is sharing the record (R8): credit officers and the bureau only.
ROLE_PERMISSIONS[CREDIT_OFFICER] |= {"records.export_creditrecordevent"}
ROLE_PERMISSIONS[BUREAU_ADMIN] |= {"records.export_creditrecordevent"}
ROLE_PERMISSIONS[BUREAU_ADMIN] |= {
    "credit.view_policy",
    "credit.view_policy_file",
    "credit.view_creditrecord",
    "credit.view_creditimport",
    "credit.view_incentivecard",
    "credit.add_incentivecard",
    "credit.change_incentivecard",
}

# Applications (办件): the window files for anyone and collects supplements for every department; reviewers
# decide and verify their own department's cases; credit officers and the bureau read every case; the
# bureau keeps the letter templates and, with the window, the applicants' account links — the window verifies
# the links asked for online (R9a). Applicants need no permission: they act through a verified link to a
# subject (applications.SubjectAgent).
_CASES_READ = {"applications.view_application", "applications.view_all_applications", "supervision.view_blacklistentry"}
ROLE_PERMISSIONS[WINDOW_CLERK] |= _CASES_READ | {
    "applications.add_application",
    "applications.supplement_application",
    "applications.withdraw_application",
    "applications.view_subjectagent",
    "applications.add_subjectagent",
    "applications.verify_subjectagent",
}
ROLE_PERMISSIONS[REVIEWER] |= {
    "applications.view_application",
    "applications.decide_application",
    "applications.verify_application",
    "supervision.view_blacklistentry",
}
# 行政许可法 Art. 32(4): the window issues the one correction notice at acceptance, the department's reviewer
# during review; only the reviewer sends a case back to the window (退回) before deciding it.
ROLE_PERMISSIONS[WINDOW_CLERK] |= {"applications.request_correction"}
ROLE_PERMISSIONS[REVIEWER] |= {"applications.request_correction", "applications.return_application"}
ROLE_PERMISSIONS[CREDIT_OFFICER] |= _CASES_READ
ROLE_PERMISSIONS[BUREAU_ADMIN] |= _CASES_READ | {
    "applications.view_lettertemplate",
    "applications.add_lettertemplate",
    "applications.change_lettertemplate",
    "applications.view_subjectagent",
    "applications.add_subjectagent",
    "applications.change_subjectagent",
    "applications.verify_subjectagent",
    "applications.view_documentprefix",
    "applications.add_documentprefix",
    "applications.change_documentprefix",
}

# Bookings of 上门服务 and 帮办代办 (R10): the service center's window staff confirm, complete and cancel them;
# credit officers (who follow listings, R9) and the bureau read them. Applicants book through their link to a
# subject and need no permission.
ROLE_PERMISSIONS[WINDOW_CLERK] |= {"bookings.view_servicebooking", "bookings.handle_servicebooking"}
ROLE_PERMISSIONS[CREDIT_OFFICER] |= {
    "bookings.view_servicebooking",
    # A booking for special circumstances (the notice: "非特殊情况不享受上门服务、帮办代办").
    "bookings.view_specialgrant",
    "bookings.add_specialgrant",
}
ROLE_PERMISSIONS[BUREAU_ADMIN] |= {"bookings.view_servicebooking"}

# The city list (R9, R11): credit officers propose listings, answer objections and decide credit repairs; the
# window records objections and repair requests for applicants who come in person; the bureau reads them.
ROLE_PERMISSIONS[CREDIT_OFFICER] |= {
    "supervision.add_blacklistentry",
    "supervision.add_objection",
    "supervision.change_objection",
    "supervision.view_objection",
    "supervision.add_creditrepair",
    "supervision.change_creditrepair",
    "supervision.view_creditrepair",
}
ROLE_PERMISSIONS[WINDOW_CLERK] |= {"supervision.add_objection", "supervision.add_creditrepair"}
ROLE_PERMISSIONS[BUREAU_ADMIN] |= {"supervision.view_objection", "supervision.view_creditrepair"}

# Statistics (R13): the bureau sees every department's figures, a department's reviewers their own.
ROLE_PERMISSIONS[BUREAU_ADMIN] |= {"applications.view_statistics"}
ROLE_PERMISSIONS[REVIEWER] |= {"applications.view_statistics"}

# 好差评: the staff who serve the applicant at a window record what the window's rating device showed (the
# 综合受理窗口 for every department, a reviewer for its own); a department's reviewers follow up its 差评; the
# bureau watches every department's follow-ups and uploads the city's ratings to the national system.
ROLE_PERMISSIONS[WINDOW_CLERK] |= {"ratings.add_rating"}
ROLE_PERMISSIONS[REVIEWER] |= {"ratings.add_rating", "ratings.view_followup", "ratings.change_followup"}
ROLE_PERMISSIONS[BUREAU_ADMIN] |= {"ratings.view_followup", "ratings.view_all_followups", "ratings.export_rating"}

STAFF_ROLES = {WINDOW_CLERK, REVIEWER, CREDIT_OFFICER, BUREAU_ADMIN, AUDITOR}

# Roles whose work is in the Django admin: the account's ``is_staff`` follows them and nothing else.
ADMIN_SITE_ROLES = {BUREAU_ADMIN}


def roles_sync(using: str = DEFAULT_DB_ALIAS, apps=global_apps) -> None:
    """Create each role group and give it exactly its permissions (idempotent)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        perms = []
        for dotted in sorted(wanted):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            if perm is None:
                raise LookupError(f"role {role!r} names unknown permission {dotted!r}")
            perms.append(perm)
        group.permissions.set(perms)


def roles_sync_after_migrate(sender, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    if sender.label != "accounts":
        return
    from django.contrib.auth.management import create_permissions

    # Permissions of apps listed after ``accounts`` are created later in the same signal; create them
    # all now so that the role groups can reference them.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    roles_sync(using=using)


def roles_of(user) -> list[str]:
    if not user.is_authenticated:
        return []
    return sorted(user.groups.filter(name__in=ROLE_LABELS).values_list("name", flat=True))
