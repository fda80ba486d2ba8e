"""The audit page names a case by its case number, and finds its entries by that number."""

import pytest
from django.urls import reverse

from xinyipi.applications.tests.factories import standard_case

pytestmark = pytest.mark.django_db


def test_audit_page_finds_a_case_by_its_number(client, auditor, clerk, enterprise, standard_matter):
    case = standard_case(clerk, standard_matter, enterprise)
    client.force_login(auditor)
    page = client.get(reverse("audit:entries"), {"object_id": case.number}).content.decode()
    assert "受理申请" in page and case.number in page
    # The auditor reads the trail, not the case: the number is no link it could not follow.
    assert reverse("applications:detail", args=[case.pk]) not in page
