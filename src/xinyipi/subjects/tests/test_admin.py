"""The bureau's admin: adding through subject_register, changing through subject_update, no secrets shown."""

import pytest
from django.urls import reverse

from xinyipi.audit.models import AuditEntry
from xinyipi.subjects.models import Subject
from xinyipi.subjects.services import subject_register
from xinyipi.subjects.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db

PERSON = "11010519491231002X"
ADD = reverse("admin:subjects_subject_add")
CHANGELIST = reverse("admin:subjects_subject_changelist")


def change_url(subject):
    return reverse("admin:subjects_subject_change", args=[subject.pk])


@pytest.fixture
def admin_client(client, bureau_admin):
    client.force_login(bureau_admin)
    return client


def form_data(**overrides):
    data = {
        "kind": "person",
        "code": "110105 19491231 002x",
        "name": "张三",
        "legal_representative": "",
        "contact_phone": "",
        "address": "",
        "_save": "保存",
    }
    data.update(overrides)
    return data


def test_changelist_shows_masked_codes_and_searches_by_name(admin_client, bureau_admin):
    subject_register(actor=bureau_admin, kind="person", code=PERSON, name="张三")
    SubjectFactory(name="扎兰屯市己公司")
    html = admin_client.get(CHANGELIST).content.decode()
    assert "110105********002X" in html
    assert PERSON not in html
    found = admin_client.get(CHANGELIST, {"q": "己公司"}).content.decode()
    assert "扎兰屯市己公司" in found
    assert "张三" not in found
    assert "张三" in admin_client.get(CHANGELIST, {"q": "11010519491231002x"}).content.decode()


def test_add_form_takes_the_code_once_and_shows_no_secret_fields(admin_client):
    html = admin_client.get(ADD).content.decode()
    assert 'name="code"' in html
    assert 'name="code_hash"' not in html
    assert 'name="code_cipher"' not in html
    assert 'name="code_display"' not in html


def test_add_registers_through_the_service(admin_client, bureau_admin):
    response = admin_client.post(ADD, form_data())
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    subject = Subject.objects.get()
    assert subject.code_display == "110105********002X"
    assert subject.code_plain() == PERSON
    entry = AuditEntry.objects.get(action="subjects.subject.register")
    assert entry.actor == bureau_admin
    assert entry.object_id == str(subject.pk)


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"code": "110105194912310021"}, "code", "第 18 位应为 X"),
        ({"kind": "enterprise", "code": "9144030019220382I6"}, "code", "I"),
        ({"code": "11010519490231002X"}, "code", "出生日期"),
        ({"name": "  "}, "name", ""),
        ({"contact_phone": "电话"}, "contact_phone", ""),
    ],
)
def test_add_shows_errors_on_the_form_and_saves_nothing(admin_client, overrides, field, text):
    response = admin_client.post(ADD, form_data(**overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors
    assert text in " ".join(errors[field])
    assert Subject.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_add_refuses_a_duplicate_on_the_form(admin_client, bureau_admin):
    subject_register(actor=bureau_admin, kind="person", code=PERSON, name="张三")
    response = admin_client.post(ADD, form_data(code="110105-19491231-002X"))
    assert response.status_code == 200
    assert "已登记" in " ".join(response.context["adminform"].form.errors["code"])
    assert Subject.objects.count() == 1


def test_change_page_shows_neither_cipher_nor_hash_nor_the_full_number(admin_client, bureau_admin):
    subject = subject_register(actor=bureau_admin, kind="person", code=PERSON, name="张三")
    html = admin_client.get(change_url(subject)).content.decode()
    assert "110105********002X" in html
    assert PERSON not in html
    assert subject.code_cipher not in html
    assert subject.code_hash not in html
    assert 'name="code' not in html
    assert 'name="kind"' not in html


def test_change_goes_through_subject_update_and_is_audited(admin_client, bureau_admin):
    subject = subject_register(actor=bureau_admin, kind="enterprise", code="914403001922038216", name="华为")
    data = form_data(name="华为技术有限公司", contact_phone="0755-28780808")
    response = admin_client.post(change_url(subject), data)
    assert response.status_code == 302
    fresh = Subject.objects.get(pk=subject.pk)
    assert (fresh.name, fresh.contact_phone, fresh.code_display) == (
        "华为技术有限公司",
        "0755-28780808",
        "914403001922038216",
    )
    entry = AuditEntry.objects.get(action="subjects.subject.update")
    assert entry.actor == bureau_admin
    assert entry.before == {"name": "华为", "contact_phone": ""}
    assert entry.after == {"name": "华为技术有限公司", "contact_phone": "0755-28780808"}


def test_change_cannot_alter_the_code_or_kind(admin_client, bureau_admin):
    subject = subject_register(actor=bureau_admin, kind="enterprise", code="914403001922038216", name="华为")
    admin_client.post(change_url(subject), form_data(kind="person", code=PERSON, name="华为"))
    fresh = Subject.objects.get(pk=subject.pk)
    assert (fresh.kind, fresh.code_hash, fresh.code_cipher) == ("enterprise", subject.code_hash, "")


def test_subjects_cannot_be_deleted_from_the_admin(client, superuser):
    client.force_login(superuser)
    subject = SubjectFactory()
    response = client.get(reverse("admin:subjects_subject_delete", args=[subject.pk]))
    assert response.status_code == 403
    assert Subject.objects.filter(pk=subject.pk).exists()
