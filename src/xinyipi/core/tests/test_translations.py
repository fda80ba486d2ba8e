"""The English catalog: complete, faithful to each message's placeholders, and compiled as committed.

The catalog is read with the small parser below (no third-party .po library): entries are blank-line
separated blocks of ``#`` comments, ``msgctxt``/``msgid``/``msgid_plural``/``msgstr[n]`` keywords and
continuation lines, each a C-escaped string.
"""

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

CATALOG = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO = CATALOG / "django.po"
MO = CATALOG / "django.mo"

# printf-style placeholders as Python's % operator reads them: %(name)s, %(n)d, %s, %%, ...
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular entry's msgstr

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    @property
    def forms(self) -> list[tuple[str, str]]:
        """(source, translation) pairs: the singular, then every plural form against msgid_plural."""
        if self.msgid_plural is None:
            return [(self.msgid, self.msgstr.get(0, ""))]
        return [(self.msgid if n == 0 else self.msgid_plural, text) for n, text in sorted(self.msgstr.items())]


def unquote(token: str) -> str:
    assert token.startswith('"') and token.endswith('"'), token
    return re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], token[1:-1])


def parse_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    for number, raw in enumerate([*path.read_text(encoding="utf-8").splitlines(), ""], start=1):
        line = raw.strip()
        if not line:
            if current is not None:
                entries.append(current)
            current, target = None, None
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith("#~"):
            raise AssertionError(f"line {number}: obsolete entry left in the catalog")
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := KEYWORD.match(line):
            keyword, index, token = match.groups()
            text = unquote(token)
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                current.msgstr[target[1]] = text
            else:
                target = (keyword, 0)
                setattr(current, keyword, text)
        elif line.startswith('"') and target is not None:
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += unquote(line)
            else:
                setattr(current, name, getattr(current, name) + unquote(line))
        else:
            raise AssertionError(f"line {number}: cannot read {raw!r}")
    return entries


ENTRIES = parse_po(PO)
HEADER = next(e for e in ENTRIES if e.msgid == "" and e.msgctxt is None)
MESSAGES = [e for e in ENTRIES if e is not HEADER]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def edges(text: str) -> tuple[str, str]:
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]


def test_parser_reads_the_whole_catalog():
    assert len(MESSAGES) > 1000
    assert len({e.key for e in MESSAGES}) == len(MESSAGES)
    assert "Language: en" in HEADER.msgstr[0]
    assert "nplurals=2" in HEADER.msgstr[0]
    assert "fuzzy" not in HEADER.flags


def test_every_message_has_an_english_translation_and_none_is_fuzzy():
    fuzzy = [e.msgid for e in MESSAGES if "fuzzy" in e.flags]
    empty = [e.msgid for e in MESSAGES if any(not text.strip() for _source, text in e.forms)]
    plural_forms_missing = [e.msgid for e in MESSAGES if e.msgid_plural is not None and sorted(e.msgstr) != [0, 1]]
    assert fuzzy == []
    assert empty == []
    assert plural_forms_missing == []


def test_translations_are_english_not_copies_of_the_chinese():
    # Only a language's own name stays as written, so that a Chinese reader can always find it.
    kept = {"简体中文"}
    han = re.compile(r"[\u4e00-\u9fff]")
    # Legal document numbers (国办发〔2020〕42号) and literal input values (是/否) may be quoted inside English.
    untranslated = [
        e.msgid
        for e in MESSAGES
        if e.msgid not in kept
        for _source, text in e.forms
        if len(han.findall(text)) * 2 > len(text.strip())
    ]
    assert untranslated == []


def test_each_translation_keeps_the_placeholders_of_its_message():
    mismatched = [
        (source, text)
        for e in MESSAGES
        for source, text in e.forms
        if placeholders(source) != placeholders(text)
        or sorted(HTML_TAG.findall(source)) != sorted(HTML_TAG.findall(text))
    ]
    assert mismatched == []


def test_python_format_messages_format_with_the_same_arguments():
    for e in MESSAGES:
        if "python-format" not in e.flags:
            continue
        for source, text in e.forms:
            names = re.findall(r"%\((\w+)\)", source)
            if names:
                arguments = dict.fromkeys(names, 1)
                assert (text % arguments) != text or "%%" in text, (source, text)
            else:
                arguments = tuple(1 for _ in re.findall(r"%[sd]", source))
                text % arguments  # raises on a count mismatch


def test_leading_and_trailing_whitespace_and_newlines_are_kept():
    changed = []
    for e in MESSAGES:
        for source, text in e.forms:
            (lead, trail), (new_lead, new_trail) = edges(source), edges(text)
            # Chinese runs words together; an English fragment may need a space of its own where it joins
            # another, but never loses the whitespace its message has and never gains a line break.
            kept = new_lead.startswith(lead) and new_trail.endswith(trail)
            added = new_lead.replace(lead, "", 1) + new_trail.replace(trail, "", 1)
            if not kept or "\n" in added or source.count("\n") != text.count("\n"):
                changed.append((source, text))
    assert changed == []


def expected_catalog() -> dict:
    catalog = {}
    for e in MESSAGES:
        if e.msgid_plural is None:
            catalog[e.key] = e.msgstr[0]
        else:
            for n, text in e.msgstr.items():
                catalog[(e.key, n)] = text
    return catalog


def load_mo(path: Path) -> dict:
    with path.open("rb") as handle:
        catalog = dict(gettext.GNUTranslations(handle)._catalog)
    catalog.pop("", None)  # the header
    return catalog


def test_committed_mo_carries_exactly_the_po_translations():
    assert load_mo(MO) == expected_catalog()


def test_committed_mo_is_what_msgfmt_makes_of_the_po(tmp_path):
    """With GNU gettext installed, the committed .mo equals a fresh compilation; without it, the
    committed .mo is still compared message by message with the .po (test above and below)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        catalog = load_mo(MO)
        for key, text in expected_catalog().items():
            assert catalog.get(key) == text, key
        return
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(PO)], check=True, capture_output=True)
    assert load_mo(fresh) == load_mo(MO)


def test_the_english_catalog_is_the_one_django_uses():
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext("需要有效的访问令牌。") == "A valid access token is required."
        assert translation.ngettext("%(n)s 条未读消息。", "%(n)s 条未读消息。", 2) % {"n": 2} == "2 unread messages."
        assert translation.ngettext("%(n)s 条未读消息。", "%(n)s 条未读消息。", 1) % {"n": 1} == "1 unread message."
    with translation.override("zh-hans"):
        assert translation.gettext("需要有效的访问令牌。") == "需要有效的访问令牌。"


@pytest.mark.django_db
def test_portal_home_reads_english_when_english_is_chosen(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/").content.decode()
    assert "Better credit, easier approval" in page
    assert "Zalantun City Government Service Center" in page
    assert "信用越好" not in page


def test_enumerations_use_the_separator_of_the_language():
    from django.utils import translation

    from xinyipi.core.text import join_list

    with translation.override("zh-hans"):
        assert join_list(["自然人", "企业法人"]) == "自然人、企业法人"
    with translation.override("en"):
        assert join_list(["standard", "instant", "commitment"]) == "standard, instant, commitment"
        assert join_list([]) == ""


def test_a_choice_label_is_what_the_field_displays_in_the_active_language():
    from django.utils import translation

    from xinyipi.applications.models import Application, Mode
    from xinyipi.core.text import choice_label

    for language in ("zh-hans", "en"):
        with translation.override(language):
            for mode in Mode.values:
                assert choice_label(Mode, mode) == Application(mode=mode).get_mode_display()
    with translation.override("zh-hans"):
        assert choice_label(Mode, "instant") == "信用+秒批"
    with translation.override("en"):
        assert choice_label(Mode, "instant") != "信用+秒批"
    # A value that is not among the choices (an old row) shows as itself, as get_FOO_display() shows it.
    assert choice_label(Mode, "retired_mode") == Application(mode="retired_mode").get_mode_display() == "retired_mode"


def test_labels_made_at_import_time_follow_the_language_of_the_request():
    from django.utils import translation

    from xinyipi.catalog.selectors import HANDLE_TYPE_LABELS, SERVER_TYPE_LABELS

    with translation.override("en"):
        assert str(SERVER_TYPE_LABELS["1"]) == "Natural person"
        assert str(HANDLE_TYPE_LABELS["1"]) == "At the window"
    with translation.override("zh-hans"):
        assert str(SERVER_TYPE_LABELS["1"]) == "自然人"


def test_api_error_lists_values_in_english(api_as, clerk):
    answer = api_as(clerk, language="en").post(
        "/api/v1/subjects", {"kind": "enterprise", "code": "91150783MA7XYP00IO", "name": "Test"}
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["field"] == "code"
    assert body["message"].isascii(), body["message"]
    assert "I, O" in body["message"]
