"""The electronic-licence identifier (govservice-standards.md §4.2): national form, ISO 7064 MOD 37,36."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyipi.core.testing import uscc_for
from xinyipi.licences.identifiers import (
    ALPHABET,
    check_character,
    identifier_compose,
    identifier_parse,
    serial_robust,
)

# Public sample identifiers whose check characters the reference notes confirmed (MOD 37,36).
PUBLIC_SAMPLES = [
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
]
ISSUER = uscc_for("11150783", "MB1520118")


@pytest.mark.parametrize("identifier", PUBLIC_SAMPLES)
def test_public_samples_check_out(identifier):
    parsed = identifier_parse(identifier)
    assert parsed is not None and str(parsed) == identifier


def test_check_character_of_a_known_body():
    assert check_character("11100000MB03271699022340100000000016001") == "9"


@pytest.mark.parametrize("identifier", PUBLIC_SAMPLES)
def test_forged_check_character_refused(identifier):
    for char in ALPHABET:
        if char != identifier[-1]:
            assert identifier_parse(identifier[:-1] + char) is None


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1.2.156.3005.2",
        "1.2.156.3005.3.11100000000013338W011.11430000006122244L.20230000403.001.U",  # wrong root
        "1.2.156.3005.2.11100000000013338W01.11430000006122244L.20230000403.001.U",  # type code of 20
        "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.01.U",  # version of 2
        "1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023-0000403.001.U",
        "x" * 500,
    ],
)
def test_malformed_refused(raw):
    assert identifier_parse(raw) is None


def test_lower_case_is_read_as_upper_case():
    assert identifier_parse(PUBLIC_SAMPLES[0].lower()) is not None


bodies = st.tuples(
    st.text(ALPHABET, min_size=21, max_size=21),
    st.text(ALPHABET, min_size=18, max_size=18),
    st.text(ALPHABET, min_size=1, max_size=20),
    st.integers(1, 999).map(lambda n: f"{n:03d}"),
)


@given(bodies, st.data())
def test_any_single_substitution_is_refused(parts, data):
    type_code, issuer, serial, version = parts
    identifier = str(identifier_compose(type_code=type_code, issuer_code=issuer, serial=serial, version=version))
    assert identifier_parse(identifier) is not None
    position = data.draw(st.integers(0, len(identifier) - 1))
    char = data.draw(st.sampled_from(ALPHABET + ".").filter(lambda c: c != identifier[position]))
    assert identifier_parse(identifier[:position] + char + identifier[position + 1 :]) is None


@given(
    type_seq=st.integers(0, 999),
    issuer_body=st.text("0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9),
    year=st.integers(2020, 2099),
    seq=st.integers(1, 999_999),
    data=st.data(),
)
def test_adjacent_transposition_in_what_we_write_is_refused(type_seq, issuer_body, year, seq, data):
    """Every serial this system issues is framed so that swapping two neighbours anywhere from the issuer
    code's end to the check character gives an identifier that no longer checks out."""
    issuer = uscc_for("11150783", issuer_body)
    type_code = f"{ISSUER}{type_seq:03d}"
    serial = serial_robust(type_code=type_code, issuer_code=issuer, stem=f"{year}{seq:06d}")
    identifier = str(identifier_compose(type_code=type_code, issuer_code=issuer, serial=serial))
    start = identifier.rindex(issuer) + len(issuer) - 1
    position = data.draw(st.integers(start, len(identifier) - 2))
    a, b = identifier[position], identifier[position + 1]
    swapped = identifier[:position] + b + a + identifier[position + 2 :]
    if a != b:
        assert identifier_parse(swapped) is None


def test_transposition_that_plain_mod_37_36_misses_is_caught_by_the_framed_serial():
    """The reason for the frame: without it some serials let a transposition through."""
    type_code = f"{ISSUER}001"
    weak = []
    for seq in range(1, 400):
        serial = f"2026{seq:06d}"
        identifier = str(identifier_compose(type_code=type_code, issuer_code=ISSUER, serial=serial))
        tail = identifier.index(serial)
        for i in range(tail, len(identifier) - 1):
            a, b = identifier[i], identifier[i + 1]
            if a != b and identifier_parse(identifier[:i] + b + a + identifier[i + 2 :]) is not None:
                weak.append(seq)
    assert weak, "plain serials never weak: the frame would be needless"
    for seq in weak:
        serial = serial_robust(type_code=type_code, issuer_code=ISSUER, stem=f"2026{seq:06d}")
        identifier = str(identifier_compose(type_code=type_code, issuer_code=ISSUER, serial=serial))
        start = identifier.index(serial) - 1
        for i in range(start, len(identifier) - 1):
            a, b = identifier[i], identifier[i + 1]
            if a != b:
                assert identifier_parse(identifier[:i] + b + a + identifier[i + 2 :]) is None
