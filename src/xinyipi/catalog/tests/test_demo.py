"""The demo catalog: loads through the guard, is idempotent, and covers what the issue asks for."""

import pytest
import yaml

from xinyipi.accounts.models import Department
from xinyipi.audit.models import AuditEntry
from xinyipi.catalog.demo import DEMO_FILE, load_demo_catalog
from xinyipi.catalog.exclusions import exclusions_on
from xinyipi.catalog.models import Matter
from xinyipi.subjects.validators import validate_uscc

pytestmark = pytest.mark.django_db


def test_demo_catalog_loads_and_is_idempotent():
    first = load_demo_catalog()
    assert first["matters"]["created"] >= 25
    audits = AuditEntry.objects.count()
    second = load_demo_catalog()
    assert second["matters"]["created"] == second["matters"]["updated"] == 0
    assert AuditEntry.objects.count() == audits


def test_demo_catalog_covers_every_kind_of_matter():
    load_demo_catalog()
    matters = Matter.objects.all()
    assert Department.objects.filter(matters__isnull=False).distinct().count() >= 9
    assert matters.filter(instant=True).count() >= 3
    assert matters.filter(commitment_kind="certificate_commitment").count() >= 3
    assert matters.filter(commitment_kind="licence_commitment").count() >= 3
    assert matters.filter(tolerance=True).count() >= 5
    names = set(matters.values_list("name", flat=True))
    for expected in ("危险化学品经营许可（不带储存设施）", "排污许可证核发（简化管理）", "医疗机构执业登记"):
        assert expected in names


def test_r4_r6_demo_matters_in_excluded_domains_have_no_conveniences():
    load_demo_catalog()
    policy = exclusions_on()
    excluded = [m for m in Matter.objects.all() if m.excluded_domains]
    assert len(excluded) >= 8
    for matter in excluded:
        if policy.commitment_hits(matter.excluded_domains):
            assert matter.commitment_kind == "none", matter.name
        if policy.tolerance_hits(matter.excluded_domains):
            assert not matter.tolerance, matter.name
    chemicals = Matter.objects.get(name__startswith="危险化学品经营许可")
    assert "public_safety" in chemicals.excluded_domains


def test_demo_codes_are_well_formed():
    data = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    departments = {d["code"] for d in data["departments"]}
    for code in departments:
        assert validate_uscc(code) == code
    for matter in data["matters"]:
        assert len(matter["catalog_code"]) == 12
        assert matter["code"] == f"{matter['department']}4{matter['catalog_code']}"
        assert matter["department"] in departments
        assert "第" in matter["legal_basis"] and "条" in matter["legal_basis"], matter["name"]
