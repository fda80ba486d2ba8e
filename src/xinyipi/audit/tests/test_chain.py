"""The SM3-chained audit trail: appends, verification, tampering caught, concurrency."""

import itertools
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from xinyipi.audit.chain import GENESIS
from xinyipi.audit.models import AuditEntry, AuditHead
from xinyipi.audit.selectors import audit_chain_check
from xinyipi.audit.services import audit_record, audit_records


def _append(n, actor=None, prefix="test.write"):
    for i in range(n):
        with transaction.atomic():
            audit_record(actor=actor, action=prefix, object_type="test.thing", object_id=str(i), after={"i": i})


@pytest.mark.django_db
def test_entries_chain_from_genesis_and_verify(clerk):
    start = AuditHead.objects.get(pk=1).seq
    _append(5, actor=clerk)
    entries = list(AuditEntry.objects.order_by("seq"))
    assert entries[0].prev_hash == GENESIS
    for earlier, later in itertools.pairwise(entries):
        assert later.prev_hash == earlier.hash
        assert later.seq == earlier.seq + 1
    assert AuditHead.objects.get(pk=1).seq == start + 5
    assert audit_chain_check().broken is None
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()


def _append_pairs(n, prefix):
    for i in range(n):
        with transaction.atomic():
            entry = {"actor": None, "action": prefix, "object_type": "test.thing"}
            audit_records([entry | {"object_id": f"{i}a", "after": {"i": i}}, entry | {"object_id": f"{i}b"}])


@pytest.mark.django_db
def test_entries_appended_together_chain_in_their_order(clerk):
    _append(1, actor=clerk)
    with transaction.atomic():
        first, second = audit_records(
            [
                {"actor": clerk, "action": "test.first", "object_type": "test.thing", "object_id": "1"},
                {"actor": None, "action": "test.second", "obj": clerk, "after": {"when": clerk.date_joined}},
            ]
        )
    assert (first.seq + 1, first.hash) == (second.seq, second.prev_hash)
    assert AuditHead.objects.values_list("seq", "hash").get(pk=1) == (second.seq, second.hash)
    stored = AuditEntry.objects.get(pk=second.pk)
    assert (stored.action, stored.object_type, stored.object_id) == ("test.second", "accounts.user", str(clerk.pk))
    assert (stored.actor_label, stored.after) == ("system", {"when": clerk.date_joined.isoformat()})
    assert AuditEntry.objects.get(pk=first.pk).actor_label == clerk.username
    assert audit_chain_check().broken is None


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="x")


@pytest.mark.django_db
def test_tampered_content_is_caught_and_named():
    _append(4)
    victim = AuditEntry.objects.order_by("seq")[2]
    with connection.cursor() as cursor:
        table = AuditEntry._meta.db_table
        cursor.execute(f"UPDATE {table} SET action = %s WHERE id = %s", ["test.forged", victim.pk])
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit")
    assert f"#{victim.seq}" in str(caught.value)
    assert "content" in str(caught.value)


@pytest.mark.django_db
def test_tampered_json_value_is_caught():
    _append(3)
    victim = AuditEntry.objects.order_by("seq")[1]
    AuditEntry.objects.filter(pk=victim.pk).update(after={"i": 999})
    broken = audit_chain_check().broken
    assert broken is not None and broken.seq == victim.seq


@pytest.mark.django_db
def test_deleted_entry_is_caught_as_a_gap():
    _append(4)
    victim = AuditEntry.objects.order_by("seq")[1]
    AuditEntry.objects.filter(pk=victim.pk).delete()
    broken = audit_chain_check().broken
    assert broken is not None and broken.seq == victim.seq


@pytest.mark.django_db
def test_truncated_tail_is_caught_by_the_head():
    _append(3)
    last = AuditEntry.objects.order_by("-seq").first()
    AuditEntry.objects.filter(pk=last.pk).delete()
    broken = audit_chain_check().broken
    assert broken is not None
    assert "removed" in broken.reason


@pytest.mark.django_db
def test_rehashed_forgery_is_caught_by_the_next_link():
    """Rewriting an entry and recomputing its own hash still breaks the link held by the next entry."""
    from xinyipi.audit.chain import entry_hash_of

    _append(3)
    victim = AuditEntry.objects.order_by("seq")[0]
    victim.after = {"i": 42}
    victim.hash = entry_hash_of(victim)
    AuditEntry.objects.filter(pk=victim.pk).update(after=victim.after, hash=victim.hash)
    broken = audit_chain_check().broken
    assert broken is not None and broken.seq == victim.seq + 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain():
    start = AuditHead.objects.get(pk=1).seq
    errors = []

    def worker(k):
        try:
            if k % 2:
                _append_pairs(5, prefix=f"test.thread{k}")  # two entries at a time, as a filing appends them
            else:
                _append(10, prefix=f"test.thread{k}")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditHead.objects.get(pk=1).seq == start + 40
    assert AuditEntry.objects.filter(action__startswith="test.thread").count() == 40
    assert audit_chain_check().broken is None


@pytest.mark.django_db
def test_audit_page_lists_entries_and_verifies_for_the_auditor(client, auditor, clerk):
    _append(2)
    client.force_login(auditor)
    page = client.get("/console/audit/")
    assert page.status_code == 200
    assert "test.write" in page.content.decode()
    result = client.post("/console/audit/verify/")
    assert "审计链完整" in result.content.decode()
    client.force_login(clerk)
    assert client.get("/console/audit/").status_code == 403
