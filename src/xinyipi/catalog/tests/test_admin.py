"""The bureau's admin: saves go through the services and the guard; refusals show on the form and
save nothing. Also the import-export resources (dry run with row errors)."""

import pytest
import tablib
from django.urls import reverse

from xinyipi.audit.models import AuditEntry
from xinyipi.catalog.models import Material, Matter
from xinyipi.catalog.resources import MaterialResource, MatterResource
from xinyipi.catalog.services import matter_create
from xinyipi.catalog.tests.factories import material_data, matter_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, bureau_admin):
    client.force_login(bureau_admin)
    return client


@pytest.fixture
def matter(department, bureau_admin):
    return matter_create(
        actor=bureau_admin,
        data=matter_data(department, excluded_domains=["public_safety"]),
        materials=[
            material_data("001", name="申请书"),
            material_data("002", name="场所照片", essential=False, tolerable=False),
        ],
    )


def change_form(matter, **overrides):
    """The POST body of the change form as the admin renders it, with ``overrides``."""
    data = {
        "name": matter.name,
        "code": matter.code,
        "catalog_code": matter.catalog_code,
        "department": matter.department_id,
        "task_type": matter.task_type,
        "use_level": matter.use_level,
        "status": matter.status,
        "version": matter.version,
        "commitment_kind": matter.commitment_kind,
        "verification_days": matter.verification_days,
        "verification_mode": matter.verification_mode,
        "supplement_days": matter.supplement_days,
        "excluded_domains": matter.excluded_domains,
        "legal_basis": matter.legal_basis,
        "statutory_days": matter.statutory_days,
        "statutory_day_unit": matter.statutory_day_unit,
        "promised_days": matter.promised_days,
        "promised_day_unit": matter.promised_day_unit,
        "project_type": matter.project_type,
        "limit_scene_num": matter.limit_scene_num,
        "faq": "[]",
        "materials-TOTAL_FORMS": matter.materials.count(),
        "materials-INITIAL_FORMS": matter.materials.count(),
        "materials-MIN_NUM_FORMS": 0,
        "materials-MAX_NUM_FORMS": 1000,
    }
    for i, m in enumerate(matter.materials.all()):
        prefix = f"materials-{i}-"
        data.update(
            {
                f"{prefix}id": m.pk,
                f"{prefix}matter": matter.pk,
                f"{prefix}order": m.order,
                f"{prefix}code": m.code,
                f"{prefix}name": m.name,
                f"{prefix}material_type": m.material_type,
                f"{prefix}material_format": m.material_format,
                f"{prefix}source_type": m.source_type,
                f"{prefix}original_num": m.original_num,
                f"{prefix}copy_num": m.copy_num,
            }
        )
        for flag in ("essential", "tolerable", "certificate", "replaceable"):
            if getattr(m, flag):
                data[f"{prefix}{flag}"] = "on"
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def post_change(admin_client, matter, **overrides):
    url = reverse("admin:catalog_matter_change", args=[matter.pk])
    return admin_client.post(url, change_form(matter, **overrides))


def unchanged(matter):
    fresh = Matter.objects.get(pk=matter.pk)
    return (
        fresh.tolerance == matter.tolerance
        and fresh.commitment_kind == matter.commitment_kind
        and list(fresh.materials.values_list("code", "tolerable", "replaceable"))
        == list(matter.materials.values_list("code", "tolerable", "replaceable"))
    )


def test_admin_change_saves_through_the_service(admin_client, matter):
    response = post_change(admin_client, matter, name="改过的名称", excluded_domains=[])
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert Matter.objects.get(pk=matter.pk).name == "改过的名称"
    assert AuditEntry.objects.filter(action="matter.update", object_id=str(matter.pk)).exists()


def test_r6_admin_excluded_matter_marked_tolerance_refused(admin_client, matter):
    audits = AuditEntry.objects.count()
    response = post_change(admin_client, matter, tolerance="on", **{"materials-1-tolerable": "on"})
    assert response.status_code == 200
    assert "不得纳入容缺受理事项目录" in response.content.decode()
    assert unchanged(matter)
    assert AuditEntry.objects.count() == audits


def test_r4_admin_excluded_matter_under_commitment_refused(admin_client, matter):
    response = post_change(
        admin_client,
        matter,
        commitment_kind="certificate_commitment",
        **{"materials-0-certificate": "on", "materials-0-replaceable": "on"},
    )
    assert response.status_code == 200
    assert "不得实行告知承诺制" in response.content.decode()
    assert unchanged(matter)


def test_r6_admin_essential_material_marked_tolerable_refused(admin_client, matter):
    response = post_change(admin_client, matter, excluded_domains=[], **{"materials-0-tolerable": "on"})
    assert response.status_code == 200
    assert "主要材料不能容缺后补" in response.content.decode()
    assert unchanged(matter)


def test_r6_admin_supplement_period_over_promised_limit_refused(admin_client, matter):
    response = post_change(
        admin_client, matter, excluded_domains=[], tolerance="on", supplement_days=11, **{"materials-1-tolerable": "on"}
    )
    assert response.status_code == 200
    assert "不得超过承诺办结时限" in response.content.decode()
    assert unchanged(matter)


def test_admin_add_matter_with_material(admin_client, department):
    data = {
        "name": "新增事项",
        "code": f"{department.code}4000301001000",
        "department": department.pk,
        "task_type": "01",
        "use_level": "4",
        "status": "in_use",
        "version": 1,
        "commitment_kind": "none",
        "verification_days": 30,
        "verification_mode": "full",
        "supplement_days": 5,
        "legal_basis": "依据",
        "statutory_days": 20,
        "statutory_day_unit": "working",
        "promised_days": 10,
        "promised_day_unit": "working",
        "project_type": "2",
        "limit_scene_num": 1,
        "tolerance": "on",
        "faq": "[]",
        "materials-TOTAL_FORMS": 1,
        "materials-INITIAL_FORMS": 0,
        "materials-MIN_NUM_FORMS": 0,
        "materials-MAX_NUM_FORMS": 1000,
        "materials-0-order": 1,
        "materials-0-code": "001",
        "materials-0-name": "照片",
        "materials-0-tolerable": "on",
        "materials-0-material_type": "1",
        "materials-0-material_format": "3",
        "materials-0-source_type": "10",
        "materials-0-original_num": 1,
        "materials-0-copy_num": 0,
    }
    response = admin_client.post(reverse("admin:catalog_matter_add"), data)
    assert response.status_code == 302
    matter = Matter.objects.get(code=data["code"])
    assert matter.tolerance and list(matter.materials.values_list("code", "tolerable")) == [("001", True)]
    assert AuditEntry.objects.filter(action="matter.create", object_id=str(matter.pk)).exists()


def test_admin_changelist_filters_and_search(admin_client, matter):
    url = reverse("admin:catalog_matter_changelist")
    for query in ("?tolerance__exact=0", "?commitment_kind__exact=none", "?instant__exact=0", "?status__exact=in_use"):
        response = admin_client.get(url + query)
        assert response.status_code == 200
        assert matter.name in response.content.decode()
    assert matter.name in admin_client.get(url, {"q": matter.code}).content.decode()


def test_admin_delete_is_audited(admin_client, matter):
    response = admin_client.post(reverse("admin:catalog_matter_delete", args=[matter.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Matter.objects.filter(pk=matter.pk).exists()
    assert AuditEntry.objects.filter(action="matter.delete", object_id=str(matter.pk)).exists()


def test_r6_material_admin_marking_essential_tolerable_refused(admin_client, matter):
    material = matter.materials.get(code="001")
    url = reverse("admin:catalog_material_change", args=[material.pk])
    data = {
        "matter": matter.pk,
        "code": "001",
        "name": "申请书",
        "order": 1,
        "essential": "on",
        "tolerable": "on",
        "material_type": "1",
        "material_format": "3",
        "source_type": "10",
        "original_num": 1,
        "copy_num": 0,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "主要材料不能容缺后补" in response.content.decode()
    assert Material.objects.get(pk=material.pk).tolerable is False


def test_r6_import_export_resource_refuses_excluded_matter_marked_tolerable(matter, bureau_admin):
    dataset = tablib.Dataset(
        headers=["code", "name", "department", "legal_basis", "statutory_days", "promised_days", "tolerance"]
    )
    dataset.append([matter.code, matter.name, matter.department.code, matter.legal_basis, 20, 10, "是"])
    result = MatterResource().import_data(dataset, dry_run=True, user=bureau_admin)
    assert result.has_validation_errors()
    messages = str(result.invalid_rows[0].error_dict)
    assert "tolerance_excluded_domain" in messages
    result = MatterResource().import_data(dataset, dry_run=False, user=bureau_admin)
    assert result.has_validation_errors()
    assert Matter.objects.get(pk=matter.pk).tolerance is False


def test_import_export_resource_bad_boolean_is_a_row_error(matter, bureau_admin):
    dataset = tablib.Dataset(
        headers=["code", "name", "department", "legal_basis", "statutory_days", "promised_days", "instant"]
    )
    dataset.append([matter.code, matter.name, matter.department.code, matter.legal_basis, 20, 10, "也许"])
    result = MatterResource().import_data(dataset, dry_run=True, user=bureau_admin)
    assert result.has_validation_errors()
    assert "instant" in result.invalid_rows[0].error_dict


def test_import_export_resource_updates_through_the_service(matter, bureau_admin):
    dataset = tablib.Dataset(headers=["code", "name", "department", "legal_basis", "statutory_days", "promised_days"])
    dataset.append([matter.code, "经资源导入改名", matter.department.code, matter.legal_basis, 20, 10])
    result = MatterResource().import_data(dataset, dry_run=False, user=bureau_admin)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Matter.objects.get(pk=matter.pk).name == "经资源导入改名"
    assert AuditEntry.objects.filter(action="matter.update", actor=bureau_admin).exists()


def test_r6_material_resource_refuses_essential_tolerable(matter, bureau_admin):
    dataset = tablib.Dataset(headers=["matter_code", "code", "name", "essential", "tolerable"])
    dataset.append([matter.code, "003", "新材料", "是", "是"])
    result = MaterialResource().import_data(dataset, dry_run=False, user=bureau_admin)
    assert result.has_validation_errors()
    assert not matter.materials.filter(code="003").exists()


def test_material_resource_adds_material(matter, bureau_admin):
    dataset = tablib.Dataset(headers=["matter_code", "code", "name", "essential", "tolerable"])
    dataset.append([matter.code, "003", "新材料", "否", "是"])
    result = MaterialResource().import_data(dataset, dry_run=False, user=bureau_admin)
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    assert matter.materials.get(code="003").tolerable is True


def test_admin_import_page_dry_run_shows_row_errors(admin_client, matter):
    header = "code,name,department,legal_basis,statutory_days,promised_days,tolerance\n"
    content = header + f"{matter.code},{matter.name},{matter.department.code},依据,20,10,是\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("m.csv", content.encode("utf-8"), content_type="text/csv")
    response = admin_client.post(
        reverse("admin:catalog_matter_import"), {"import_file": upload, "format": "0", "resource": "0"}
    )
    assert response.status_code == 200
    assert "tolerance_excluded_domain" in response.content.decode()
    assert Matter.objects.get(pk=matter.pk).tolerance is False
