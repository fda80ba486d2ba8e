"""SM3 and SM4 as used for the audit chain, ID-number encryption and blind indexes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyipi.core import crypto


def test_sm3_matches_the_standard_example():
    # GB/T 32905-2016, Appendix A, example 1: SM3("abc").
    assert crypto.sm3_hex("abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


@given(st.text(min_size=0, max_size=40))
def test_sm4_round_trips(text):
    assert crypto.sm4_decrypt(crypto.sm4_encrypt(text)) == text


def test_sm4_ciphertexts_differ_and_hide_the_plaintext():
    number = "11010519491231002X"
    first, second = crypto.sm4_encrypt(number), crypto.sm4_encrypt(number)
    assert first != second
    assert number not in first
    assert first.startswith("v1:")


def test_sm4_detects_tampering():
    token = crypto.sm4_encrypt("11010519491231002X")
    head, body = token[:-6], token[-6:]
    forged = head + ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises(ValueError):
        crypto.sm4_decrypt(forged)


def test_blind_index_is_stable_and_keyed(settings):
    number = "11010519491231002X"
    first = crypto.blind_index(number)
    assert first == crypto.blind_index(number)
    assert number not in first
    settings.FIELD_KEY = "ff" * 32
    assert crypto.blind_index(number) != first
