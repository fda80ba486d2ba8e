"""``/api/v1/matters``: the §6.1 shape, keyset pagination, filters, no N+1, and writes through the guard."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinyipi.audit.models import AuditEntry
from xinyipi.catalog.models import Matter
from xinyipi.catalog.services import matter_create
from xinyipi.catalog.tests.factories import material_data, matter_data

pytestmark = pytest.mark.django_db

CONTRACT = {
    "code",
    "name",
    "department",
    "commitment_kind",
    "tolerance",
    "instant",
    "supplement_days",
    "verification_days",
    "materials",
}
MATERIAL_CONTRACT = {"code", "name", "essential", "certificate", "replaceable", "tolerable"}


@pytest.fixture
def catalog(department, bureau_admin):
    made = []
    for n in range(7):
        made.append(
            matter_create(
                actor=bureau_admin,
                data=matter_data(
                    department,
                    name=f"食品经营许可{n}" if n % 2 else f"道路运输{n}",
                    tolerance=n == 1,
                    commitment_kind="certificate_commitment" if n == 2 else "none",
                    instant=n == 3,
                ),
                materials=[
                    material_data("001", name="申请书"),
                    material_data("002", name="营业执照", certificate=True, replaceable=True),
                    material_data("003", name="照片", essential=False, tolerable=True),
                ],
            )
        )
    return made


def test_list_shape_is_the_contract(api, catalog, department):
    body = api.get("/api/v1/matters").json()
    assert set(body) == {"items", "next"}
    item = body["items"][0]
    assert set(item) >= CONTRACT
    assert item["department"] == department.name
    assert item["department_code"] == department.code
    assert set(item["materials"][0]) == MATERIAL_CONTRACT
    assert [m["code"] for m in item["materials"]] == ["001", "002", "003"]


def test_detail_by_code_and_404(api, catalog):
    body = api.get(f"/api/v1/matters/{catalog[1].code}").json()
    assert body["code"] == catalog[1].code and body["tolerance"] is True
    missing = api.get("/api/v1/matters/NOPE")
    assert missing.status_code == 404
    assert missing.json()["code"] == "matter_not_found"


def test_keyset_pagination_walks_every_matter_once(api, catalog):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = api.get("/api/v1/matters", params).json()
        seen += [m["code"] for m in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == sorted(m.code for m in catalog)
    assert pages == 3


def test_bad_cursor_is_a_clear_422(api, catalog):
    response = api.get("/api/v1/matters", {"cursor": "!!!"})
    assert response.status_code == 422
    assert response.json()["field"] == "cursor"


def test_filters(api, catalog, department, other_department, bureau_admin):
    matter_create(actor=bureau_admin, data=matter_data(other_department, name="另一个部门的事项"))
    get = lambda **p: [m["code"] for m in api.get("/api/v1/matters", p).json()["items"]]  # noqa: E731
    assert get(tolerance="true") == [catalog[1].code]
    assert get(commitment_kind="certificate_commitment") == [catalog[2].code]
    assert get(instant="true") == [catalog[3].code]
    assert len(get(q="食品经营")) == 3
    assert len(get(department=department.code)) == 7
    assert len(get(department=other_department.code)) == 1


def test_list_query_count_does_not_grow_with_rows(api, catalog):
    with CaptureQueriesContext(connection) as small:
        api.get("/api/v1/matters", {"limit": 2})
    with CaptureQueriesContext(connection) as large:
        api.get("/api/v1/matters", {"limit": 200})
    assert len(large) == len(small) <= 2


def payload(department, **overrides):
    data = {
        "code": f"{department.code}4000201001000",
        "name": "新事项",
        "department_code": department.code,
        "legal_basis": "《某条例》第五条",
        "statutory_days": 20,
        "promised_days": 10,
        "materials": [
            {"code": "001", "name": "申请书"},
            {"code": "002", "name": "照片", "essential": False, "tolerable": True},
        ],
    }
    data.update(overrides)
    return data


def test_post_requires_permission(api_as, clerk, department):
    assert api_as(clerk).post("/api/v1/matters", payload(department)).status_code == 403


def test_post_anonymous_is_401(api, department):
    assert api.post("/api/v1/matters", payload(department)).status_code == 401


def test_post_creates_through_the_service(api_as, bureau_admin, department):
    response = api_as(bureau_admin).post("/api/v1/matters", payload(department, tolerance=True))
    assert response.status_code == 201, response.json()
    assert response.json()["tolerance"] is True
    assert AuditEntry.objects.filter(action="matter.create").count() == 1


def test_r6_post_excluded_matter_under_tolerance_is_422(api_as, bureau_admin, department):
    response = api_as(bureau_admin).post(
        "/api/v1/matters", payload(department, tolerance=True, excluded_domains=["personal_health"])
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "tolerance_excluded_domain" and body["field"] == "tolerance"
    assert not Matter.objects.exists()


def test_r6_post_essential_tolerable_material_is_422(api_as, bureau_admin, department):
    data = payload(department)
    data["materials"][0]["tolerable"] = True
    body = api_as(bureau_admin).post("/api/v1/matters", data).json()
    assert body["code"] == "essential_material_tolerable"
    assert body["field"] == "materials.0.tolerable"
    assert not Matter.objects.exists()


def test_r4_patch_commitment_on_excluded_matter_is_422_and_unchanged(api_as, bureau_admin, department):
    client = api_as(bureau_admin)
    code = client.post("/api/v1/matters", payload(department, excluded_domains=["public_safety"])).json()["code"]
    data = {
        "commitment_kind": "certificate_commitment",
        "materials": [{"code": "001", "name": "证明", "certificate": True, "replaceable": True}],
    }
    response = client.patch(f"/api/v1/matters/{code}", data)
    assert response.status_code == 422
    assert response.json()["code"] == "commitment_excluded_domain"
    matter = Matter.objects.get(code=code)
    assert matter.commitment_kind == "none"
    assert list(matter.materials.values_list("code", flat=True)) == ["001", "002"]


def test_r6_patch_supplement_over_promised_limit_is_422(api_as, bureau_admin, department):
    client = api_as(bureau_admin)
    code = client.post("/api/v1/matters", payload(department, tolerance=True)).json()["code"]
    response = client.patch(f"/api/v1/matters/{code}", {"supplement_days": 11})
    assert response.json()["code"] == "supplement_exceeds_promised_limit"
    assert Matter.objects.get(code=code).supplement_days == 5


def test_patch_changes_only_sent_fields(api_as, bureau_admin, department):
    client = api_as(bureau_admin)
    code = client.post("/api/v1/matters", payload(department)).json()["code"]
    body = client.patch(f"/api/v1/matters/{code}", {"name": "改名", "instant": True}).json()
    assert body["name"] == "改名" and body["instant"] is True
    assert [m["code"] for m in body["materials"]] == ["001", "002"]


def test_patch_needs_change_permission(api_as, clerk, bureau_admin, department):
    code = api_as(bureau_admin).post("/api/v1/matters", payload(department)).json()["code"]
    assert api_as(clerk).patch(f"/api/v1/matters/{code}", {"name": "x"}).status_code == 403


def test_post_unknown_department_is_422(api_as, bureau_admin, department):
    body = api_as(bureau_admin).post("/api/v1/matters", payload(department, department_code="X" * 18)).json()
    assert body["code"] == "unknown_department" and body["field"] == "department_code"


def test_post_duplicate_code_is_422(api_as, bureau_admin, department):
    client = api_as(bureau_admin)
    client.post("/api/v1/matters", payload(department))
    assert client.post("/api/v1/matters", payload(department)).json()["code"] == "duplicate_matter_code"
