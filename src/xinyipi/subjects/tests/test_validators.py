"""GB 32100-2015 (统一社会信用代码) and GB 11643-1999 (居民身份证号码): check characters and normalisation."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyipi.core import clock
from xinyipi.core.errors import DomainError
from xinyipi.core.testing import ric_for
from xinyipi.subjects.validators import (
    USCC_ALPHABET,
    guess_kind,
    mask_ric,
    normalise,
    uscc_check_char,
    validate_ric,
    validate_subject_code,
    validate_uscc,
)

# Published codes, check characters verified independently (reference/legal-basis.md §6.1).
REAL_USCC = [
    "91330100716105852F",  # 阿里巴巴（中国）网络技术有限公司
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 腾讯科技（深圳）有限公司
    "91110000710925462X",  # 中国石油天然气股份有限公司
    "91100000100003962T",  # 中国工商银行股份有限公司
    "91310000132260250X",  # 上海汽车集团股份有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
    "12100000425006133D",  # 华东师范大学 (事业单位)
    "91340100MA2NJYNM4Q",  # an MA-series code
]
# Wrong check characters: a digit off by one, the standard's own walkthrough example, and two codes that
# circulate in public repositories as "real" although they fail the checksum.
INVALID_USCC = ["914403001922038217", "91350100M000100Y4Z", "91110108717809965C", "9133010057462616XH"]
# Printed in GB 11643-1999, and worked examples (reference/legal-basis.md §6.2).
REAL_RIC = ["11010519491231002X", "440524188001010014", "34052419800101001X", "513101198201130014"]

# Each example takes microseconds; no per-example deadline, so a busy CI machine cannot make them flaky.
properties = settings(deadline=None, max_examples=200)

SEPARATORS = [" ", "-", "\u3000", "  ", " - "]


def code_of(exc_info) -> str:
    return exc_info.value.code


uscc_bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)
ric_bodies = st.builds(
    lambda area, birth, seq: f"{area}{birth:%Y%m%d}{seq:03d}",
    st.from_regex(r"\A[1-8][0-9]{5}\Z"),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


@st.composite
def spelled_differently(draw, code: str) -> str:
    """The same code as people type it: lower case, spaces, dashes, full-width space or full-width letters."""
    out = []
    for ch in code:
        style = draw(st.sampled_from(["as_is", "lower", "full_width"]))
        if style == "lower":
            ch = ch.lower()
        elif style == "full_width":
            ch = chr(ord(ch) + 0xFEE0)
        out.append(ch)
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(SEPARATORS)))
    return draw(st.sampled_from(["", " ", "\u3000"])) + "".join(out) + draw(st.sampled_from(["", " ", "\n"]))


# --- 统一社会信用代码 -------------------------------------------------------------------------------------


@properties
@given(uscc_bodies)
def test_uscc_any_body_with_computed_check_character_validates(body):
    code = body + uscc_check_char(body)
    assert validate_uscc(code) == code


@properties
@given(uscc_bodies, st.integers(min_value=0, max_value=17), st.sampled_from(USCC_ALPHABET))
def test_uscc_any_single_substitution_is_caught_by_the_check_character(body, position, replacement):
    code = body + uscc_check_char(body)
    if code[position] == replacement:
        replacement = USCC_ALPHABET[(USCC_ALPHABET.index(replacement) + 1) % len(USCC_ALPHABET)]
    altered = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(DomainError) as exc:
        validate_uscc(altered)
    assert code_of(exc) == "invalid_check_character"
    assert exc.value.field == "code"


@properties
@given(uscc_bodies, st.integers(min_value=0, max_value=16), st.sampled_from("IOZSV"))
def test_uscc_letters_outside_the_31_character_set_are_illegal(body, position, letter):
    code = body + uscc_check_char(body)
    altered = code[:position] + letter + code[position + 1 :]
    with pytest.raises(DomainError) as exc:
        validate_uscc(altered)
    assert code_of(exc) == "invalid_code_characters"
    assert letter in str(exc.value.message)


@properties
@given(uscc_bodies.flatmap(lambda body: st.tuples(st.just(body), spelled_differently(body + uscc_check_char(body)))))
def test_uscc_lower_case_spaced_and_full_width_input_normalises_to_the_same_code(pair):
    body, typed = pair
    code = body + uscc_check_char(body)
    assert validate_uscc(typed) == code
    assert normalise(typed) == code


@pytest.mark.parametrize("code", REAL_USCC)
def test_real_published_uscc_pass(code):
    assert validate_uscc(code) == code
    assert validate_subject_code("enterprise", code.lower()) == code


@pytest.mark.parametrize("code", INVALID_USCC)
def test_published_invalid_uscc_fail_with_invalid_check_character(code):
    with pytest.raises(DomainError) as exc:
        validate_uscc(code)
    assert code_of(exc) == "invalid_check_character"


def test_uscc_check_character_message_names_the_expected_character():
    with pytest.raises(DomainError) as exc:
        validate_uscc("91350100M000100Y4Z")
    assert "3" in str(exc.value.message)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("91330100716105852", "invalid_code_length"),
        ("91330100716105852FF", "invalid_code_length"),
        ("", "invalid_code_length"),
        ("9133010071610585I2", "invalid_code_characters"),
        ("9133010071610585O2", "invalid_code_characters"),
        ("913301007161058公司", "invalid_code_characters"),
        ("阿里巴巴", "invalid_code_characters"),
        ("91330100716105852#", "invalid_code_characters"),
        ("913301007161058.2F", "invalid_code_characters"),
    ],
)
def test_uscc_bad_input_names_the_fault(raw, error):
    with pytest.raises(DomainError) as exc:
        validate_uscc(raw)
    assert code_of(exc) == error


# --- 居民身份证号码 ---------------------------------------------------------------------------------------


@properties
@given(ric_bodies)
def test_ric_any_body_with_computed_check_character_validates(body):
    code = ric_for(body)
    assert validate_ric(code) == code


@properties
@given(ric_bodies, st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_ric_any_single_substitution_is_rejected(body, position, replacement):
    code = ric_for(body)
    if code[position] == replacement:
        replacement = "0123456789X"[("0123456789X".index(replacement) + 1) % 11]
    altered = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(DomainError) as exc:
        validate_ric(altered)
    if position == 17:
        assert code_of(exc) == "invalid_check_character"
    elif replacement == "X":
        assert code_of(exc) == "invalid_code_characters"
    else:
        # A changed date digit may make the date impossible; otherwise MOD 11-2 catches every substitution.
        assert code_of(exc) in {"invalid_check_character", "invalid_birth_date"}


@properties
@given(ric_bodies.flatmap(lambda body: st.tuples(st.just(body), spelled_differently(ric_for(body)))))
def test_ric_lower_case_x_spaced_and_full_width_input_normalises_to_the_same_code(pair):
    body, typed = pair
    assert validate_ric(typed) == ric_for(body)


@pytest.mark.parametrize("code", REAL_RIC)
def test_ric_examples_from_the_standard_pass(code):
    assert validate_ric(code) == code


def test_ric_lower_case_x_is_accepted():
    assert validate_ric("11010519491231002x") == "11010519491231002X"
    assert validate_ric("110105 19491231 002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("110105194912310021", "invalid_check_character"),
        ("11010519491231002", "invalid_code_length"),
        ("11010519491231002X1", "invalid_code_length"),
        ("11010519491231002A", "invalid_code_characters"),
        ("1101051949123100X2", "invalid_code_characters"),
        ("11010519491231002号", "invalid_code_characters"),
        ("11010519490230002X", "invalid_birth_date"),  # 30 February
        ("11010518791231002X", "invalid_birth_date"),  # before 1880
        ("11010519491331002X", "invalid_birth_date"),  # month 13
    ],
)
def test_ric_bad_input_names_the_fault(raw, error):
    with pytest.raises(DomainError) as exc:
        validate_ric(raw)
    assert code_of(exc) == error


def test_ric_birth_date_in_the_future_is_refused():
    tomorrow = clock.today() + dt.timedelta(days=1)
    with pytest.raises(DomainError) as exc:
        validate_ric(ric_for(f"150783{tomorrow:%Y%m%d}001"))
    assert code_of(exc) == "invalid_birth_date"
    assert validate_ric(ric_for(f"150783{clock.today():%Y%m%d}001"))


def test_ric_obsolete_area_codes_are_not_refused():
    # ID numbers are for life: a pre-reform area code still identifies its holder.
    assert validate_ric(ric_for("15230119600101001"))


# --- both ---------------------------------------------------------------------------------------------


def test_unknown_kind_is_refused_on_the_kind_field():
    with pytest.raises(DomainError) as exc:
        validate_subject_code("company", "91330100716105852F")
    assert (exc.value.code, exc.value.field) == ("invalid_kind", "kind")


def test_errors_name_the_field_given():
    with pytest.raises(DomainError) as exc:
        validate_subject_code("enterprise", "123", field="subject_code")
    assert exc.value.field == "subject_code"


def test_mask_ric_keeps_area_and_last_four_only():
    assert mask_ric("11010519491231002X") == "110105********002X"


def test_guess_kind():
    assert guess_kind("11010519491231002x") == "person"
    assert guess_kind("91330100716105852F") == "enterprise"
    assert guess_kind("914403001922038216") == "enterprise"  # all digits, but no valid birth date
