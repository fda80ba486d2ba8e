"""Keyset cursors: only what we handed out is accepted; anything else is a clear ``invalid_cursor``."""

import pytest

from xinyipi.core.errors import DomainError
from xinyipi.core.paging import cursor_decode, cursor_encode, cursor_id


@pytest.mark.parametrize("text", ["²", "١٢", "-1", "1.5", "", " 7", "9" * 19])
def test_cursor_id_refuses_what_is_not_a_plain_row_id(text):
    with pytest.raises(DomainError) as refused:
        cursor_id(text)
    assert refused.value.code == "invalid_cursor" and refused.value.field == "cursor"


def test_cursor_round_trip():
    assert cursor_decode(cursor_encode("1", "2026-11-28", 42), 3) == ["1", "2026-11-28", "42"]
    assert cursor_id("42") == 42


@pytest.mark.parametrize("cursor", ["!!", cursor_encode("a", "b")])
def test_cursor_decode_refuses_foreign_cursors(cursor):
    with pytest.raises(DomainError):
        cursor_decode(cursor, 1)
