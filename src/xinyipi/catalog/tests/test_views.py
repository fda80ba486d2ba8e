"""Console pages of the catalog: the list with filters and badges, the full guide as staff see it."""

import pytest
from django.urls import reverse

from xinyipi.catalog.demo import load_demo_catalog
from xinyipi.catalog.models import Matter

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    load_demo_catalog()


def test_matter_list_needs_login_and_permission(client, auditor, demo):
    url = reverse("catalog:matter_list")
    assert client.get(url).status_code == 302
    client.force_login(auditor)
    assert client.get(url).status_code == 403


def test_matter_list_shows_badges_and_filters(client, clerk, demo):
    client.force_login(clerk)
    page = client.get(reverse("catalog:matter_list")).content.decode()
    assert "秒批" in page and "告知承诺" in page and "容缺受理" in page
    assert "危险化学品经营许可" in page
    page = client.get(reverse("catalog:matter_list"), {"tolerance": "1"}).content.decode()
    assert "危险化学品经营许可" not in page
    assert "房屋租赁登记备案" in page
    page = client.get(reverse("catalog:matter_list"), {"instant": "1", "q": "个体工商户"}).content.decode()
    assert "个体工商户变更登记" in page and "公司设立登记" not in page


def test_matter_detail_shows_guide_and_edit_link_only_to_editors(client, clerk, bureau_admin, demo):
    matter = Matter.objects.get(name="公司设立登记")
    url = reverse("catalog:matter_detail", args=[matter.code])
    client.force_login(clerk)
    page = client.get(url).content.decode()
    assert "住所（经营场所）使用证明" in page and "不实承诺的法律责任" in page
    assert reverse("admin:catalog_matter_change", args=[matter.pk]) not in page
    client.force_login(bureau_admin)
    assert reverse("admin:catalog_matter_change", args=[matter.pk]) in client.get(url).content.decode()


def test_matter_detail_unknown_code_is_404(client, clerk, demo):
    client.force_login(clerk)
    assert client.get(reverse("catalog:matter_detail", args=["NOPE"])).status_code == 404


def test_matter_list_query_count_is_constant(client, clerk, demo, django_assert_max_num_queries):
    client.force_login(clerk)
    with django_assert_max_num_queries(12):
        client.get(reverse("catalog:matter_list"))
