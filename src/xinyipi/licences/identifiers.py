"""The national electronic-licence identifier (电子证照标识, GB/T 36904; govservice-standards.md §4.2):

    1.2.156.3005.2.{type code, 21}.{issuer USCC, 18}.{serial}.{version, 3}.{check}

The check character is ISO 7064 MOD 37,36 (hybrid system, alphabet 0–9 A–Z) over type code + issuer +
serial + version without the dots. It catches every single substitution, but not every adjacent
transposition: about one in six hundred leaves its running state unchanged and slips past. The part this
system writes, the serial, is therefore framed by a leading and a trailing character chosen so that no
adjacent transposition from the issuer's last character to the check character passes (``serial_robust``).
Transpositions inside the national type code and issuer USCC are theirs to catch (GB 32100 check
characters); a mistyped identifier that still checks out names no licence and is answered "not found".

Pure functions: no database, no settings.
"""

import re
from dataclasses import dataclass

ROOT = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_FORM = re.compile(
    r"^1\.2\.156\.3005\.2\.(?P<type_code>[0-9A-Z]{21})\.(?P<issuer_code>[0-9A-Z]{18})"
    r"\.(?P<serial>[0-9A-Z]{1,40})\.(?P<version>[0-9]{3})\.(?P<check>[0-9A-Z])$"
)
MAX_LENGTH = 100


@dataclass(frozen=True)
class Identifier:
    type_code: str
    issuer_code: str
    serial: str
    version: str
    check: str

    def __str__(self) -> str:
        return f"{ROOT}.{self.type_code}.{self.issuer_code}.{self.serial}.{self.version}.{self.check}"


def check_character(body: str) -> str:
    """ISO 7064 MOD 37,36 check character of ``body`` (characters 0–9, A–Z)."""
    product = 36
    for char in body:
        total = (product + _VALUE[char]) % 36 or 36
        product = (total * 2) % 37
    return ALPHABET[(37 - product) % 36]


def _body(type_code: str, issuer_code: str, serial: str, version: str) -> str:
    return f"{type_code}{issuer_code}{serial}{version}"


def identifier_compose(*, type_code: str, issuer_code: str, serial: str, version: str = "001") -> Identifier:
    body = _body(type_code, issuer_code, serial, version)
    return Identifier(type_code, issuer_code, serial, version, check_character(body))


def identifier_parse(raw: str) -> Identifier | None:
    """The identifier if ``raw`` is in the national form and its check character is right; else ``None``
    (a forged or mistyped identifier is refused before anything is looked up)."""
    text = (raw or "").strip().upper()
    if len(text) > MAX_LENGTH:
        return None
    match = _FORM.match(text)
    if match is None:
        return None
    parts = match.groupdict()
    check = parts.pop("check")
    if check_character(_body(**parts)) != check:
        return None
    return Identifier(check=check, **parts)


def _tail_transposition_passes(full: str, start: int) -> bool:
    """Whether an adjacent transposition at or after ``start`` of ``full`` (body + check character) checks out."""
    for i in range(start, len(full) - 1):
        a, b = full[i], full[i + 1]
        if a == b:
            continue
        swapped = full[:i] + b + a + full[i + 2 :]
        if check_character(swapped[:-1]) == swapped[-1]:
            return True
    return False


def serial_robust(*, type_code: str, issuer_code: str, stem: str, version: str = "001") -> str:
    """``stem`` framed by one leading and one trailing character, the first pair for which no adjacent
    transposition from the issuer's last character on passes the check. A unique stem keeps serials unique
    (both frames are one character)."""
    start = len(type_code) + len(issuer_code) - 1
    for lead in ALPHABET:
        for pad in ALPHABET:
            serial = f"{lead}{stem}{pad}"
            body = _body(type_code, issuer_code, serial, version)
            if not _tail_transposition_passes(body + check_character(body), start):
                return serial
    raise ValueError(f"no robust serial for stem {stem!r}")  # 1,296 frames all weak: never seen
