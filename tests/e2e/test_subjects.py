"""A window clerk registers an applicant and finds it again: form, masked number, htmx search and "more"."""

import pytest
from playwright.sync_api import expect

from xinyipi.subjects.tests.factories import SubjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PERSON = "11010519491231002X"


def test_clerk_registers_a_person_and_sees_only_the_masked_number(page, login, clerk):
    login(clerk)
    page.goto("/console/subjects/new/")
    page.check("input[name=kind][value=person]")
    expect(page.locator("#id_legal_representative")).to_be_hidden()  # a person has no legal representative
    page.fill("#id_code", "110105 19491231 002Y")
    page.fill("#id_name", "张三")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator("#code-error")).to_be_visible()
    expect(page.locator("#code-error")).to_contain_text("不允许的字符")

    page.fill("#id_code", "110105 19491231 002x")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url("**/console/subjects/*/")
    expect(page.get_by_role("heading", name="张三")).to_be_visible()
    assert "110105********002X" in page.content()
    assert PERSON not in page.content()


def test_search_and_more_work_in_place(page, login, clerk):
    SubjectFactory.create_batch(55)
    SubjectFactory(name="扎兰屯市蒙东牧业有限公司")
    login(clerk)
    page.goto("/console/subjects/")
    rows = page.locator("#subject-results tbody tr:not(#subject-more)")
    assert rows.count() == 50
    page.click("#subject-more a")
    expect(page.locator("#subject-results tbody tr")).to_have_count(56)
    assert page.locator("#subject-more").count() == 0

    page.fill("#subject-q", "蒙东牧业")
    expect(page.locator("#subject-results tbody tr")).to_have_count(1)
    expect(rows.first).to_contain_text("扎兰屯市蒙东牧业有限公司")
    assert "q=" in page.url
