"""Chinese text reads as typeset Chinese: no space after full-width punctuation or between two Chinese
characters (a YAML folded line or a template line break turns into one), and no doubled full stop where a
letter sets a catalog value inside its own sentence."""

import re
from pathlib import Path

import pytest
import yaml

import xinyipi
from xinyipi.applications import letters
from xinyipi.applications.models import LetterKind
from xinyipi.applications.selectors import commitment_letter_preview, supplement_pledge_preview
from xinyipi.catalog.demo import load_demo_catalog
from xinyipi.catalog.models import Matter
from xinyipi.core import clock
from xinyipi.core.text import clause

SOURCE = Path(xinyipi.__file__).resolve().parent
WIDE = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’《》〔〕]"
STRAY_SPACE = re.compile(r"[，。；：、！？][ \t]+(?!\{%|\{#|<)\S|" + WIDE + r"[ \t]+" + WIDE)
# A citation keeps the space between a document's number and its part: 国办发〔2019〕35号 二（一）.
ALLOWED = re.compile(r"号 [一二三四五六七八九十]")
DOUBLED = re.compile(r"[。；，、：]{2}")


def stray_spaces(text: str) -> list[str]:
    return [
        text[max(0, m.start() - 8) : m.end() + 8]
        for m in STRAY_SPACE.finditer(text)
        if not ALLOWED.match(text, m.start() + m.group().index(" ") - 1)
    ]


def strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


def dated(value, day: str):
    """The sample context of a letter with a real date in each date field (sample values are marks)."""
    if isinstance(value, dict):
        return {k: day if k in DATE_FIELDS else dated(v, day) for k, v in value.items()}
    if isinstance(value, list):
        return [dated(v, day) for v in value]
    return value


DATE_FIELDS = {"filed_on", "decided_on", "supplement_due", "date", "due", "issued_on", "signed_at", "notice_due"}


def source_files(*patterns: str) -> list[Path]:
    return sorted(p for pattern in patterns for p in SOURCE.rglob(pattern) if "locale" not in p.parts)


def test_stray_space_finder_finds_what_the_issue_reported():
    assert stray_spaces("实施告知承诺审批后， 经核实") and stray_spaces("已享受的便利措施 予以取消")
    assert stray_spaces("仍未提交的，列入黑名单") == [] and stray_spaces("国办发〔2019〕35号 二（一）") == []


@pytest.mark.parametrize("path", source_files("*.yaml"), ids=lambda p: str(p.relative_to(SOURCE)))
def test_policy_and_catalog_data_has_no_stray_spaces(path):
    found = [s for text in strings(yaml.safe_load(path.read_text(encoding="utf-8"))) for s in stray_spaces(text)]
    assert found == []


@pytest.mark.parametrize("path", source_files("*.html", "*.txt"), ids=lambda p: str(p.relative_to(SOURCE)))
def test_templates_and_letter_texts_have_no_stray_spaces(path):
    text = path.read_text(encoding="utf-8")
    # A line break inside a page's paragraph (or a trimmed blocktranslate) shows as a space; a letter's
    # line breaks are its own lines.
    joined = text if path.suffix == ".txt" else re.sub(r"[ \t]*\n[ \t]*", " ", text)
    assert stray_spaces(joined) == []


def test_clause_drops_the_closing_mark_a_sentence_adds_itself():
    assert clause("具备相应的经营条件。") == "具备相应的经营条件"
    assert clause(" 《食品安全法》第三十五条； ") == "《食品安全法》第三十五条"
    assert clause("") == ""


@pytest.mark.django_db
def test_no_letter_of_the_demo_catalog_doubles_its_punctuation(enterprise):
    load_demo_catalog()
    rendered = {}
    for matter in Matter.objects.prefetch_related("materials"):
        materials = list(matter.materials.all())
        if matter.commitment_kind != Matter.CommitmentKind.NONE:
            certificates = [m for m in materials if m.replaceable] or materials[:1]
            rendered[matter.code, "commitment"] = commitment_letter_preview(
                matter=matter, subject=enterprise, certificates=certificates
            )
        if matter.tolerance:
            rendered[matter.code, "pledge"] = supplement_pledge_preview(
                matter=matter, subject=enterprise, missing=[m for m in materials if m.tolerable] or materials[:1]
            )
        for kind in LetterKind.values:
            context = dated(letters._sample(kind, matter.commitment_kind)[0], letters.date_label(clock.today()))
            context["matter"] = letters.matter_context(matter)
            context["certificates"] = [letters.certificate_context(m, matter) for m in materials if m.replaceable]
            context["verification"] = letters.verification_context(matter)
            rendered[matter.code, kind] = letters.render_body(letters.default_body(kind), context)
    assert len(rendered) > 25 * len(LetterKind.values)
    doubled = {key: DOUBLED.findall(text) for key, text in rendered.items() if DOUBLED.search(text)}
    assert doubled == {}
    spaced = {key: stray_spaces(text) for key, text in rendered.items() if stray_spaces(text)}
    assert spaced == {}
