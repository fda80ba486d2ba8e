"""统一社会信用代码 (GB 32100-2015) and 居民身份证号码 (GB 11643-1999), via python-stdnum.

Each function normalises (spaces, dashes, lower case) and either returns the canonical code or raises a
``DomainError`` whose code names the exact fault, so every entry point (API, forms, imports, CLI)
reports it the same way.
"""

import datetime as dt
import re

from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc

from xinyipi.core import clock
from xinyipi.core.errors import DomainError

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_SEPARATORS = re.compile(r"[\s\-\u3000]+")


def normalise(raw: str) -> str:
    return _SEPARATORS.sub("", raw or "").upper()


def uscc_check_char(first17: str) -> str:
    return uscc.calc_check_digit(first17)


def validate_uscc(raw: str, field: str = "code") -> str:
    code = normalise(raw)
    if len(code) != 18:
        raise DomainError(
            "invalid_code_length",
            _("统一社会信用代码应为 18 位，实际为 %(n)d 位。") % {"n": len(code)},
            field,
        )
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        raise DomainError(
            "invalid_code_characters",
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、Z、S、V）。") % {"chars": "、".join(bad)},
            field,
        )
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
    if len(code) != 18:
        raise DomainError(
            "invalid_code_length",
            _("居民身份证号码应为 18 位，实际为 %(n)d 位。") % {"n": len(code)},
            field,
        )
    if not (code[:17].isdigit() and code.isascii() and (code[17].isdigit() or code[17] == "X")):
        raise DomainError(
            "invalid_code_characters",
            _("居民身份证号码前 17 位应为数字，第 18 位应为数字或 X。"),
            field,
        )
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
