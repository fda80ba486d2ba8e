import pytest

from xinyipi.core.errors import NotFound, NotPermitted
from xinyipi.subjects.selectors import subject_by_code, subject_key, subject_list
from xinyipi.subjects.services import subject_register
from xinyipi.subjects.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db

PERSON = "11010519491231002X"


def test_subject_key_normalises_without_validating():
    assert subject_key(" 110105-19491231-002x ") == subject_key(PERSON)
    assert subject_key("anything") == subject_key("ANY THING")


def test_subject_by_code_raises_subject_not_found():
    with pytest.raises(NotFound) as exc:
        subject_by_code("914403001922038216")
    assert (exc.value.code, exc.value.status) == ("subject_not_found", 404)


def test_list_is_one_query_without_count(superuser, django_assert_num_queries):
    SubjectFactory.create_batch(5)
    with django_assert_num_queries(1) as captured:
        page = subject_list(actor=superuser, query="测试", limit=3)
    assert "COUNT" not in captured.captured_queries[0]["sql"].upper()
    assert len(page.items) == 3
    assert page.next_before == page.items[-1].pk
    rest = subject_list(actor=superuser, query="测试", before_id=page.next_before, limit=3)
    assert len(rest.items) == 2
    assert rest.next_before is None


def test_list_matches_names_and_whole_codes_only(superuser):
    person = subject_register(actor=superuser, kind="person", code=PERSON, name="张三")
    enterprise = SubjectFactory(name="扎兰屯市戊公司")
    assert subject_list(actor=superuser, query="戊公司").items == [enterprise]
    assert subject_list(actor=superuser, query=enterprise.code_display.lower()).items == [enterprise]
    assert subject_list(actor=superuser, query="11010519491231002x").items == [person]
    for fragment in ("110105", "19491231", "002X", "110105********002X"):
        assert subject_list(actor=superuser, query=fragment).items == []


def test_list_clamps_the_page_size(superuser):
    SubjectFactory.create_batch(3)
    assert len(subject_list(actor=superuser, limit=0).items) == 1


def test_list_requires_the_view_permission(make_user):
    with pytest.raises(NotPermitted):
        subject_list(actor=make_user("applicant"))
