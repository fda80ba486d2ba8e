"""统一社会信用代码 (GB 32100-2015) and 居民身份证号码 (GB 11643-1999), via python-stdnum.

Each function normalises (spaces, dashes, lower case) and either returns the canonical code or raises a
``DomainError`` whose code names the exact fault, so every entry point (API, forms, imports, CLI)
reports it the same way.
"""

import datetime as dt
import re
import unicodedata

from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc

from xinyipi.core import clock
from xinyipi.core.errors import DomainError
from xinyipi.core.text import join_list

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_LATIN = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SEPARATORS = re.compile(r"[\s\-\u3000]+")


def normalise(raw: str) -> str:
    """Canonical form of a typed code: full-width characters folded (NFKC), separators dropped, upper case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "")).upper()


def uscc_check_char(first17: str) -> str:
    return uscc.calc_check_digit(first17)


def _illegal_characters(chars: str, allowed: str, field: str, message) -> None:
    bad = sorted(set(chars) - set(allowed))
    if bad:
        raise DomainError("invalid_code_characters", message % {"chars": join_list(bad)}, field)


def _check_length(code: str, field: str, message) -> None:
    if len(code) != 18:
        raise DomainError("invalid_code_length", message % {"n": len(code)}, field)


def validate_uscc(raw: str, field: str = "code") -> str:
    code = normalise(raw)
    illegal = _("统一社会信用代码含有不允许的字符：%(chars)s（只用数字和大写字母，不使用 I、O、Z、S、V）。")
    # Characters first: a name typed into the code box is told what is wrong with it, not its length.
    _illegal_characters(code, _LATIN, field, illegal)
    _check_length(code, field, _("统一社会信用代码应为 18 位，实际为 %(n)d 位。"))
    # Positions 1-17 come from the 31-character set. A wrong 18th character that is still a Latin letter or
    # digit (e.g. the standard's own example ending in Z) is reported as a wrong check character, which is
    # what the person typing it needs to know.
    _illegal_characters(code[:17], USCC_ALPHABET, field, illegal)
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise DomainError(
            "invalid_check_character",
            _("统一社会信用代码校验位错误：第 18 位应为 %(expected)s。") % {"expected": expected},
            field,
        )
    return code


def validate_ric(raw: str, field: str = "code") -> str:
    code = normalise(raw)
    illegal = _("居民身份证号码含有不允许的字符：%(chars)s（前 17 位为数字，第 18 位为数字或 X）。")
    _illegal_characters(code, "0123456789X", field, illegal)
    _check_length(code, field, _("居民身份证号码应为 18 位，实际为 %(n)d 位。"))
    _illegal_characters(code[:17], "0123456789", field, illegal)
    try:
        birth = dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth > clock.today() or birth.year < 1880:
        raise DomainError(
            "invalid_birth_date",
            _("居民身份证号码中的出生日期 %(d)s 不是有效日期。") % {"d": code[6:14]},
            field,
        )
    expected = ric.calc_check_digit(code[:17] + "0")  # stdnum drops the last character itself
    if code[17] != expected:
        raise DomainError(
            "invalid_check_character",
            _("居民身份证号码校验位错误：第 18 位应为 %(expected)s。") % {"expected": expected},
            field,
        )
    return code


def validate_subject_code(kind: str, raw: str, field: str = "code") -> str:
    if kind == "enterprise":
        return validate_uscc(raw, field)
    if kind == "person":
        return validate_ric(raw, field)
    raise DomainError("invalid_kind", _("主体类型应为 enterprise 或 person。"), "kind")


def guess_kind(raw: str) -> str:
    """A person's number is 17 digits and a digit or X; anything else is read as a USCC."""
    code = normalise(raw)
    if len(code) == 18 and code[:17].isdigit() and (code[17].isdigit() or code[17] == "X"):
        try:
            validate_ric(code)
            return "person"
        except DomainError:
            pass
    return "enterprise"


def mask_ric(code: str) -> str:
    return code[:6] + "*" * 8 + code[-4:]
