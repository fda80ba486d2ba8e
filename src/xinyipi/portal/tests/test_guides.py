"""The public portal: guide list with search and department filter, and each matter's full guide with
its commitment (R4) and tolerance (R6) rules in plain Chinese."""

import pytest
from django.urls import reverse

from xinyipi.catalog.demo import load_demo_catalog
from xinyipi.catalog.models import Matter

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    load_demo_catalog()


def guide(client, name):
    matter = Matter.objects.get(name=name)
    response = client.get(reverse("portal:guide", args=[matter.code]))
    assert response.status_code == 200
    return response.content.decode()


def test_home_lists_guides_with_badges_and_links(client, demo):
    page = client.get(reverse("portal:home")).content.decode()
    matter = Matter.objects.get(name="公司设立登记")
    assert reverse("portal:guide", args=[matter.code]) in page
    assert "容缺受理" in page and "秒批" in page and "承诺即批" in page
    assert "扎兰屯市市场监督管理局" in page  # department filter


def test_home_htmx_search_returns_the_list_only(client, demo):
    response = client.get(reverse("portal:home"), {"q": "婚姻"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<html" not in page
    assert "内地居民婚姻登记" in page and "公司设立登记" not in page


def test_home_search_by_code_and_department(client, demo):
    matter = Matter.objects.get(name="排污许可证核发（简化管理）")
    page = client.get(reverse("portal:home"), {"q": matter.code}).content.decode()
    assert matter.name in page and "公司设立登记" not in page
    page = client.get(reverse("portal:home"), {"department": matter.department.code}).content.decode()
    assert matter.name in page and "公司设立登记" not in page


def test_guide_has_every_element(client, demo):
    page = guide(client, "公司设立登记")
    for text in (
        "受理条件",
        "《中华人民共和国公司法》第二十九条",
        "法定办结时限",
        "3 个工作日",
        "主要材料",
        "辅助材料",
        "可承诺替代",
        "可容缺",
        "不收费",
        "扎兰屯市政务服务中心",
        "0470-3200101",
        "12345",
        "扎兰屯市人民政府申请行政复议",
        "扎兰屯市人民法院",
        "常见问题",
        "住所申报承诺书",
    ):
        assert text in page, text


def test_r4_guide_explains_commitment_choice_and_liability(client, demo):
    page = guide(client, "公司设立登记")
    assert "代替下列证明材料" in page
    assert "可以直接提交上述证明材料" in page
    assert "不实承诺的法律责任" in page and "撤销" in page and "信用记录" in page
    assert "核查权力" in page


def test_r4_licence_commitment_guide_says_decision_on_the_spot(client, demo):
    page = guide(client, "公共场所卫生许可（新办）")
    assert "当场作出许可决定" in page


def test_r6_guide_lists_tolerable_materials_deadline_and_consequence(client, demo):
    page = guide(client, "房屋租赁登记备案")
    assert "委托代理人的授权委托书" in page
    assert "3 个工作日内" in page
    assert "催告" in page and "终止办理" in page


def test_r4_r6_excluded_matter_guide_says_why(client, demo):
    page = guide(client, "危险化学品经营许可（不带储存设施）")
    assert "公共安全" in page
    assert "依法不实行告知承诺制" in page and "国办发〔2020〕42号" in page
    assert "不实行容缺受理" in page


def test_r4_r6_energy_matter_commitment_but_no_tolerance(client, demo):
    page = guide(client, "固定资产投资项目节能审查")
    assert "代替下列证明材料" in page
    assert "节约能源" in page and "不实行容缺受理" in page


def test_instant_guide(client, demo):
    page = guide(client, "个体工商户变更登记")
    assert "即办" in page and "系统自动作出决定" in page


def test_unknown_or_cancelled_guide_is_404(client, demo, bureau_admin):
    assert client.get(reverse("portal:guide", args=["NOPE"])).status_code == 404
    matter = Matter.objects.get(name="就业创业证申领")
    Matter.objects.filter(pk=matter.pk).update(status="cancelled")
    assert client.get(reverse("portal:guide", args=[matter.code])).status_code == 404


def test_the_guide_list_goes_on_over_pages_keeping_the_search(client, department):
    from xinyipi.catalog.selectors import GUIDES_PER_PAGE
    from xinyipi.catalog.tests.factories import MatterFactory

    for n in range(GUIDES_PER_PAGE + 5):
        MatterFactory(department=department, name=f"许可{n:03d}")
    MatterFactory(department=department, name="其他事项")
    first = client.get(reverse("portal:home"), {"q": "许可"}).content.decode()
    assert "许可000" in first and f"许可{GUIDES_PER_PAGE - 1:03d}" in first
    assert f"许可{GUIDES_PER_PAGE:03d}" not in first
    assert "?q=%E8%AE%B8%E5%8F%AF&amp;page=2" in first  # the next page keeps the search
    second = client.get(reverse("portal:home"), {"q": "许可", "page": "2"}).content.decode()
    assert f"许可{GUIDES_PER_PAGE:03d}" in second and f"许可{GUIDES_PER_PAGE + 4:03d}" in second
    assert "许可000" not in second and "其他事项" not in second
    assert "page=1" in second and "page=3" not in second


@pytest.mark.parametrize("number", ["x", "-1", "²", "99999", "0"])
def test_a_page_number_that_is_not_one_shows_the_first_page(client, demo, number):
    from xinyipi.catalog.selectors import matter_page_public

    response = client.get(reverse("portal:home"), {"page": number})
    assert response.status_code == 200
    assert matter_page_public().items[0].name in response.content.decode()
