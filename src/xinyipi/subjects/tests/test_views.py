"""Console pages: list with search and keyset "more", registration form, detail with panels."""

import pytest
from django.urls import reverse

from xinyipi.accounts import roles
from xinyipi.audit.models import AuditEntry
from xinyipi.subjects import panels
from xinyipi.subjects.models import Subject
from xinyipi.subjects.services import subject_register
from xinyipi.subjects.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db

PERSON = "11010519491231002X"
LIST = reverse("subjects:subject_list")
REGISTER = reverse("subjects:subject_register")


@pytest.fixture
def console(client, clerk):
    client.force_login(clerk)
    return client


def test_list_shows_codes_masked_and_never_the_full_id_number(console, clerk):
    subject_register(actor=clerk, kind="person", code=PERSON, name="张三")
    enterprise = SubjectFactory(name="扎兰屯市甲公司")
    html = console.get(LIST).content.decode()
    assert "110105********002X" in html
    assert PERSON not in html
    assert enterprise.code_display in html
    assert "扎兰屯市甲公司" in html


def test_list_pages_by_keyset_with_a_more_link(console):
    subjects = SubjectFactory.create_batch(53)
    newest_first = sorted(subjects, key=lambda s: -s.pk)
    first = console.get(LIST)
    html = first.content.decode()
    assert newest_first[0].name in html
    assert newest_first[49].name in html
    assert newest_first[50].name not in html
    assert first.context["page"].next_before == newest_first[49].pk
    second = console.get(LIST, {"before": newest_first[49].pk})
    assert [s.pk for s in second.context["page"].items] == [s.pk for s in newest_first[50:]]
    assert second.context["page"].next_before is None


def test_more_link_by_htmx_answers_only_the_next_rows(console):
    subjects = SubjectFactory.create_batch(52)
    oldest = min(subjects, key=lambda s: s.pk)
    response = console.get(LIST, {"before": oldest.pk + 2}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="subject-more")
    html = response.content.decode()
    assert "<table" not in html
    assert "<tr>" in html
    assert oldest.name in html


def test_search_by_htmx_answers_the_result_block(console, clerk):
    SubjectFactory(name="扎兰屯市乙商贸有限公司")
    SubjectFactory(name="呼伦贝尔丙公司")
    response = console.get(LIST, {"q": "乙商贸"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="subject-results")
    html = response.content.decode()
    assert "<html" not in html
    assert "扎兰屯市乙商贸有限公司" in html
    assert "呼伦贝尔丙公司" not in html


def test_search_finds_a_person_by_full_number_only(console, clerk):
    subject_register(actor=clerk, kind="person", code=PERSON, name="张三")
    assert "张三" in console.get(LIST, {"q": "110105 19491231 002x"}).content.decode()
    assert "张三" not in console.get(LIST, {"q": "19491231"}).content.decode()
    assert "张三" not in console.get(LIST, {"q": "110105"}).content.decode()


def test_register_page_saves_and_redirects_to_the_detail(console, clerk):
    response = console.post(REGISTER, {"kind": "person", "code": "11010519491231002x", "name": " 张三 "})
    subject = Subject.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("subjects:subject_detail", args=[subject.pk])
    assert subject.name == "张三"
    assert AuditEntry.objects.filter(action="subjects.subject.register", actor=clerk).exists()


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"kind": "enterprise", "code": "914403001922038217", "name": "华为"}, "code", "第 18 位应为 6"),
        ({"kind": "enterprise", "code": "9144030019220382I6", "name": "华为"}, "code", "I"),
        ({"kind": "person", "code": "11010519490231002X", "name": "张三"}, "code", "出生日期"),
        ({"kind": "person", "code": "1101051949", "name": "张三"}, "code", "18 位"),
        ({"kind": "enterprise", "code": "914403001922038216", "name": "   "}, "name", ""),
        (
            {"kind": "enterprise", "code": "914403001922038216", "name": "华为", "contact_phone": "abc"},
            "contact_phone",
            "",
        ),
        ({"kind": "company", "code": "914403001922038216", "name": "华为"}, "kind", ""),
    ],
)
def test_register_page_shows_errors_next_to_the_field_and_saves_nothing(console, data, field, text):
    before = Subject.objects.count(), AuditEntry.objects.count()
    response = console.post(REGISTER, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert text in " ".join(form.errors[field])
    assert f'id="{field}-error"' in response.content.decode()
    assert (Subject.objects.count(), AuditEntry.objects.count()) == before


def test_register_page_refuses_a_duplicate(console, clerk):
    subject_register(actor=clerk, kind="person", code=PERSON, name="张三")
    response = console.post(REGISTER, {"kind": "person", "code": "110105-19491231-002X", "name": "张三"})
    assert response.status_code == 200
    assert "已登记" in " ".join(response.context["form"].errors["code"])
    assert Subject.objects.count() == 1


def test_detail_shows_the_masked_number_only(console, clerk):
    subject = subject_register(actor=clerk, kind="person", code=PERSON, name="张三", address="扎兰屯市兴华街道")
    html = console.get(reverse("subjects:subject_detail", args=[subject.pk])).content.decode()
    assert "110105********002X" in html
    assert PERSON not in html
    assert "扎兰屯市兴华街道" in html


def test_detail_of_an_unknown_subject_is_404(console):
    assert console.get(reverse("subjects:subject_detail", args=[999999])).status_code == 404


def test_detail_renders_panels_registered_by_other_areas(console, settings, tmp_path, monkeypatch, make_user):
    (tmp_path / "panel.html").write_text("<h2>过往信用核查</h2>{{ panel.note }} {{ subject.name }}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    monkeypatch.setattr(panels, "_PANELS", {})
    panels.subject_panel_register(
        panels.SubjectPanel(key="checks", template_name="panel.html", context=lambda request, s: {"note": "无记录"})
    )
    panels.subject_panel_register(
        panels.SubjectPanel(key="secret", template_name="panel.html", perm="audit.verify_audit")
    )
    subject = SubjectFactory(name="丁公司")
    html = console.get(reverse("subjects:subject_detail", args=[subject.pk])).content.decode()
    assert 'id="subject-panel-checks"' in html
    assert "过往信用核查</h2>无记录 丁公司" in html
    assert 'id="subject-panel-secret"' not in html


def test_pages_need_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


@pytest.mark.parametrize("role", [roles.APPLICANT, roles.AUDITOR])
def test_pages_are_403_without_permission(client, make_user, role):
    subject = SubjectFactory()
    client.force_login(make_user(role))
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("subjects:subject_detail", args=[subject.pk])).status_code == 403
    assert (
        client.post(REGISTER, {"kind": "enterprise", "code": "914403001922038216", "name": "华为"}).status_code == 403
    )
    assert Subject.objects.count() == 1


def test_reviewer_sees_the_list_but_cannot_register(client, reviewer):
    client.force_login(reviewer)
    assert client.get(LIST).status_code == 200
    assert client.get(REGISTER).status_code == 403
    assert REGISTER not in client.get(LIST).content.decode()


def test_a_person_has_no_legal_representative_on_the_form_or_the_page(console, clerk):
    form = console.get(REGISTER).content.decode()
    assert 'data-section-for="kind:enterprise"' in form.split('name="legal_representative"')[0].rsplit("<div", 1)[1]
    console.post(REGISTER, {"kind": "person", "code": PERSON, "name": "张三", "legal_representative": "李四"})
    person = Subject.objects.get()
    assert person.legal_representative == ""
    assert "法定代表人" not in console.get(reverse("subjects:subject_detail", args=[person.pk])).content.decode()
    enterprise = SubjectFactory(legal_representative="王五")
    page = console.get(reverse("subjects:subject_detail", args=[enterprise.pk])).content.decode()
    assert "法定代表人" in page and "王五" in page


def test_register_page_names_the_field_that_is_too_long_or_missing(console):
    response = console.post(REGISTER, {"kind": "enterprise", "code": "", "name": "企" * 201})
    html = response.content.decode()
    assert "请填写统一社会信用代码 / 身份证号码。" in html
    assert "名称 / 姓名不能超过 200 个字（现有 201 个）。" in html
