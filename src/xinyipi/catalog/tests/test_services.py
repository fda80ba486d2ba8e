"""The catalog guard, exercised through the services: every refusal names its code and field and
changes nothing; accepted writes are audited."""

import pytest

from xinyipi.audit.models import AuditEntry
from xinyipi.catalog.models import Material, Matter
from xinyipi.catalog.services import (
    department_upsert,
    material_create,
    material_delete,
    material_update,
    matter_create,
    matter_update,
)
from xinyipi.catalog.tests.factories import material_data, matter_data
from xinyipi.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def codes(exc: ValidationFailed) -> dict[str, str]:
    return {e.code: e.field for e in exc.errors}


def refused(department, bureau_admin, materials=(), **overrides) -> dict[str, str]:
    before = (Matter.objects.count(), Material.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        matter_create(actor=bureau_admin, data=matter_data(department, **overrides), materials=list(materials))
    assert (Matter.objects.count(), Material.objects.count(), AuditEntry.objects.count()) == before
    return codes(exc.value)


CERT = material_data("001", name="营业执照", certificate=True, replaceable=True)
AUX = material_data("002", name="场所照片", essential=False, tolerable=True)


def test_plain_matter_is_created_with_materials_and_audited(department, bureau_admin):
    matter = matter_create(
        actor=bureau_admin,
        data=matter_data(department, commitment_kind="certificate_commitment", tolerance=True),
        materials=[CERT, AUX],
    )
    assert [m.code for m in matter.materials.all()] == ["001", "002"]
    entry = AuditEntry.objects.get(action="matter.create")
    assert entry.object_id == str(matter.pk)
    assert [m["code"] for m in entry.after["materials"]] == ["001", "002"]


@pytest.mark.parametrize(
    "domain",
    [
        "national_security",
        "state_secrets",
        "public_safety",
        "financial_prudential",
        "ecology_environment",
        "personal_health",
        "life_property_safety",
        "foreign_affairs",
    ],
)
@pytest.mark.parametrize("kind", ["certificate_commitment", "licence_commitment"])
def test_r4_commitment_refused_on_excluded_domain(department, bureau_admin, domain, kind):
    found = refused(department, bureau_admin, [CERT], commitment_kind=kind, excluded_domains=[domain])
    assert found["commitment_excluded_domain"] == "commitment_kind"


def test_r4_energy_conservation_does_not_bar_commitment(department, bureau_admin):
    matter = matter_create(
        actor=bureau_admin,
        data=matter_data(
            department, commitment_kind="certificate_commitment", excluded_domains=["energy_conservation"]
        ),
        materials=[CERT],
    )
    assert matter.commitment_kind == "certificate_commitment"


def test_r4_excluded_matter_without_commitment_is_accepted(department, bureau_admin):
    matter = matter_create(actor=bureau_admin, data=matter_data(department, excluded_domains=["public_safety"]))
    assert matter.excluded_domains == ["public_safety"]


@pytest.mark.parametrize(
    "domain", ["public_safety", "ecology_environment", "energy_conservation", "personal_health", "life_property_safety"]
)
def test_r6_tolerance_refused_on_excluded_domain(department, bureau_admin, domain):
    found = refused(department, bureau_admin, [CERT, AUX], tolerance=True, excluded_domains=[domain])
    assert found["tolerance_excluded_domain"] == "tolerance"


def test_r6_state_secrets_does_not_bar_tolerance(department, bureau_admin):
    matter = matter_create(
        actor=bureau_admin,
        data=matter_data(department, tolerance=True, excluded_domains=["state_secrets"]),
        materials=[AUX],
    )
    assert matter.tolerance


def test_r6_essential_material_marked_tolerable_refused(department, bureau_admin):
    bad = material_data("003", essential=True, tolerable=True)
    found = refused(department, bureau_admin, [AUX, bad], tolerance=True)
    assert found["essential_material_tolerable"] == "materials.1.tolerable"


def test_r6_supplement_period_longer_than_promised_limit_refused(department, bureau_admin):
    found = refused(department, bureau_admin, [AUX], tolerance=True, promised_days=5, supplement_days=6)
    assert found["supplement_exceeds_promised_limit"] == "supplement_days"


def test_r6_supplement_period_equal_to_promised_limit_accepted(department, bureau_admin):
    matter = matter_create(
        actor=bureau_admin,
        data=matter_data(department, tolerance=True, promised_days=5, supplement_days=5),
        materials=[AUX],
    )
    assert matter.supplement_days == 5


def test_r6_instant_matter_promised_zero_cannot_take_tolerance(department, bureau_admin):
    found = refused(department, bureau_admin, [AUX], tolerance=True, promised_days=0, supplement_days=1)
    assert "supplement_exceeds_promised_limit" in found


def test_r6_calendar_day_promise_converted_to_working_days(department, bureau_admin):
    # 7 natural days hold 5 working days at most: a 6-working-day supplement period is refused.
    found = refused(
        department,
        bureau_admin,
        [AUX],
        tolerance=True,
        promised_days=7,
        promised_day_unit="calendar",
        statutory_day_unit="calendar",
        statutory_days=20,
        supplement_days=6,
    )
    assert "supplement_exceeds_promised_limit" in found


def test_r6_tolerance_needs_a_tolerable_material(department, bureau_admin):
    found = refused(department, bureau_admin, [CERT], tolerance=True)
    assert found["tolerance_without_tolerable_material"] == "tolerance"


def test_r4_replaceable_must_be_certificate(department, bureau_admin):
    found = refused(department, bureau_admin, [material_data("009", replaceable=True, certificate=False)])
    assert found["replaceable_not_certificate"] == "materials.0.replaceable"


def test_r4_certificate_commitment_needs_a_replaceable_certificate(department, bureau_admin):
    found = refused(department, bureau_admin, [AUX], commitment_kind="certificate_commitment")
    assert "commitment_without_replaceable_certificate" in found


def test_r5_licence_commitment_only_on_licensing_matters(department, bureau_admin):
    found = refused(department, bureau_admin, [CERT], commitment_kind="licence_commitment", task_type="07")
    assert found["licence_commitment_not_licensing"] == "commitment_kind"


def test_unknown_domain_code_refused(department, bureau_admin):
    found = refused(department, bureau_admin, excluded_domains=["nuclear"])
    assert found["unknown_excluded_domain"] == "excluded_domains"


def test_duplicate_material_code_refused(department, bureau_admin):
    found = refused(department, bureau_admin, [material_data("001"), material_data("001")])
    assert found["duplicate_material_code"] == "materials.1.code"


def test_all_faults_are_collected_at_once(department, bureau_admin):
    bad = material_data("003", essential=True, tolerable=True)
    found = refused(
        department,
        bureau_admin,
        [bad],
        tolerance=True,
        commitment_kind="certificate_commitment",
        excluded_domains=["public_safety"],
        supplement_days=30,
    )
    assert {
        "commitment_excluded_domain",
        "tolerance_excluded_domain",
        "essential_material_tolerable",
        "supplement_exceeds_promised_limit",
    } <= set(found)


def test_promised_limit_may_not_exceed_statutory(department, bureau_admin):
    found = refused(department, bureau_admin, promised_days=25, statutory_days=20)
    assert found["promised_exceeds_statutory_limit"] == "promised_days"


def test_r6_update_putting_excluded_matter_under_tolerance_refused_and_unchanged(department, bureau_admin):
    matter = matter_create(
        actor=bureau_admin, data=matter_data(department, excluded_domains=["ecology_environment"]), materials=[AUX]
    )
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        matter_update(actor=bureau_admin, matter=matter, data={"tolerance": True})
    assert "tolerance_excluded_domain" in codes(exc.value)
    matter.refresh_from_db()
    assert matter.tolerance is False
    assert AuditEntry.objects.count() == audits


def test_update_replaces_materials_by_code_and_audits_before_after(department, bureau_admin):
    matter = matter_create(actor=bureau_admin, data=matter_data(department), materials=[CERT, AUX])
    first = matter.materials.get(code="001").pk
    matter_update(
        actor=bureau_admin,
        matter=matter,
        data={"name": "新名称"},
        materials=[material_data("001", name="营业执照副本", certificate=True), material_data("004")],
    )
    assert sorted(matter.materials.values_list("code", flat=True)) == ["001", "004"]
    assert matter.materials.get(code="001").pk == first
    entry = AuditEntry.objects.filter(action="matter.update").get()
    assert entry.before["name"] != entry.after["name"] == "新名称"


def test_r6_material_update_marking_essential_tolerable_refused(department, bureau_admin):
    matter = matter_create(actor=bureau_admin, data=matter_data(department, tolerance=True), materials=[CERT, AUX])
    material = matter.materials.get(code="001")
    with pytest.raises(ValidationFailed) as exc:
        material_update(actor=bureau_admin, material=material, data={"tolerable": True})
    assert "essential_material_tolerable" in codes(exc.value)
    assert Material.objects.get(pk=material.pk).tolerable is False


def test_r6_deleting_last_tolerable_material_of_tolerance_matter_refused(department, bureau_admin):
    matter = matter_create(actor=bureau_admin, data=matter_data(department, tolerance=True), materials=[CERT, AUX])
    with pytest.raises(ValidationFailed) as exc:
        material_delete(actor=bureau_admin, material=matter.materials.get(code="002"))
    assert "tolerance_without_tolerable_material" in codes(exc.value)
    assert matter.materials.count() == 2


def test_material_create_and_delete_audited(department, bureau_admin):
    matter = matter_create(actor=bureau_admin, data=matter_data(department), materials=[CERT])
    material = material_create(actor=bureau_admin, matter=matter, data=material_data("010"))
    assert material.order == 2
    material_delete(actor=bureau_admin, material=material)
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["material.create", "material.delete"]


def test_department_upsert_validates_the_uscc(bureau_admin):
    with pytest.raises(ValidationFailed) as exc:
        department_upsert(actor=bureau_admin, data={"code": "11150783MB0000000X", "name": "扎兰屯市某局"})
    assert "invalid_check_character" in codes(exc.value)


def test_duplicate_matter_code_refused(department, bureau_admin):
    data = matter_data(department)
    matter_create(actor=bureau_admin, data=dict(data))
    with pytest.raises(ValidationFailed) as exc:
        matter_create(actor=bureau_admin, data=dict(data))
    assert "duplicate_matter_code" in codes(exc.value)
