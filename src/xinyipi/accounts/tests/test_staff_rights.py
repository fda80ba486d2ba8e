"""Staff rights: the bureau administrator keeps staff accounts and cannot raise anyone's rights, its own included.

Each escalation path is tried through the admin (form POSTs with smuggled fields) and through the service;
each asserts the stored account is unchanged and that the audit trail grew only for a legitimate change.
"""

import pytest
from django.contrib.auth.models import Group, Permission

from xinyipi.accounts import roles
from xinyipi.accounts.models import User
from xinyipi.accounts.services import staff_save
from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.audit.models import AuditEntry
from xinyipi.core.errors import DomainError, NotPermitted

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zhalantun-staff-2026"


def stored(user) -> dict:
    """Everything about an account that carries rights, read back from the database."""
    row = User.objects.get(pk=user.pk)
    return {
        "username": row.username,
        "display_name": row.display_name,
        "department_id": row.department_id,
        "is_active": row.is_active,
        "is_staff": row.is_staff,
        "is_superuser": row.is_superuser,
        "password": row.password,
        "groups": sorted(row.groups.values_list("name", flat=True)),
        "user_permissions": sorted(row.user_permissions.values_list("codename", flat=True)),
    }


def audit_count() -> int:
    return AuditEntry.objects.filter(action="accounts.user.save").count()


def change_form(user, **overrides) -> dict:
    """The admin change form's POST for ``user`` as it stands, with ``overrides``."""
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "phone": user.phone,
        "department": user.department_id or "",
        "roles": roles.roles_of(user),
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def smuggled() -> dict:
    """Fields the stock user admin accepted and ours must ignore."""
    return {
        "is_superuser": "on",
        "is_staff": "on",
        "groups": [Group.objects.get(name=roles.BUREAU_ADMIN).pk],
        "user_permissions": [Permission.objects.get(codename="change_group").pk],
    }


@pytest.fixture
def admin_client(client, bureau_admin, department):
    bureau_admin.department = department
    bureau_admin.save(update_fields=["department"])
    client.force_login(bureau_admin)
    return client


def test_staff_form_shows_roles_with_their_labels_and_no_superuser_groups_or_permissions(admin_client, clerk):
    for url in ("/admin/accounts/user/add/", f"/admin/accounts/user/{clerk.pk}/change/"):
        page = admin_client.get(url).content.decode()
        assert 'name="roles"' in page
        assert str(roles.ROLE_LABELS[roles.WINDOW_CLERK]) in page
        for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
            assert f'name="{field}"' not in page, (url, field)


def test_bureau_admin_creates_a_staff_account_with_a_role_audited_without_the_password(
    admin_client, bureau_admin, department
):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "reviewer7",
            "display_name": "审核员七",
            "phone": "13900000007",
            "department": department.pk,
            "is_active": "on",
            "roles": [roles.REVIEWER],
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="reviewer7")
    assert roles.roles_of(user) == [roles.REVIEWER]
    assert (user.department, user.phone, user.is_staff, user.is_superuser) == (department, "13900000007", False, False)
    assert user.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="accounts.user.save", object_id=str(user.pk))
    assert entry.actor == bureau_admin
    assert entry.before is None
    assert entry.after["groups"] == [roles.REVIEWER]
    assert entry.after["password_changed"] is True
    assert user.password not in str(entry.after)


def test_smuggled_superuser_staff_groups_and_permissions_on_the_add_form_are_ignored(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "sneaky",
            "display_name": "新人",
            "is_active": "on",
            "roles": [roles.WINDOW_CLERK],
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **smuggled(),
        },
    )
    assert response.status_code == 302
    state = stored(User.objects.get(username="sneaky"))
    assert (state["is_superuser"], state["is_staff"]) == (False, False)
    assert state["groups"] == [roles.WINDOW_CLERK]
    assert state["user_permissions"] == []


def test_own_account_smuggled_superuser_box_groups_and_permissions_change_nothing(admin_client, bureau_admin):
    before, entries = stored(bureau_admin), audit_count()
    response = admin_client.post(
        f"/admin/accounts/user/{bureau_admin.pk}/change/", change_form(bureau_admin, **smuggled())
    )
    assert response.status_code == 302
    assert stored(bureau_admin) == before
    assert audit_count() == entries


def test_own_roles_department_and_active_flag_cannot_be_changed_through_the_admin(
    admin_client, bureau_admin, other_department
):
    before, entries = stored(bureau_admin), audit_count()
    form = change_form(
        bureau_admin, roles=[roles.BUREAU_ADMIN, roles.AUDITOR], department=other_department.pk, is_active=None
    )
    form["display_name"] = "改过的名字"
    response = admin_client.post(f"/admin/accounts/user/{bureau_admin.pk}/change/", form)
    assert response.status_code == 302
    after = stored(bureau_admin)
    # The display name is the administrator's to change; the rights-bearing fields are not.
    assert after == before | {"display_name": "改过的名字"}
    assert audit_count() == entries + 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"roles_wanted": {roles.BUREAU_ADMIN, roles.AUDITOR}}, "staff_own_roles"),
        ({"roles_wanted": set()}, "staff_own_roles"),
        ({"department": "other"}, "staff_own_account"),
        ({"is_active": False}, "staff_own_account"),
    ],
)
def test_service_refuses_own_roles_department_and_active_flag(bureau_admin, other_department, change, code):
    before, entries = stored(bureau_admin), audit_count()
    target = User.objects.get(pk=bureau_admin.pk)
    roles_wanted = change.get("roles_wanted", {roles.BUREAU_ADMIN})
    if change.get("department"):
        target.department = other_department
    if "is_active" in change:
        target.is_active = change["is_active"]
    with pytest.raises(NotPermitted) as refused:
        staff_save(actor=bureau_admin, user=target, roles_wanted=roles_wanted)
    assert refused.value.code == code
    assert stored(bureau_admin) == before
    assert audit_count() == entries


def test_another_bureau_administrator_is_read_only_and_its_post_refused(admin_client, make_user):
    peer = make_user(roles.BUREAU_ADMIN)
    before, entries = stored(peer), audit_count()
    page = admin_client.get(f"/admin/accounts/user/{peer.pk}/change/")
    assert page.status_code == 200
    assert 'name="roles"' not in page.content.decode()
    response = admin_client.post(
        f"/admin/accounts/user/{peer.pk}/change/",
        change_form(peer, roles=[roles.AUDITOR], is_active=None, password1=NEW_PASSWORD, password2=NEW_PASSWORD),
    )
    assert response.status_code == 403
    assert stored(peer) == before
    assert audit_count() == entries


def test_service_refuses_changing_another_bureau_administrator(bureau_admin, make_user):
    peer = make_user(roles.BUREAU_ADMIN)
    before = stored(peer)
    target = User.objects.get(pk=peer.pk)
    target.display_name = "被改名"
    with pytest.raises(NotPermitted) as refused:
        staff_save(actor=bureau_admin, user=target, roles_wanted={roles.AUDITOR}, password=NEW_PASSWORD)
    assert refused.value.code == "staff_peer_admin"
    assert stored(peer) == before


def test_granting_the_bureau_admin_role_is_refused_with_a_message_in_the_form(admin_client, clerk):
    before, entries = stored(clerk), audit_count()
    response = admin_client.post(
        f"/admin/accounts/user/{clerk.pk}/change/", change_form(clerk, roles=[roles.WINDOW_CLERK, roles.BUREAU_ADMIN])
    )
    assert response.status_code == 200
    assert "只有超级管理员可以授予" in response.content.decode()
    assert stored(clerk) == before
    assert audit_count() == entries


def test_superusers_are_hidden_from_the_bureau_administrator_and_cannot_be_edited(admin_client, superuser):
    before, entries = stored(superuser), audit_count()
    listing = admin_client.get("/admin/accounts/user/").content.decode()
    assert f"/admin/accounts/user/{superuser.pk}/change/" not in listing
    assert admin_client.get(f"/admin/accounts/user/{superuser.pk}/change/").status_code == 302
    response = admin_client.post(
        f"/admin/accounts/user/{superuser.pk}/change/",
        change_form(superuser, is_active=None, password1=NEW_PASSWORD, password2=NEW_PASSWORD),
    )
    assert response.status_code == 302
    assert stored(superuser) == before
    assert audit_count() == entries


def test_service_refuses_editing_or_making_a_superuser(bureau_admin, superuser, clerk):
    target = User.objects.get(pk=superuser.pk)
    target.display_name = "改"
    with pytest.raises(NotPermitted) as refused:
        staff_save(actor=bureau_admin, user=target)
    assert refused.value.code == "staff_superuser_protected"
    for actor in (bureau_admin, superuser):
        raised = User.objects.get(pk=clerk.pk)
        raised.is_superuser = True
        with pytest.raises(NotPermitted) as refused:
            staff_save(actor=actor, user=raised)
        assert refused.value.code == "staff_superuser_flag"
    assert not User.objects.get(pk=clerk.pk).is_superuser


def test_is_staff_follows_the_roles_whatever_the_caller_sets(superuser, clerk):
    target = User.objects.get(pk=clerk.pk)
    target.is_staff = True
    staff_save(actor=superuser, user=target, roles_wanted={roles.WINDOW_CLERK})
    assert not User.objects.get(pk=clerk.pk).is_staff
    staff_save(actor=superuser, user=User.objects.get(pk=clerk.pk), roles_wanted={roles.BUREAU_ADMIN})
    assert User.objects.get(pk=clerk.pk).is_staff


def test_unknown_role_is_refused_naming_the_field(superuser, clerk):
    with pytest.raises(DomainError) as refused:
        staff_save(actor=superuser, user=User.objects.get(pk=clerk.pk), roles_wanted={"root"})
    assert (refused.value.code, refused.value.field) == ("unknown_role", "roles")
    assert roles.roles_of(clerk) == [roles.WINDOW_CLERK]


def test_group_admin_is_hidden_from_non_superusers_even_holding_group_permissions(admin_client, bureau_admin):
    bureau_admin.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="auth", codename__endswith="group")
    )
    group = Group.objects.get(name=roles.WINDOW_CLERK)
    permissions_before = set(group.permissions.values_list("pk", flat=True))
    assert admin_client.get("/admin/auth/group/").status_code == 403
    assert admin_client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 403
    response = admin_client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": roles.WINDOW_CLERK, "permissions": list(Permission.objects.values_list("pk", flat=True))},
    )
    assert response.status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == permissions_before
    assert admin_client.post("/admin/auth/group/add/", {"name": "root"}).status_code == 403
    assert not Group.objects.filter(name="root").exists()
    assert "/admin/auth/group/" not in admin_client.get("/admin/").content.decode()


def test_permissions_have_no_admin_page(admin_client):
    assert admin_client.get("/admin/auth/permission/").status_code == 404


def test_a_legitimate_change_of_a_clerk_is_audited_once_with_before_and_after(admin_client, clerk, bureau_admin):
    response = admin_client.post(
        f"/admin/accounts/user/{clerk.pk}/change/",
        change_form(clerk, display_name="窗口新名", roles=[roles.WINDOW_CLERK, roles.CREDIT_OFFICER], **smuggled()),
    )
    assert response.status_code == 302
    state = stored(clerk)
    assert state["groups"] == sorted([roles.WINDOW_CLERK, roles.CREDIT_OFFICER])
    assert (state["is_superuser"], state["is_staff"], state["user_permissions"]) == (False, False, [])
    entry = AuditEntry.objects.filter(action="accounts.user.save", object_id=str(clerk.pk)).get()
    assert entry.actor == bureau_admin
    assert entry.before["display_name"] != "窗口新名"
    assert entry.after["display_name"] == "窗口新名"
    assert entry.after["groups"] == sorted([roles.WINDOW_CLERK, roles.CREDIT_OFFICER])


def test_bureau_admin_can_reset_a_clerks_password_and_deactivate_it(admin_client, clerk):
    response = admin_client.post(
        f"/admin/accounts/user/{clerk.pk}/change/",
        change_form(clerk, is_active=None, password1=NEW_PASSWORD, password2=NEW_PASSWORD),
    )
    assert response.status_code == 302
    row = User.objects.get(pk=clerk.pk)
    assert row.check_password(NEW_PASSWORD)
    assert not row.is_active


def test_superuser_manages_roles_including_bureau_admin_but_never_the_superuser_flag(client, superuser, clerk):
    client.force_login(superuser)
    response = client.post(
        f"/admin/accounts/user/{clerk.pk}/change/", change_form(clerk, roles=[roles.BUREAU_ADMIN], **smuggled())
    )
    assert response.status_code == 302
    state = stored(clerk)
    assert state["groups"] == [roles.BUREAU_ADMIN]
    assert (state["is_staff"], state["is_superuser"], state["user_permissions"]) == (True, False, [])


def test_groups_that_are_not_roles_are_kept_when_roles_change(superuser, clerk):
    extra = Group.objects.create(name="值班")
    clerk.groups.add(extra)
    staff_save(actor=superuser, user=User.objects.get(pk=clerk.pk), roles_wanted={roles.REVIEWER})
    assert stored(clerk)["groups"] == sorted([roles.REVIEWER, "值班"])


def test_staff_without_the_change_permission_cannot_save_accounts(clerk, reviewer):
    target = User.objects.get(pk=reviewer.pk)
    target.display_name = "被改"
    with pytest.raises(NotPermitted):
        staff_save(actor=clerk, user=target)
    new = UserFactory.build(username="fresh")
    with pytest.raises(NotPermitted):
        staff_save(actor=clerk, user=new, password=NEW_PASSWORD)
    assert not User.objects.filter(username="fresh").exists()


def test_no_api_route_writes_users_or_groups():
    """Accounts are kept in the admin only: no API operation takes a user or group as its body."""
    from xinyipi.api.v1 import api

    schema = api.get_openapi_schema()
    written = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in {"post", "put", "patch", "delete"} and ("/users" in path or "/groups" in path):
                written.add((method, path))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            ref = body.get("$ref", "")
            if ref.split("/")[-1].lower().startswith(("user", "group", "staff")):
                written.add((method, path))
    assert written == set()
