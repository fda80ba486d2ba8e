"""Letters, pledges and case documents are written in the site's language (zh-Hans) whatever language the
clerk or applicant reads the pages in: what is signed and frozen is one text, not a mix of languages."""

import re

import pytest
from django.utils import translation

from xinyipi.applications.selectors import commitment_letter_preview, supplement_pledge_preview
from xinyipi.applications.tests.factories import tolerance_case

pytestmark = pytest.mark.django_db

ENGLISH_WORDS = re.compile(r"\b(generated|Paper|Electronic|Originals|Copies|verification|Window|Credit|Enterprise)\b")


def test_r4_r6_letter_previews_read_the_same_in_an_english_session(certificate_matter, tolerance_matter, enterprise):
    certificate = certificate_matter.materials.get(code="C1")
    missing = list(tolerance_matter.materials.filter(code__in=["B1", "B2"]))

    def previews():
        return (
            commitment_letter_preview(matter=certificate_matter, subject=enterprise, certificates=[certificate]),
            supplement_pledge_preview(matter=tolerance_matter, subject=enterprise, missing=missing),
        )

    with translation.override("zh-hans"):
        chinese = previews()
    with translation.override("en"):
        english_session = previews()
    assert english_session == chinese
    assert "（受理时生成）" in english_session[0] and "（签署时生成）" in english_session[0]
    assert not ENGLISH_WORDS.search(english_session[1])


def test_r6_documents_filed_in_an_english_session_are_chinese(clerk, tolerance_matter, enterprise):
    with translation.override("en"):
        application = tolerance_case(clerk, tolerance_matter, enterprise)
    texts = [application.supplement_pledge.text, *(d.text for d in application.documents.all())]
    assert len(texts) >= 2
    for text in texts:
        assert not ENGLISH_WORDS.search(text), text
    assert "场所平面图" in texts[0]


def test_history_and_credit_record_of_an_english_session_are_kept_in_chinese(clerk, tolerance_matter, enterprise):
    from xinyipi.applications.services import application_withdraw
    from xinyipi.records.models import CreditRecordEvent

    with translation.override("en"):
        application = tolerance_case(clerk, tolerance_matter, enterprise)
        application_withdraw(actor=clerk, application=application)
    reasons = list(application.transitions.values_list("reason", flat=True))
    summaries = list(CreditRecordEvent.objects.filter(subject=enterprise).values_list("summary", flat=True))
    assert "申请人撤回申请" in reasons
    assert any("容缺受理" in r for r in reasons)
    assert summaries
    for text in [*reasons, *summaries]:
        assert not ENGLISH_WORDS.search(text) and "Application" not in text, text
