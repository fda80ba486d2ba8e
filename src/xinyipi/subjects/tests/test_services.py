"""Register, update and bulk get-or-create: validation, encryption at rest, duplicates, audit."""

import pytest
from django.db import connection

from xinyipi.audit.models import AuditEntry
from xinyipi.core.crypto import blind_index, sm4_decrypt
from xinyipi.core.errors import DomainError
from xinyipi.core.testing import ric_for
from xinyipi.subjects import services
from xinyipi.subjects.models import Subject
from xinyipi.subjects.selectors import subject_by_code, subject_key
from xinyipi.subjects.services import SubjectExists, subject_register, subject_update, subjects_ensure
from xinyipi.subjects.tests.factories import SubjectFactory, enterprise_code, person_code

pytestmark = pytest.mark.django_db

PERSON = "11010519491231002X"


def counts():
    return Subject.objects.count(), AuditEntry.objects.count()


def raw_rows(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return "\n".join(" ".join(str(v) for v in row) for row in cursor.fetchall())


def test_register_enterprise_normalises_and_audits(clerk):
    subject = subject_register(actor=clerk, kind="enterprise", code=" 9133-0100-7161-0585-2f ", name="  阿里巴巴  ")
    assert subject.code_display == "91330100716105852F"
    assert subject.code_cipher == ""
    assert subject.code_hash == blind_index("91330100716105852F")
    assert subject.name == "阿里巴巴"
    assert subject.code_plain() == "91330100716105852F"
    entry = AuditEntry.objects.get(action="subjects.subject.register")
    assert entry.actor == clerk
    assert entry.object_id == str(subject.pk)
    assert entry.after["code_display"] == "91330100716105852F"


def test_register_person_encrypts_the_number_and_masks_it(clerk):
    subject = subject_register(actor=clerk, kind="person", code="110105 19491231 002x", name="张三")
    assert subject.code_display == "110105********002X"
    assert subject.code_cipher.startswith("v1:")
    assert sm4_decrypt(subject.code_cipher) == PERSON
    assert Subject.objects.get(pk=subject.pk).code_plain() == PERSON


def test_person_number_is_never_stored_in_clear(clerk):
    subject_register(actor=clerk, kind="person", code=PERSON, name="张三")
    subject_register(actor=clerk, kind="person", code="440524188001010014", name="李四")
    subjects = raw_rows(Subject._meta.db_table)
    audit = raw_rows(AuditEntry._meta.db_table)
    for plain in (PERSON, "440524188001010014"):
        assert plain not in subjects
        assert plain not in audit
        assert plain[6:14] not in subjects, "the birth date must not be readable either"
        assert plain[6:14] not in audit
    assert "110105********002X" in subjects


def test_same_person_twice_is_a_duplicate_found_through_the_blind_index(clerk):
    subject_register(actor=clerk, kind="person", code=PERSON, name="张三")
    before = counts()
    with pytest.raises(SubjectExists) as exc:
        subject_register(actor=clerk, kind="person", code="110105-19491231-002x", name="张三")
    assert (exc.value.code, exc.value.field, exc.value.status) == ("subject_exists", "code", 409)
    assert counts() == before


def test_duplicate_enterprise_is_refused_without_change(clerk):
    subject_register(actor=clerk, kind="enterprise", code="914403001922038216", name="华为技术有限公司")
    before = counts()
    with pytest.raises(SubjectExists):
        subject_register(actor=clerk, kind="enterprise", code="9144 0300 1922 0382 16", name="另一个名称")
    assert counts() == before
    assert Subject.objects.get().name == "华为技术有限公司"


def test_duplicate_lost_in_a_race_is_still_subject_exists(clerk, monkeypatch):
    """Two clerks registering one code at once: the unique index decides, the loser gets 409."""
    subject_register(actor=clerk, kind="enterprise", code="914403001922038216", name="华为技术有限公司")
    monkeypatch.setattr(Subject.objects, "filter", lambda **kw: Subject.objects.none())
    before = counts()
    with pytest.raises(SubjectExists):
        subject_register(actor=clerk, kind="enterprise", code="914403001922038216", name="华为")
    assert counts() == before


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"kind": "enterprise", "code": "914403001922038217"}, "invalid_check_character", "code"),
        ({"kind": "enterprise", "code": "91440300192203821"}, "invalid_code_length", "code"),
        ({"kind": "enterprise", "code": "9144030019220382IS"}, "invalid_code_characters", "code"),
        ({"kind": "person", "code": "11010519490230002X"}, "invalid_birth_date", "code"),
        ({"kind": "company", "code": "914403001922038216"}, "invalid_kind", "kind"),
        ({"kind": "enterprise", "code": "914403001922038216", "name": "   "}, "name_required", "name"),
        ({"kind": "enterprise", "code": "914403001922038216", "name": "名" * 201}, "value_too_long", "name"),
        ({"kind": "enterprise", "code": "914403001922038216", "address": "地" * 301}, "value_too_long", "address"),
        (
            {"kind": "enterprise", "code": "914403001922038216", "contact_phone": "电话"},
            "invalid_phone",
            "contact_phone",
        ),
    ],
)
def test_register_bad_input_changes_nothing(clerk, kwargs, error, field):
    before = counts()
    with pytest.raises(DomainError) as exc:
        subject_register(actor=clerk, **{"name": "某公司", **kwargs})
    assert (exc.value.code, exc.value.field) == (error, field)
    assert counts() == before


def test_name_of_200_characters_is_accepted(clerk):
    assert len(subject_register(actor=clerk, kind="enterprise", code=enterprise_code(1), name="名" * 200).name) == 200


def test_update_changes_name_and_contacts_audited(clerk, bureau_admin):
    subject = subject_register(actor=clerk, kind="person", code=PERSON, name="张三")
    subject_update(actor=bureau_admin, subject=subject, name=" 张三丰 ", contact_phone="0470-3221234")
    fresh = Subject.objects.get(pk=subject.pk)
    assert (fresh.name, fresh.contact_phone) == ("张三丰", "0470-3221234")
    assert fresh.updated_at >= fresh.created_at
    entry = AuditEntry.objects.get(action="subjects.subject.update")
    assert entry.actor == bureau_admin
    assert entry.before == {"name": "张三", "contact_phone": ""}
    assert entry.after == {"name": "张三丰", "contact_phone": "0470-3221234"}


def test_update_without_change_writes_nothing(clerk):
    subject = subject_register(actor=clerk, kind="enterprise", code=enterprise_code(2), name="甲公司")
    before = counts()
    subject_update(actor=clerk, subject=subject, name="甲公司 ")
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "error", "field"),
    [
        ({"name": ""}, "name_required", "name"),
        ({"code_display": "x"}, "unknown_field", "code_display"),
        ({"kind": "person"}, "unknown_field", "kind"),
        ({"legal_representative": "人" * 101}, "value_too_long", "legal_representative"),
    ],
)
def test_update_refuses_bad_fields_and_the_code(clerk, fields, error, field):
    subject = subject_register(actor=clerk, kind="enterprise", code=enterprise_code(3), name="乙公司")
    before = counts()
    with pytest.raises(DomainError) as exc:
        subject_update(actor=clerk, subject=subject, **fields)
    assert (exc.value.code, exc.value.field) == (error, field)
    assert counts() == before
    assert Subject.objects.get(pk=subject.pk).name == "乙公司"


# --- subjects_ensure -----------------------------------------------------------------------------------


def test_ensure_creates_missing_subjects_and_maps_every_row():
    rows = [("enterprise", enterprise_code(n), f"企业{n}") for n in range(10)]
    rows += [("person", person_code(n), f"个人{n}") for n in range(10)]
    ids = subjects_ensure(rows=rows, actor_label="import:credit_china")
    assert len(ids) == 20
    assert Subject.objects.count() == 20
    for kind, code, name in rows:
        subject = Subject.objects.get(pk=ids[blind_index(code)])
        assert (subject.kind, subject.name, subject.code_plain()) == (kind, name, code)
    person = Subject.objects.filter(kind="person").first()
    assert "*" in person.code_display
    assert person.code_cipher


def test_ensure_keeps_existing_subjects_and_is_idempotent(clerk):
    existing = subject_register(actor=clerk, kind="person", code=PERSON, name="张三")
    rows = [("person", PERSON, "别的名字"), ("enterprise", enterprise_code(7), "丙公司")]
    first = subjects_ensure(rows=rows, actor_label="import")
    second = subjects_ensure(rows=rows, actor_label="import")
    assert first == second
    assert first[subject_key(PERSON)] == existing.pk
    assert Subject.objects.count() == 2
    assert Subject.objects.get(pk=existing.pk).name == "张三"


def test_ensure_writes_one_audit_entry_per_batch():
    rows = [("enterprise", enterprise_code(n), f"企业{n}") for n in range(50)]
    subjects_ensure(rows=rows + rows[:5], actor_label="import:abnormal_operations")
    entries = list(AuditEntry.objects.filter(action="subjects.subject.ensure"))
    assert len(entries) == 1
    assert entries[0].actor_label == "import:abnormal_operations"
    assert entries[0].after == {"rows": 50, "existing": 0, "new": 50}


def test_ensure_survives_a_code_registered_between_lookup_and_insert(clerk, monkeypatch):
    """Another importer inserted the code first: the insert skips it and the id is still returned."""
    taken = subject_register(actor=clerk, kind="enterprise", code=enterprise_code(9), name="先到的公司")
    real = services._ids_by_hash
    calls = []

    def blind_first_lookup(hashes):
        calls.append(len(hashes))
        return {} if len(calls) == 1 else real(hashes)

    monkeypatch.setattr(services, "_ids_by_hash", blind_first_lookup)
    ids = subjects_ensure(rows=[("enterprise", enterprise_code(9), "后到的公司")], actor_label="import")
    assert ids == {taken.code_hash: taken.pk}
    assert Subject.objects.get().name == "先到的公司"


def test_ensure_refuses_an_unknown_kind_and_writes_nothing():
    rows = [("enterprise", enterprise_code(1), "甲"), ("company", enterprise_code(2), "乙")]
    with pytest.raises(DomainError) as exc:
        subjects_ensure(rows=rows, actor_label="import")
    assert exc.value.code == "invalid_kind"
    assert counts() == (0, 0)


def test_ensure_of_nothing_writes_nothing():
    assert subjects_ensure(rows=[], actor_label="import") == {}
    assert counts() == (0, 0)


def test_ensure_of_a_large_batch_uses_a_fixed_number_of_queries(django_assert_max_num_queries):
    rows = [
        ("person" if n % 2 else "enterprise", (person_code if n % 2 else enterprise_code)(n), f"名{n}")
        for n in range(3000)
    ]
    # lookup, insert, lookup, and the audit append (a few statements), whatever the batch size
    with django_assert_max_num_queries(10):
        ids = subjects_ensure(rows=rows, actor_label="import")
    assert len(ids) == 3000


# --- factory and lookups ---------------------------------------------------------------------------------


def test_factory_builds_valid_enterprises_and_persons():
    enterprise = SubjectFactory()
    person = SubjectFactory(person=True)
    assert enterprise.kind == "enterprise"
    assert subject_by_code(enterprise.code_display) == enterprise
    assert person.kind == "person"
    assert "*" in person.code_display
    assert subject_by_code(person.code_plain()) == person
    assert ric_for(person.code_plain()[:17]) == person.code_plain()
