"""How an audit entry is hashed, and how the whole chain is checked."""

import json
from dataclasses import dataclass

from xinyipi.core.crypto import sm3_hex

GENESIS = "0" * 64


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(*, prev_hash, seq, at, actor_label, action, object_type, object_id, before, after) -> str:
    payload = canonical(
        {
            "seq": seq,
            "at": at.isoformat(),
            "actor": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "before": before,
            "after": after,
        }
    )
    return sm3_hex(prev_hash + payload)


def entry_hash_of(entry) -> str:
    """The hash of an entry (an ``AuditEntry`` or alike) from its own fields and its link to the previous one."""
    return entry_hash(
        prev_hash=entry.prev_hash,
        seq=entry.seq,
        at=entry.at,
        actor_label=entry.actor_label,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        before=entry.before,
        after=entry.after,
    )


@dataclass
class ChainBreak:
    seq: int
    reason: str


def chain_verify(entries, head=None) -> ChainBreak | None:
    """The first broken link in ``entries`` (ordered by ``seq``), or None when the chain is whole."""
    expected_prev = GENESIS
    expected_seq = 1
    last = None
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(expected_seq, "missing entry (sequence gap)")
        if entry.prev_hash != expected_prev:
            return ChainBreak(entry.seq, "previous-hash link does not match")
        if entry_hash_of(entry) != entry.hash:
            return ChainBreak(entry.seq, "content does not match its hash")
        expected_prev = entry.hash
        expected_seq += 1
        last = entry
    if head is not None and head.seq != (last.seq if last else 0):
        return ChainBreak((last.seq if last else 0) + 1, "entries after this point were removed")
    if head is not None and last is not None and head.hash != last.hash:
        return ChainBreak(last.seq, "chain tip does not match the last entry")
    return None
