"""Keyset cursors: only what we handed out is accepted; anything else is a clear ``invalid_cursor``."""

import pytest
from django.urls import reverse

from xinyipi.core.errors import DomainError
from xinyipi.core.paging import cursor_decode, cursor_encode, cursor_id, query_number


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


@pytest.mark.parametrize(("text", "number"), [("42", 42), ("²", None), ("-1", None), ("", None), ("9" * 19, None)])
def test_query_number_takes_plain_digits_of_bounded_length(text, number):
    assert query_number(text) == number
    assert query_number("12345", digits=4) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("audit:entries", "before"),
        ("credit:check_list", "before"),
        ("notifications:failures", "before"),
        ("notifications:inbox", "before"),
        ("subjects:subject_list", "before"),
        ("workdays:calendar", "year"),
        ("portal:home", "page"),
        ("portal:my_messages", "before"),
    ],
)
@pytest.mark.parametrize("value", ["²", "9" * 30])
def test_a_number_in_the_query_string_that_is_no_number_shows_the_first_page(admin_client, name, key, value):
    assert admin_client.get(reverse(name), {key: value}).status_code == 200
