"""The roles of DESIGN.md §3 and department scoping."""

import pytest
from django.contrib.auth.models import Group

from xinyipi.accounts import roles
from xinyipi.accounts.access import access_by_id, department_scope, require_perm
from xinyipi.accounts.models import User
from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.audit.models import AuditEntry
from xinyipi.core.errors import NotFound, NotPermitted

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group_with_its_permissions():
    for role, wanted in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        have = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert have == wanted, role


def test_roles_sync_is_idempotent_and_repairs_drift():
    group = Group.objects.get(name=roles.AUDITOR)
    group.permissions.clear()
    roles.roles_sync()
    roles.roles_sync()
    assert group.permissions.count() == len(roles.ROLE_PERMISSIONS[roles.AUDITOR])


def test_role_checks_are_by_permission(make_user, department):
    clerk = make_user(roles.WINDOW_CLERK, department)
    auditor = make_user(roles.AUDITOR)
    require_perm(clerk, "subjects.add_subject")
    with pytest.raises(NotPermitted):
        require_perm(auditor, "subjects.add_subject")
    require_perm(auditor, "audit.verify_audit")


def test_staff_see_only_their_department(make_user, department, other_department, superuser):
    mine = make_user(roles.REVIEWER, department)
    theirs = make_user(roles.REVIEWER, other_department)
    queryset = User.objects.filter(pk__in=[mine.pk, theirs.pk])
    assert list(department_scope(mine, queryset)) == [mine]
    assert set(department_scope(superuser, queryset)) == {mine, theirs}
    with pytest.raises(NotFound):
        access_by_id(mine, User.objects.all(), theirs.pk, perm="catalog.view_matter")
    assert access_by_id(mine, User.objects.all(), mine.pk, perm="catalog.view_matter") == mine


def test_staff_without_department_see_nothing_scoped(make_user):
    loose = make_user(roles.REVIEWER)
    assert not department_scope(loose, User.objects.all()).exists()


def test_createsuperuser_works_as_in_any_django_project(db):
    from django.core.management import call_command

    call_command("createsuperuser", username="chief", email="chief@example.cn", interactive=False, verbosity=0)
    chief = User.objects.get(username="chief")
    assert chief.is_superuser and chief.has_perm("catalog.change_matter")


def test_console_navigation_follows_the_role(client, make_user, department):
    clerk = make_user(roles.WINDOW_CLERK, department)
    client.force_login(clerk)
    page = client.get("/console/").content.decode()
    assert "申请主体" in page
    assert "审计日志" not in page
    assert "系统管理" not in page

    auditor = make_user(roles.AUDITOR)
    client.force_login(auditor)
    page = client.get("/console/").content.decode()
    assert "审计日志" in page
    assert "申请主体" not in page


def test_every_navigation_entry_resolves_for_a_superuser(client, superuser):
    from xinyipi.console.navigation import NAVIGATION, navigation_for

    client.force_login(superuser)
    assert len(navigation_for(superuser)) == len(NAVIGATION)
    for item in navigation_for(superuser):
        assert client.get(item["url"]).status_code == 200, item["url"]


def test_admin_user_changes_are_audited_without_password(client, superuser, department):
    client.force_login(superuser)
    target = UserFactory(username="clerk9")
    response = client.post(
        f"/admin/accounts/user/{target.pk}/change/",
        {
            "username": "clerk9",
            "display_name": "窗口九",
            "department": department.pk,
            "is_active": "on",
            "roles": [roles.WINDOW_CLERK],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(action="accounts.user.save", object_id=str(target.pk)).latest("seq")
    assert entry.before["groups"] == []
    assert entry.after["groups"] == [roles.WINDOW_CLERK]
    assert entry.after["department_id"] == department.pk
    assert "password" not in entry.after
